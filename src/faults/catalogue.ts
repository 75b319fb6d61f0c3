/**
 * The fault catalogue: one entry point that injects any fault kind from a timeline entry, records what it
 * hit in the journal (t0 taken just before the command), and returns the active fault with its heal.
 */
import type { Journal } from '../journal/journal.ts';
import type { Topology, NodeInfo } from '../topology/topology.ts';
import type { TimelineEntry } from '../scenario/schema.ts';
import { parseInfo } from '../topology/admin.ts';
import { currentPrimary, resolveParties, resolveTargets, type Party } from './selectors.ts';
import { pauseNode, restartNode, signalNode, stallNode, stopNode, type Heal } from './process.ts';
import { applyNetem, installChains, limitBandwidth, lossRules, onewayRules, splitRules } from './network.ts';
import type { NetTools } from './nettools.ts';

export type FaultEntry = Exclude<TimelineEntry, { fault: 'heal' }>;

export interface FaultContext {
  topology: Topology;
  journal: Journal;
  tools: NetTools;
  runId: string;
  /** Told before a fault kills or stops a container, so its death is not taken for a crash. */
  expectDeath?: (node: string) => void;
}

export interface ActiveFault {
  /** Unique per injection: `<id or kind>#<n>`. */
  key: string;
  kind: FaultEntry['fault'];
  nodes: string[];
  /** Process faults that killed or stopped a container need no heal at teardown (the container goes anyway). */
  healAtTeardown: boolean;
  heal: Heal;
}

let chainSeq = 0;

/** What a fault entry says in one line (for progress and the journal). */
export function describeEntry(entry: FaultEntry): string {
  switch (entry.fault) {
    case 'kill':
      return `${entry.signal} ${entry.target}`;
    case 'partition':
      if (entry.isolate) return `partition: isolate ${entry.isolate}`;
      if (entry.groups) return `partition: ${entry.groups.map((g) => `[${g.join(', ')}]`).join(' | ')}`;
      return `partition: one-way [${entry.oneway!.from.join(', ')}] -> [${entry.oneway!.to.join(', ')}]`;
    case 'loss':
      return `loss ${entry.probability * 100}% on ${entry.target}`;
    case 'bandwidth':
      return `bandwidth ${entry.rate} on ${entry.target}`;
    default:
      return `${entry.fault} ${entry.target}`;
  }
}

export async function injectFault(entry: FaultEntry, key: string, ctx: FaultContext): Promise<ActiveFault> {
  const { topology, journal, tools } = ctx;
  const primary = await currentPrimary(topology);
  const chain = () => `FD-${ctx.runId}-${++chainSeq}`;
  let nodes: NodeInfo[];
  let heal: Heal;
  let t0: number;
  let healAtTeardown = true;

  if (entry.fault === 'partition') {
    const all: Party = { nodes: topology.nodes, client: true };
    let groups: Party[];
    let oneway: [Party, Party] | undefined;
    if (entry.isolate) {
      const cut = await resolveParties(topology, journal, [entry.isolate]);
      groups = [cut, { nodes: all.nodes.filter((n) => !cut.nodes.includes(n)), client: !cut.client }];
    } else if (entry.groups) {
      groups = await Promise.all(entry.groups.map((g) => resolveParties(topology, journal, g)));
    } else {
      oneway = [await resolveParties(topology, journal, entry.oneway!.from), await resolveParties(topology, journal, entry.oneway!.to)];
      groups = oneway;
    }
    // The side that holds the faulted node is listed first: "isolate X", the first group, or `from`.
    nodes = groups[0].nodes;
    const rules = oneway ? onewayRules(topology, ...oneway) : splitRules(topology, groups);
    await snapshotIfPrimary(ctx, primary, nodes);
    t0 = journal.now();
    heal = await installChains(tools, chain(), rules);
  } else {
    const targets = await resolveTargets(topology, journal, entry.target);
    nodes = targets;
    await snapshotIfPrimary(ctx, primary, nodes);
    const dies = (entry.fault === 'kill' && entry.signal !== 'SIGSTOP') || entry.fault === 'stop' || entry.fault === 'restart';
    if (dies) for (const n of targets) ctx.expectDeath?.(n.name);
    t0 = journal.now();
    const heals: Heal[] = [];
    switch (entry.fault) {
      case 'kill':
        for (const n of targets) heals.push(await signalNode(topology, n, entry.signal));
        healAtTeardown = entry.signal === 'SIGSTOP';
        break;
      case 'stop':
        for (const n of targets) heals.push(await stopNode(topology, n));
        healAtTeardown = false;
        break;
      case 'restart':
        for (const n of targets) heals.push(await restartNode(topology, n));
        break;
      case 'pause':
        for (const n of targets) heals.push(await pauseNode(topology, n));
        break;
      case 'stall':
        for (const n of targets) heals.push(await stallNode(topology, n, entry.duration));
        break;
      case 'loss': {
        const peers = entry.peers ? await resolveParties(topology, journal, entry.peers) : undefined;
        heals.push(await installChains(tools, chain(), lossRules(topology, targets, entry.probability, peers)));
        break;
      }
      case 'bandwidth':
        heals.push(await limitBandwidth(tools, targets, entry.rate));
        break;
      case 'netem':
        heals.push(await applyNetem(tools, targets, entry));
        break;
    }
    heal = async () => {
      for (const h of heals) await h();
    };
  }
  const role = primary && nodes.includes(primary) ? 'primary' : nodes.every((n) => n.kind === 'sentinel') ? 'sentinel' : 'replica';
  journal.append(
    'fault.inject',
    {
      key,
      kind: entry.fault,
      description: describeEntry(entry),
      target: 'target' in entry ? entry.target : undefined,
      signal: entry.fault === 'kill' ? entry.signal : undefined,
      node: nodes[0]?.name ?? null,
      nodes: nodes.map((n) => n.name),
      role,
      issuedMs: journal.now() - t0,
    },
    t0,
  );
  return { key, kind: entry.fault, nodes: nodes.map((n) => n.name), healAtTeardown, heal };
}

export async function healFault(fault: ActiveFault, ctx: FaultContext, reason: 'scheduled' | 'teardown'): Promise<void> {
  if (reason === 'teardown' && !fault.healAtTeardown) {
    ctx.journal.append('fault.heal', { key: fault.key, kind: fault.kind, node: fault.nodes[0] ?? null, nodes: fault.nodes, reason, skipped: 'container is removed at teardown' });
    return;
  }
  const t = ctx.journal.now();
  await fault.heal();
  ctx.journal.append('fault.heal', { key: fault.key, kind: fault.kind, node: fault.nodes[0] ?? null, nodes: fault.nodes, reason, issuedMs: ctx.journal.now() - t }, t);
}

/** Before a fault hits the primary: every replica's offset, to judge Sentinel's replica selection later. */
async function snapshotIfPrimary(ctx: FaultContext, primary: NodeInfo | undefined, nodes: NodeInfo[]): Promise<void> {
  if (!primary || !nodes.includes(primary)) return;
  const offsets: Record<string, number> = {};
  await Promise.all(
    ctx.topology.dataNodes
      .filter((n) => n !== primary)
      .map(async (n) => {
        try {
          const info = parseInfo(String(await ctx.topology.command(n, 'INFO', 'replication')));
          offsets[n.name] = Number(info.slave_repl_offset ?? -1);
        } catch {
          // unreachable replica: no offset
        }
      }),
  );
  ctx.journal.append('replication.snapshot', { primary: primary.name, offsets });
}
