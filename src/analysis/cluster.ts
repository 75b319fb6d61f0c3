/**
 * The Redis Cluster checker: per shard whose primary a fault hit, PFAIL (polled), FAIL (the nodes' logs:
 * "Marking node … as failing"), the replica's election, and the client's view of that shard's writes; the
 * cluster-down time from every node's cluster_state; and the same write classes as in Sentinel mode,
 * per shard and overall. Pure.
 */
import { ofType, type EventOf, type JournalEvent, type NodeRef } from '../record/events.ts';
import { deploymentOf, healOf, loadWindow, nodeIndex } from '../record/anchors.ts';
import type { FailoverStep, Metrics, ShardMetrics } from '../record/metrics.ts';
import type { AnalysisInput, ModeMetrics } from './analyze.ts';
import { longestGapOverlapping, mergeRuns, round1, tallyWrites, type Tally } from './writes.ts';
import { promotedWasMostUpToDate, resyncAfterHeal } from './replication.ts';
import { clusterCrossCheck } from './crossCheck.ts';

/** A cluster event for the report's event table: from the nodes' logs when saved, else from polling. */
export interface ClusterEvent {
  t: number;
  wall: number;
  node: string;
  text: string;
}

export function clusterEventsOf(events: readonly JournalEvent[]): ClusterEvent[] {
  const logs = ofType(events, 'cluster.log');
  const polled = [
    ...ofType(events, 'cluster.view')
      .filter((e) => /fail/.test(e.flags))
      .map((e) => ({ t: e.t, wall: e.wall, node: e.node, text: `sees ${e.subject} as ${e.flags} (polled)` })),
  ];
  return [...logs.map((e) => ({ t: e.t, wall: e.wall, node: e.node, text: e.detail })), ...polled];
}

interface ShardFault {
  shard: number;
  t0: number;
  fault: EventOf<'fault.inject'>;
  oldPrimary: string;
}

/** The first fault that hit each shard's primary. */
function shardFaults(events: readonly JournalEvent[], nodes: NodeRef[]): ShardFault[] {
  const out = new Map<number, ShardFault>();
  for (const f of ofType(events, 'fault.inject').sort((a, b) => a.t - b.t)) {
    if (f.role !== 'primary') continue;
    for (const shard of f.shards ?? []) {
      if (out.has(shard)) continue;
      const hit = f.nodes.find((name) => nodes.find((n) => n.name === name)?.shard === shard);
      if (hit) out.set(shard, { shard, t0: f.t, fault: f, oldPrimary: hit });
    }
  }
  return [...out.values()].sort((a, b) => a.shard - b.shard);
}

/** Total time within [from, to) during which at least one node reported cluster_state:fail. */
function clusterDownTime(events: readonly JournalEvent[], from: number, to: number): number {
  const logged = ofType(events, 'cluster.log').filter((e) => e.event === 'state-fail' || e.event === 'state-ok');
  const changes: { t: number; node: string; down: boolean }[] =
    logged.length > 0
      ? logged.map((e) => ({ t: e.t, node: e.node, down: e.event === 'state-fail' }))
      : ofType(events, 'cluster.state').map((e) => ({ t: e.t, node: e.node, down: e.state === 'fail' }));
  const down = new Set<string>();
  let total = 0;
  let downSince: number | null = null;
  for (const c of [...changes].sort((a, b) => a.t - b.t)) {
    const wasDown = down.size > 0;
    if (c.down) down.add(c.node);
    else down.delete(c.node);
    if (!wasDown && down.size > 0) downSince = c.t;
    if (wasDown && down.size === 0 && downSince !== null) {
      total += Math.max(0, Math.min(c.t, to) - Math.max(downSince, from));
      downSince = null;
    }
  }
  if (downSince !== null) total += Math.max(0, to - Math.max(downSince, from));
  return total;
}

export function analyzeCluster(input: AnalysisInput): ModeMetrics {
  const events = [...input.events].sort((a, b) => a.t - b.t);
  const deployment = deploymentOf(events);
  const nodes = deployment?.nodes ?? [];
  const shardCount = Object.keys(deployment?.slots ?? {}).length || Math.max(0, ...nodes.map((n) => n.shard ?? 0));
  const writerShards = ofType(events, 'load.start')[0]?.writerShards ?? [];
  const faults = shardFaults(events, nodes);
  const anchor = faults[0];
  const t0 = anchor?.t0 ?? ofType(events, 'fault.inject')[0]?.t ?? null;
  const window = loadWindow(events);
  const loadStop = window?.stop ?? Infinity;
  const verified = events.some((e) => e.type === 'verify.done');
  const logs = ofType(events, 'cluster.log');
  const views = ofType(events, 'cluster.view');

  const perShard: ShardMetrics[] = [];
  const steps: FailoverStep[] = [];
  const tallies: Tally[] = [];
  let splitBrain = 0;
  let splitBrainWindowMs: number | null = null;
  for (let shard = 1; shard <= shardCount; shard++) {
    const f = faults.find((x) => x.shard === shard);
    const rel = (t: number | undefined) => (t === undefined || !f ? null : round1(t - f.t0));
    const shardNodes = nodes.filter((n) => n.shard === shard).map((n) => n.name);
    const after = <T extends { t: number }>(list: T[]) => (f ? list.filter((e) => e.t >= f.t0) : []);
    const pfail = after(views).find((e) => e.subject === f?.oldPrimary && e.flags.split(',').includes('fail?'));
    const failLog = after(logs).find((e) => e.event === 'fail' && e.subject === f?.oldPrimary);
    const failPolled = after(views).find((e) => e.subject === f?.oldPrimary && e.flags.split(',').includes('fail'));
    const electionStart = after(logs).find((e) => e.event === 'failover-start' && shardNodes.includes(e.node));
    const won = after(logs).find((e) => e.event === 'election-won' && shardNodes.includes(e.node) && e.node !== f?.oldPrimary);
    const newPrimary = won?.node ?? null;
    const tally = tallyWrites({
      ledger: input.ledger,
      nodes,
      t0: f?.t0 ?? null,
      requiredReplicas: input.requiredReplicas,
      newPrimaries: new Set(newPrimary ? [nodeIndex(nodes, newPrimary)] : []),
      oldPrimary: nodeIndex(nodes, f?.oldPrimary),
      promotedAt: won?.t,
      verified,
      include: (w) => writerShards[w] === shard,
    });
    tallies.push(tally);
    splitBrain += tally.splitBrain;
    if (tally.splitBrainWindowMs !== null) splitBrainWindowMs = Math.max(splitBrainWindowMs ?? 0, tally.splitBrainWindowMs);
    // A shard no fault hit is still measured over the anchor fault's window: a cluster that goes down
    // (cluster-require-full-coverage) stalls every shard's writes.
    const from = f?.t0 ?? t0;
    const windowFault = f ?? anchor;
    const faultEnd = (windowFault && healOf(events, windowFault.fault.key)?.t) ?? loadStop;
    const gap = from === null ? null : longestGapOverlapping(tally.acks, from, faultEnd, window?.stop);
    const m: ShardMetrics = {
      shard,
      oldPrimary: f?.oldPrimary ?? nodes.find((n) => n.shard === shard)?.name ?? null,
      newPrimary,
      faulted: Boolean(f),
      pfailMs: rel(pfail?.t),
      detectionMs: rel((failLog ?? failPolled)?.t),
      failoverMs: rel(won?.t),
      rtoMs: f && tally.rtoAt !== null ? round1(tally.rtoAt - f.t0) : null,
      durableRtoMs: f && tally.durableRtoAt !== null ? round1(tally.durableRtoAt - f.t0) : null,
      writeUnavailableMs: gap === null ? null : round1(gap),
      writes: tally.writes,
      lostWrites: tally.lost,
    };
    perShard.push(m);
    if (f) {
      const okAgain = logs.find((e) => e.event === 'state-ok' && won && e.t >= won.t);
      steps.push(
        { label: `fault injected (t0): ${f.fault.description} -> ${f.oldPrimary}`, ms: 0, shard },
        { label: 'first node flags it PFAIL (polled)', ms: m.pfailMs, shard },
        { label: 'FAIL: a majority of primaries agree', ms: m.detectionMs, shard },
        { label: 'replica starts the election', ms: rel(electionStart?.t), shard },
        { label: `election won (${newPrimary ?? 'no replica'} promoted)`, ms: m.failoverMs, shard },
        { label: 'cluster_state:ok again', ms: rel(okAgain?.t), shard },
        { label: 'first write on the new primary (RTO)', ms: m.rtoMs, shard },
        { label: 'first durable write (WAIT met)', ms: m.durableRtoMs, shard },
      );
    }
  }

  const faulted = perShard.filter((s) => s.faulted);
  const overall = sumTallies(tallies, verified);
  // Several faulted shards: detection is the first of them, failover and RTO the slowest (all back).
  const relToT0 = (s: ShardMetrics, v: number | null) => (v === null || t0 === null ? null : round1(v + (faults.find((f) => f.shard === s.shard)!.t0 - t0)));
  const minOf = (vals: (number | null)[]) => (vals.some((v) => v !== null) ? Math.min(...vals.filter((v): v is number => v !== null)) : null);
  const maxOrNull = (vals: (number | null)[]) => (vals.length > 0 && vals.every((v) => v !== null) ? Math.max(...(vals as number[])) : null);
  const anchorShard = faulted[0];
  const acksAll = overall.acks;
  const anchorEnd = (anchor && healOf(events, anchor.fault.key)?.t) ?? loadStop;
  const anyFault = ofType(events, 'fault.inject')[0];

  return {
    mode: 'cluster',
    detectionMs: minOf(faulted.map((s) => relToT0(s, s.detectionMs))),
    odownMs: null,
    failoverMs: maxOrNull(faulted.map((s) => relToT0(s, s.failoverMs))),
    rtoMs: maxOrNull(faulted.map((s) => relToT0(s, s.rtoMs))),
    durableRtoMs: maxOrNull(faulted.map((s) => relToT0(s, s.durableRtoMs))),
    writeUnavailableMs: anchorShard ? anchorShard.writeUnavailableMs : t0 === null ? null : round1(longestGapOverlapping(acksAll, t0, (anyFault && healOf(events, anyFault.key)?.t) ?? anchorEnd, window?.stop) ?? 0),
    writes: overall.writes,
    lostWrites: overall.lost,
    durableNote: tallies[0]?.durableNote ?? null,
    recoveredWrites: overall.recovered,
    verifiedAgainst: ofType(events, 'verify.done')[0]?.node ?? null,
    unexpectedWrites: overall.unexpected,
    splitBrainWrites: splitBrain,
    splitBrainWindowMs,
    failovers: logs.filter((e) => e.event === 'election-won' && (t0 === null || e.t >= t0)).length,
    sdownEvents: 0,
    resync: resyncAfterHeal(events, nodes),
    promotedMostUpToDate: anchorShard ? promotedWasMostUpToDate(events, anchorShard.newPrimary, nodes.filter((n) => n.shard === anchorShard.shard).map((n) => n.name)) : null,
    oldPrimary: anchorShard?.oldPrimary ?? null,
    newPrimary: anchorShard?.newPrimary ?? null,
    phases: anchorShard
      ? { pfail: anchorShard.pfailMs, fail: anchorShard.detectionMs, electionWon: anchorShard.failoverMs, rto: anchorShard.rtoMs }
      : {},
    steps,
    perSentinel: {},
    findings: [],
    crossCheck: anchorShard
      ? clusterCrossCheck(events, anchor?.fault, { detectionMs: anchorShard.detectionMs, failoverMs: anchorShard.failoverMs }, anchorShard.oldPrimary, anchorShard.newPrimary)
      : null,
    pfailMs: minOf(faulted.map((s) => relToT0(s, s.pfailMs))),
    clusterDownMs: t0 === null ? null : round1(clusterDownTime(events, t0, loadStop)),
    shards: perShard,
    failuresByReason: overall.failuresByReason,
    lostSample: tallies.flatMap((t) => t.lostSample).slice(0, 20),
  };
}

/** The shards' tallies added up (acks merged in time order). */
function sumTallies(tallies: Tally[], verified: boolean): Pick<Tally, 'writes' | 'lost' | 'recovered' | 'unexpected' | 'failuresByReason' | 'acks'> {
  const writes = { attempted: 0, acknowledged: 0, failed: 0, indeterminate: 0, noreplicas: 0, oom: 0, misconf: 0 };
  const failuresByReason: Record<string, number> = {};
  let lostTotal = 0;
  let lostDurable: number | null = 0;
  let recovered = 0;
  let unexpected = 0;
  for (const t of tallies) {
    for (const k of Object.keys(writes) as (keyof typeof writes)[]) writes[k] += t.writes[k];
    for (const [r, n] of Object.entries(t.failuresByReason)) failuresByReason[r] = (failuresByReason[r] ?? 0) + n;
    lostTotal += t.lost.total ?? 0;
    lostDurable = t.lost.durable === null || lostDurable === null ? null : lostDurable + t.lost.durable;
    recovered += t.recovered ?? 0;
    unexpected += t.unexpected;
  }
  const merged = mergeRuns(tallies.map((t) => t.acks));
  return {
    writes,
    lost: verified ? { total: lostTotal, durable: lostDurable, unconfirmed: lostTotal - (lostDurable ?? 0) } : { total: null, durable: null, unconfirmed: null },
    recovered: verified ? recovered : null,
    unexpected,
    failuresByReason,
    acks: merged,
  };
}
