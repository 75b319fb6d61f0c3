/**
 * Fault targets chosen at the moment of injection: a role ("primary") is resolved against the live
 * topology when the fault fires, so "the primary" means the one that is primary then.
 */
import type { NodeInfo, Topology } from '../topology/topology.ts';

export async function currentPrimary(topology: Topology): Promise<NodeInfo> {
  // Sentinel's view first: it is what clients follow.
  const votes = new Map<string, number>();
  await Promise.all(
    topology.sentinels.map(async (s) => {
      try {
        const [ip, port] = (await topology.command(s, 'SENTINEL', 'GET-MASTER-ADDR-BY-NAME', topology.masterName)) as [string, string];
        const node = topology.nodeByIp(ip, Number(port));
        if (node) votes.set(node.name, (votes.get(node.name) ?? 0) + 1);
      } catch {
        // a sentinel that does not answer casts no vote
      }
    }),
  );
  const best = [...votes].sort((a, b) => b[1] - a[1])[0];
  if (best) return topology.node(best[0]);
  // No sentinel answered: ask the data nodes themselves.
  for (const node of topology.dataNodes) {
    try {
      const role = (await topology.command(node, 'ROLE')) as unknown[];
      if (role[0] === 'master') return node;
    } catch {
      // dead or frozen: not the primary we can target
    }
  }
  throw new Error('no node is primary: no sentinel names one and no data node reports role master');
}

export async function resolveTarget(topology: Topology, selector: string): Promise<{ node: NodeInfo; role: string }> {
  if (selector === 'primary') return { node: await currentPrimary(topology), role: 'primary' };
  const node = topology.nodes.find((n) => n.name === selector);
  if (!node) throw new Error(`fault target "${selector}" matches no node; nodes: ${topology.nodes.map((n) => n.name).join(', ')}`);
  return { node, role: node.kind };
}
