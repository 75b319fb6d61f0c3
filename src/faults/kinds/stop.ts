/** stop: a graceful stop (SIGTERM, then SIGKILL after 1 s); heal: start again. */
import { z } from 'zod';
import { faultCommon, target } from '../../scenario/primitives.ts';
import type { FaultKind } from '../kind.ts';
import { healEach, resolveTarget, startAgain, targetOf } from './common.ts';

const schema = z.strictObject({ ...faultCommon, fault: z.literal('stop'), target: target.default('primary') });
type Entry = z.output<typeof schema>;

export const stop: FaultKind<typeof schema> = {
  name: 'stop',
  schema,
  summary: 'stop the node (SIGTERM, then SIGKILL after 1 s); heal: start it again',
  describe: (e) => `stop ${e.target}`,
  targetsOf: targetOf,
  kills: () => true,
  resolve: resolveTarget,
  async inject(_entry, { nodes }, { dep }) {
    for (const n of nodes) await dep.runtime.stop(n, 1);
    return { heal: healEach(nodes.map((n) => () => startAgain(dep, n))), healAtTeardown: false };
  },
};
