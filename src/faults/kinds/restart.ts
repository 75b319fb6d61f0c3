/** restart: stop and start again at once (a new server process, same node). */
import { z } from 'zod';
import { faultCommon, target } from '../../scenario/primitives.ts';
import type { FaultKind } from '../kind.ts';
import { resolveTarget, targetOf } from './common.ts';

const schema = z.strictObject({ ...faultCommon, fault: z.literal('restart'), target: target.default('primary') });
type Entry = z.output<typeof schema>;

export const restart: FaultKind<typeof schema> = {
  name: 'restart',
  schema,
  summary: 'restart the node (stop, then start at once); over when it is back',
  describe: (e) => `restart ${e.target}`,
  targetsOf: targetOf,
  check: (e) => (e.duration !== undefined ? { path: ['duration'], message: 'a restart has no duration: it is over when the node is back' } : null),
  kills: () => true,
  resolve: resolveTarget,
  async inject(_entry, { nodes }, { dep }) {
    for (const n of nodes) {
      await dep.runtime.restart(n, 1);
      await dep.refresh(n);
    }
    return { heal: async () => {}, healAtTeardown: false };
  },
};
