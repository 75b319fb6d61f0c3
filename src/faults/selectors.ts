/**
 * Fault targets chosen at the moment of injection: a role ("primary", "replica:most-up-to-date",
 * "primary:shard-2") is resolved against the live deployment when the fault fires, so "the primary"
 * means the one that is primary then. The resolution is recorded in the journal by the caller.
 */
import { parseInfo } from '../topology/admin.ts';
import type { Deployment } from '../topology/deployment.ts';
import type { Node } from '../topology/node.ts';
import type { Journal } from '../record/journal.ts';
import { SHARD_SELECTOR, ZONE_SELECTOR } from '../scenario/primitives.ts';

/** What a selector is resolved against: the deployment, the journal so far, and who is primary now. */
export interface SelectorContext {
  dep: Deployment;
  journal: Journal;
  /** Looked up once per fault (asking every node twice would delay the fault). */
  primaries: Map<number, Node>;
}

const running = (dep: Deployment, nodes: Node[]) => dep.runningNodes(nodes);

async function replicaOffsets(dep: Deployment, replicas: Node[]): Promise<[Node, number][]> {
  const out: [Node, number][] = [];
  for (const r of replicas) {
    try {
      const info = parseInfo(String(await dep.command(r, 'INFO', 'replication')));
      out.push([r, Number(info.slave_repl_offset ?? info.master_repl_offset ?? -1)]);
    } catch {
      // unreachable replicas are not candidates
    }
  }
  return out;
}

/** Resolves a target selector to the nodes it means right now. Throws when it matches none. */
export async function resolveTargets(ctx: SelectorContext, selector: string): Promise<Node[]> {
  const { dep, journal, primaries } = ctx;
  const named = dep.nodes.find((n) => n.name === selector);
  if (named) return [named];
  const fromMode = await dep.mode.resolveTarget(selector, dep, journal);
  if (fromMode) return fromMode;
  const primaryNodes = new Set(primaries.values());
  const replicas = dep.dataNodes.filter((n) => !primaryNodes.has(n));
  const one = (nodes: Node[], what: string) => {
    if (nodes.length === 0) throw new Error(`fault target "${selector}": no ${what} right now`);
    return [nodes[0]];
  };
  const zone = ZONE_SELECTOR.exec(selector);
  if (zone) return zoneNodes(dep, zone[1], primaries.get(1));
  const shard = SHARD_SELECTOR.exec(selector);
  if (shard) {
    const n = Number(shard[2]);
    if (shard[1] === 'primary') {
      const p = primaries.get(n);
      if (!p) throw new Error(`fault target "${selector}": shard ${n} has no reachable primary right now`);
      return [p];
    }
    return one(await running(dep, replicas.filter((r) => r.shard === n)), `running replica in shard ${n}`);
  }
  switch (selector) {
    case 'primary': {
      const p = primaries.get(1);
      if (!p) throw new Error('fault target "primary": no node is primary right now (no monitor names one, no node reports role master)');
      return [p];
    }
    case 'primaries':
      if (primaryNodes.size === 0) throw new Error('fault target "primaries": no node is primary right now');
      return [...primaries.entries()].sort((a, b) => a[0] - b[0]).map(([, n]) => n);
    case 'old-primary': {
      const first = journal.filter('fault.inject').find((e) => e.role === 'primary');
      if (!first?.node) throw new Error('fault target "old-primary": no earlier fault hit a primary');
      return [dep.node(first.node)];
    }
    case 'replica':
    case 'replica:any':
      return one(await running(dep, replicas), 'running replica');
    case 'replicas':
      return replicas;
    case 'replica:most-up-to-date':
    case 'replica:least-up-to-date': {
      const offsets = (await replicaOffsets(dep, await running(dep, replicas))).sort((a, b) => a[1] - b[1]);
      const pick = selector.endsWith('most-up-to-date') ? offsets.at(-1) : offsets[0];
      return one(pick ? [pick[0]] : [], 'reachable replica');
    }
    case 'sentinel':
    case 'sentinel:any':
      return one(await running(dep, dep.sentinels), 'running sentinel');
    case 'sentinels':
    case 'all-sentinels':
      return dep.sentinels;
    default:
      throw new Error(`fault target "${selector}" matches no node; nodes: ${dep.nodes.map((n) => n.name).join(', ')}`);
  }
}

/** The nodes of a zone (topology.zones); `primary`: the zone the primary is in right now. */
function zoneNodes(dep: Deployment, name: string, primary: Node | undefined): Node[] {
  let zone = name;
  if (name === 'primary') {
    if (!primary) throw new Error('fault target "zone:primary": no node is primary right now');
    const found = Object.entries(dep.zones).find(([, members]) => members.includes(primary.name));
    if (!found) throw new Error(`fault target "zone:primary": the primary ${primary.name} is in no zone`);
    zone = found[0];
  }
  const members = dep.zones[zone];
  if (!members) throw new Error(`fault target "zone:${name}": no such zone; zones: ${Object.keys(dep.zones).join(', ')}`);
  return members.map((m) => dep.node(m));
}

/** A partition party: nodes, or the harness's own client connections. */
export interface Party {
  nodes: Node[];
  client: boolean;
}

/** The nodes and client named by a list of selectors ("rest" is resolved by the partition itself). */
export async function resolveParty(ctx: SelectorContext, selectors: string[]): Promise<Party> {
  const party: Party = { nodes: [], client: false };
  for (const s of selectors) {
    if (s === 'client') party.client = true;
    else if (s !== 'rest') for (const n of await resolveTargets(ctx, s)) if (!party.nodes.includes(n)) party.nodes.push(n);
  }
  return party;
}
