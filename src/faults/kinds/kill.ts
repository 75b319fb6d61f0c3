/** kill: a signal to the node's server process (SIGKILL crash, SIGTERM shutdown, SIGSTOP freeze). */
import { z } from 'zod';
import { faultCommon, target } from '../../scenario/primitives.ts';
import type { FaultKind } from '../kind.ts';
import { healEach, resolveTarget, startAgain, targetOf } from './common.ts';

export const SIGNALS = ['SIGKILL', 'SIGTERM', 'SIGINT', 'SIGQUIT', 'SIGSTOP'] as const;

const schema = z.strictObject({
  ...faultCommon,
  fault: z.literal('kill'),
  target: target.default('primary'),
  signal: z.enum(SIGNALS).default('SIGKILL').meta({ description: 'Heal: SIGCONT after SIGSTOP; otherwise the node is started again.' }),
});
type Entry = z.output<typeof schema>;

export const kill: FaultKind<typeof schema> = {
  name: 'kill',
  schema,
  summary: "signal to the node's server process (SIGKILL | SIGTERM | SIGINT | SIGQUIT | SIGSTOP); heal: start it again (SIGCONT after SIGSTOP)",
  describe: (e) => `${e.signal} ${e.target}`,
  targetsOf: targetOf,
  kills: (e) => e.signal !== 'SIGSTOP',
  resolve: resolveTarget,
  async inject(entry, { nodes }, { dep }) {
    const heals = [];
    for (const n of nodes) {
      await dep.runtime.signal(n, entry.signal);
      heals.push(entry.signal === 'SIGSTOP' ? () => dep.runtime.signal(n, 'SIGCONT') : () => startAgain(dep, n));
    }
    // A stopped process must be continued before teardown; a killed node is removed anyway (or, attached,
    // started again by the heal the timeline runs).
    return { heal: healEach(heals), healAtTeardown: entry.signal === 'SIGSTOP' };
  },
};
