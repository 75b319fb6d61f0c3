/**
 * promote: `REPLICAOF NO ONE` on the chosen replica — the manual failover's first step, without Sentinel
 * doing it. Takes effect when the node reports ROLE master.
 */
import { z } from 'zod';
import { target } from '../../scenario/primitives.ts';
import { resolveTargets } from '../../faults/selectors.ts';
import type { ActionKind } from '../kind.ts';
import { actionCommon, dataNodes, oneDataNode, roleWord } from './common.ts';

const schema = z.strictObject({
  ...actionCommon,
  action: z.literal('promote'),
  target: target.default('replica:most-up-to-date').meta({ description: 'The replica the operator promotes (one data node), resolved when the step runs.' }),
});

export const promote: ActionKind<typeof schema> = {
  name: 'promote',
  schema,
  snapshotsOffsets: true,
  summary: '`REPLICAOF NO ONE` on the chosen replica (default `replica:most-up-to-date`); takes effect when it reports ROLE master',
  describe: (e) => `promote ${e.target} (REPLICAOF NO ONE)`,
  targetsOf: (e) => [[['target'], e.target]],
  check: (e) => oneDataNode('target', e.target),
  async resolve(entry, ctx) {
    return { nodes: dataNodes(await resolveTargets(ctx, entry.target), 'promote').slice(0, 1) };
  },
  async send(_entry, { nodes: [node] }, { dep }) {
    const reply = String(await dep.command(node, 'REPLICAOF', 'NO', 'ONE'));
    return {
      reply,
      async effect(note) {
        const role = roleWord(await dep.command(node, 'ROLE'));
        if (role !== 'master') return note(`${node.name} reports role ${role}`), undefined;
        return { detail: `${node.name} reports role master`, node: node.name };
      },
    };
  },
};
