/**
 * Fault targets chosen at the moment of injection: a role ("primary", "replica:most-up-to-date",
 * "sentinel:leader") is resolved against the live topology when the fault fires, so "the primary" means
 * the one that is primary then. The resolution is recorded in the journal by the caller.
 */
import { parseInfo } from '../topology/admin.ts';
import type { NodeInfo, Topology } from '../topology/topology.ts';
import type { Journal } from '../journal/journal.ts';

export async function currentPrimary(topology: Topology): Promise<NodeInfo | undefined> {
  // Sentinel's view first: it is what clients follow.
  const votes = new Map<string, number>();
  await Promise.all(
    topology.sentinels.map(async (s) => {
      try {
        const [ip, port] = (await topology.command(s, 'SENTINEL', 'GET-MASTER-ADDR-BY-NAME', topology.masterName)) as [string, string];
        const node = topology.nodeByIp(ip, Number(port));
        if (node) votes.set(node.name, (votes.get(node.name) ?? 0) + 1);
      } catch {
        // a sentinel that does not answer (killed, paused, cut off) casts no vote
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
      // dead or frozen
    }
  }
  return undefined;
}

async function isRunning(topology: Topology, node: NodeInfo): Promise<boolean> {
  try {
    const s = (await topology.container(node).inspect()).State;
    return s.Running && !s.Paused;
  } catch {
    return false;
  }
}

async function replicaOffsets(topology: Topology, replicas: NodeInfo[]): Promise<Map<NodeInfo, number>> {
  const out = new Map<NodeInfo, number>();
  for (const r of replicas) {
    try {
      const info = parseInfo(String(await topology.command(r, 'INFO', 'replication')));
      out.set(r, Number(info.slave_repl_offset ?? info.master_repl_offset ?? -1));
    } catch {
      // unreachable replicas are not candidates
    }
  }
  return out;
}

/** Resolves a target selector to the nodes it means right now. Throws when it matches none. */
export async function resolveTargets(topology: Topology, journal: Journal, selector: string): Promise<NodeInfo[]> {
  const named = topology.nodes.find((n) => n.name === selector);
  if (named) return [named];
  const primary = await currentPrimary(topology);
  const replicas = topology.dataNodes.filter((n) => n !== primary);
  const running = async (nodes: NodeInfo[]) => {
    const flags = await Promise.all(nodes.map((n) => isRunning(topology, n)));
    return nodes.filter((_, i) => flags[i]);
  };
  const one = (nodes: NodeInfo[], what: string) => {
    if (nodes.length === 0) throw new Error(`fault target "${selector}": no ${what} right now`);
    return [nodes[0]];
  };
  switch (selector) {
    case 'primary':
      if (!primary) throw new Error('fault target "primary": no node is primary right now (no sentinel names one, no node reports role master)');
      return [primary];
    case 'old-primary': {
      const first = journal.events.find((e) => e.type === 'fault.inject' && e.role === 'primary');
      if (!first) throw new Error('fault target "old-primary": no earlier fault hit a primary');
      return [topology.node(String(first.node))];
    }
    case 'replica':
    case 'replica:any':
      return one(await running(replicas), 'running replica');
    case 'replicas':
      return replicas;
    case 'replica:most-up-to-date':
    case 'replica:least-up-to-date': {
      const offsets = [...(await replicaOffsets(topology, await running(replicas)))].sort((a, b) => a[1] - b[1]);
      const pick = selector.endsWith('most-up-to-date') ? offsets.at(-1) : offsets[0];
      return one(pick ? [pick[0]] : [], 'reachable replica');
    }
    case 'sentinel':
    case 'sentinel:any':
      return one(await running(topology.sentinels), 'running sentinel');
    case 'sentinels':
    case 'all-sentinels':
      return topology.sentinels;
    case 'sentinel:leader': {
      const elected = journal.events.filter((e) => e.type === 'sentinel.event' && e.channel === '+elected-leader').at(-1);
      if (!elected) throw new Error('fault target "sentinel:leader": no sentinel has been elected leader yet in this drill');
      return [topology.node(String(elected.node))];
    }
    default:
      throw new Error(`fault target "${selector}" matches no node; nodes: ${topology.nodes.map((n) => n.name).join(', ')}`);
  }
}

/** A partition party: nodes, or the harness's own client connections. */
export interface Party {
  nodes: NodeInfo[];
  client: boolean;
}

export async function resolveParties(topology: Topology, journal: Journal, selectors: string[]): Promise<Party> {
  const party: Party = { nodes: [], client: false };
  for (const s of selectors) {
    if (s === 'client') party.client = true;
    else for (const n of await resolveTargets(topology, journal, s)) if (!party.nodes.includes(n)) party.nodes.push(n);
  }
  return party;
}
