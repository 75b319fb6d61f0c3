/**
 * repoint: `REPLICAOF <new primary> <port>` on the other data nodes — the manual failover's second step.
 * Takes effect when every repointed node reports its link to the new primary up (a full or partial
 * resync done: the replication poller says which).
 */
import { z } from 'zod';
import { target } from '../../scenario/primitives.ts';
import { resolveTargets } from '../../faults/selectors.ts';
import { parseInfo } from '../../topology/admin.ts';
import type { Node } from '../../topology/node.ts';
import type { Resolved } from '../../faults/kind.ts';
import type { ActionKind } from '../kind.ts';
import { actionCommon, dataNodes, oneDataNode } from './common.ts';

const schema = z.strictObject({
  ...actionCommon,
  action: z.literal('repoint'),
  target: target.default('replicas').meta({ description: 'The nodes to repoint (default: every running data node but the new primary).' }),
  to: target.default('primary').meta({ description: 'The new primary they replicate from (default: the node that is primary when the step runs).' }),
});

/** The nodes repointed, and the primary they are pointed at. */
interface Repointed extends Resolved {
  to: Node;
}

export const repoint: ActionKind<typeof schema, Repointed> = {
  name: 'repoint',
  schema,
  summary: '`REPLICAOF <to> <port>` on `target` (default: every other running data node) to `to` (default: the primary now); takes effect when each link is up',
  describe: (e) => `repoint ${e.target} to ${e.to} (REPLICAOF)`,
  targetsOf: (e) => [
    [['target'], e.target],
    [['to'], e.to],
  ],
  check: (e) => oneDataNode('to', e.to),
  async resolve(entry, ctx) {
    const [to] = dataNodes(await resolveTargets(ctx, entry.to), 'repoint: to');
    const named = dataNodes(await resolveTargets(ctx, entry.target), 'repoint').filter((n) => n !== to);
    // A stopped node cannot be told anything: the operator repoints the ones that run.
    const nodes = await ctx.dep.runningNodes(named);
    if (nodes.length === 0) throw new Error(`repoint ${entry.target}: no running data node other than ${to.name}`);
    return { nodes, to };
  },
  async send(_entry, { nodes, to }, { dep }) {
    const replies = await Promise.all(nodes.map(async (n) => `${n.name}: ${String(await dep.command(n, 'REPLICAOF', to.ip, to.port))}`));
    return {
      reply: replies.join(', '),
      async effect(note) {
        for (const n of nodes) {
          const info = parseInfo(String(await dep.command(n, 'INFO', 'replication')));
          if (!linkedTo(info, to)) return note(`${n.name}: role ${info.role}, master ${info.master_host ?? '-'}, link ${info.master_link_status ?? '-'}`), undefined;
        }
        return { detail: `${nodes.map((n) => n.name).join(', ')} linked to ${to.name}`, node: to.name };
      },
    };
  },
};

function linkedTo(info: Record<string, string>, to: Node): boolean {
  return info.role === 'slave' && info.master_host === to.ip && Number(info.master_port) === to.port && info.master_link_status === 'up';
}
