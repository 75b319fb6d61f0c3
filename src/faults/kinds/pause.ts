/** pause: freeze the node's processes (cgroup freezer); heal: unpause. */
import { z } from 'zod';
import { faultCommon, target } from '../../scenario/primitives.ts';
import type { FaultKind } from '../kind.ts';
import { healEach, resolveTarget, targetOf } from './common.ts';

const schema = z.strictObject({ ...faultCommon, fault: z.literal('pause'), target: target.default('primary') });
type Entry = z.output<typeof schema>;

export const pause: FaultKind<typeof schema> = {
  name: 'pause',
  schema,
  summary: 'freeze the node (cgroup freezer, `docker pause`); heal: unpause',
  describe: (e) => `pause ${e.target}`,
  targetsOf: targetOf,
  resolve: resolveTarget,
  async inject(_entry, { nodes }, { dep }) {
    for (const n of nodes) await dep.runtime.pause(n);
    return { heal: healEach(nodes.map((n) => () => dep.runtime.unpause(n))), healAtTeardown: true };
  },
};
