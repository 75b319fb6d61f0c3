/**
 * Journal + ledger -> metrics. Pure: no I/O, no clocks, so it runs the same on a live drill, on a saved
 * run, and on synthetic journals in tests. Every time is ms relative to t0, the first fault that hit a
 * primary; null when the event never happened.
 */
import type { JournalEvent } from '../journal/journal.ts';
import { CODE_NAMES, Code, Final, NODE_UNKNOWN, WAIT_UNKNOWN, type Ledger } from '../workload/ledger.ts';

export interface NodeRef {
  name: string;
  kind: string;
  ip: string;
  port: number;
}

export interface LostWrite {
  key: string;
  ackedAtMs: number;
  node: string | null;
  wait: number | null;
  durable: boolean;
}

export interface Metrics {
  detectionMs: number | null;
  odownMs: number | null;
  failoverMs: number | null;
  rtoMs: number | null;
  durableRtoMs: number | null;
  writeUnavailableMs: number | null;
  writes: { attempted: number; acknowledged: number; failed: number; indeterminate: number; noreplicas: number };
  /** null when the run could not verify (no converged primary to read from): unknown, not zero. */
  lostWrites: { total: number | null; durable: number | null; unconfirmed: number | null };
  recoveredWrites: number | null;
  /** Where verification read the final state, or null when it could not. */
  verifiedAgainst: string | null;
  /** Writes that failed definitely but are present anyway (should be 0; a harness or server bug otherwise). */
  unexpectedWrites: number;
  splitBrainWrites: number;
  splitBrainWindowMs: number | null;
  failovers: number;
  sdownEvents: number;
  /** For the first replica brought back by a heal: how it resynced and how long it took. */
  resync: { node: string; catchUpMs: number | null; full: number; partial: number } | null;
  /** Was the promoted replica the one with the highest offset when the fault hit? null when unknown. */
  promotedMostUpToDate: boolean | null;
  oldPrimary: string | null;
  newPrimary: string | null;
  /** Sentinel's failover steps, ms after t0. */
  phases: Record<string, number | null>;
  /** Per sentinel: its own +sdown and +odown, ms after t0. */
  perSentinel: Record<string, { sdownMs: number | null; odownMs: number | null }>;
  failuresByReason: Record<string, number>;
  lostSample: LostWrite[];
}

export interface AnalysisInput {
  events: JournalEvent[];
  ledger: Ledger;
  masterName: string;
  /** WAIT's replica count: a write is durable when its WAIT reply reached it. */
  requiredReplicas: number;
}

const SAMPLE_SIZE = 20;

export function nodesOf(events: JournalEvent[]): NodeRef[] {
  const e = events.find((ev) => ev.type === 'topology.nodes');
  return (e?.nodes as NodeRef[] | undefined) ?? [];
}

export function analyze(input: AnalysisInput): Metrics {
  const events = [...input.events].sort((a, b) => a.t - b.t);
  const nodes = nodesOf(events);
  const nodeAt = (ip: string, port: number) => nodes.find((n) => n.ip === ip && Number(n.port) === port)?.name ?? `${ip}:${port}`;
  const primaryFault = events.find((e) => e.type === 'fault.inject' && e.role === 'primary');
  const t0 = primaryFault?.t ?? null;
  const oldPrimary = (primaryFault?.node as string | undefined) ?? null;
  const oldPrimaryIp = oldPrimary ? nodes.find((n) => n.name === oldPrimary)?.ip : undefined;
  const rel = (t: number | undefined) => (t === undefined || t0 === null ? null : round1(t - t0));

  const sentinelEvents = sentinelEventsOf(events).filter((e) => t0 === null || e.t >= t0);
  const aboutOldPrimary = (e: JournalEvent) => {
    const words = String(e.message).split(' ');
    return words[0] === 'master' && words[1] === input.masterName && words[2] === oldPrimaryIp;
  };
  const first = (channel: string, pred: (e: JournalEvent) => boolean = () => true) =>
    sentinelEvents.find((e) => e.channel === channel && pred(e));

  const switchMaster = first('+switch-master', (e) => String(e.message).split(' ')[1] === oldPrimaryIp);
  let newPrimary: string | null = null;
  let switchAt: number | undefined;
  if (switchMaster && oldPrimaryIp) {
    const [, , , newIp, newPort] = String(switchMaster.message).split(' ');
    newPrimary = nodeAt(newIp, Number(newPort));
    switchAt = switchMaster.t;
  }
  const reconfDone = sentinelEvents.filter((e) => e.channel === '+slave-reconf-done');
  const phases: Record<string, number | null> = {
    sdown: rel(first('+sdown', aboutOldPrimary)?.t),
    odown: rel(first('+odown', aboutOldPrimary)?.t),
    tryFailover: rel(first('+try-failover', aboutOldPrimary)?.t),
    electedLeader: rel(first('+elected-leader', aboutOldPrimary)?.t),
    selectedReplica: rel(first('+selected-slave')?.t),
    promotedReplica: rel(first('+promoted-slave')?.t),
    switchMaster: rel(switchAt),
    replicasReconfigured: rel(reconfDone.length > 0 ? reconfDone[reconfDone.length - 1].t : undefined),
  };

  const perSentinel: Metrics['perSentinel'] = {};
  for (const s of nodes.filter((n) => n.kind === 'sentinel')) {
    const mine = (channel: string) => sentinelEvents.find((e) => e.node === s.name && e.channel === channel && aboutOldPrimary(e));
    perSentinel[s.name] = { sdownMs: rel(mine('+sdown')?.t), odownMs: rel(mine('+odown')?.t) };
  }

  // --- writes ---
  const required = input.requiredReplicas;
  const newPrimaryIndex = newPrimary ? nodes.findIndex((n) => n.name === newPrimary) : -1;
  const oldPrimaryIndex = oldPrimary ? nodes.findIndex((n) => n.name === oldPrimary) : -1;
  const writes = { attempted: 0, acknowledged: 0, failed: 0, indeterminate: 0, noreplicas: 0 };
  const lost = { total: 0, durable: 0, unconfirmed: 0 };
  const failuresByReason: Record<string, number> = {};
  const lostSample: LostWrite[] = [];
  let recovered = 0;
  let unexpected = 0;
  let splitBrain = 0;
  let lastOldPrimaryAck = -Infinity;
  let rtoAt = Infinity;
  let durableRtoAt = Infinity;
  // Each writer's acknowledgements are in time order (one write at a time): merge, do not sort.
  const acks = mergeSortedAcks(input.ledger);
  for (const w of input.ledger.writers) {
    for (let i = 0; i < w.length; i++) {
      writes.attempted++;
      const code = w.code[i];
      const end = w.start[i] + w.latency[i];
      const final = w.final[i];
      if (code === Code.ok) {
        writes.acknowledged++;
        const node = w.node[i];
        const durable = w.wait[i] !== WAIT_UNKNOWN && w.wait[i] >= required;
        if (t0 !== null && end >= t0 && node === newPrimaryIndex) {
          if (end < rtoAt) rtoAt = end;
          if (durable && end < durableRtoAt) durableRtoAt = end;
        }
        if (switchAt !== undefined && node === oldPrimaryIndex && end > switchAt) {
          splitBrain++;
          if (end > lastOldPrimaryAck) lastOldPrimaryAck = end;
        }
        if (final === Final.absent || final === Final.otherValue) {
          lost.total++;
          if (durable) lost.durable++;
          else lost.unconfirmed++;
          if (lostSample.length < SAMPLE_SIZE) {
            lostSample.push({
              key: `fd:${w.writer}:${i}`,
              ackedAtMs: round1(t0 === null ? end : end - t0),
              node: node === NODE_UNKNOWN ? null : (nodes[node]?.name ?? null),
              wait: w.wait[i] === WAIT_UNKNOWN ? null : w.wait[i],
              durable,
            });
          }
        }
      } else {
        const reason = CODE_NAMES[code] ?? 'unknown';
        failuresByReason[reason] = (failuresByReason[reason] ?? 0) + 1;
        if (code === Code.noreplicas) writes.noreplicas++;
        if (code <= Code.replyError) {
          writes.failed++;
          if (final === Final.present) unexpected++;
        } else {
          writes.indeterminate++;
          if (final === Final.present) recovered++;
        }
      }
    }
  }

  const loadStop = events.find((e) => e.type === 'load.stop')?.t;
  const verifyDone = events.find((e) => e.type === 'verify.done');
  const verifiedAgainst = verifyDone ? String(verifyDone.node) : null;
  const faultEnd = events.find((e) => e.type === 'fault.heal' && e.key === primaryFault?.key && !e.skipped)?.t ?? loadStop ?? Infinity;
  const gap = t0 === null ? null : longestGapOverlapping(acks, t0, faultEnd, loadStop);
  const writeUnavailableMs = gap === null ? null : round1(gap);

  return {
    detectionMs: phases.sdown,
    odownMs: phases.odown,
    failoverMs: phases.switchMaster,
    rtoMs: Number.isFinite(rtoAt) ? round1(rtoAt - (t0 as number)) : null,
    durableRtoMs: Number.isFinite(durableRtoAt) ? round1(durableRtoAt - (t0 as number)) : null,
    writeUnavailableMs,
    writes,
    lostWrites: verifiedAgainst === null ? { total: null, durable: null, unconfirmed: null } : lost,
    recoveredWrites: verifiedAgainst === null ? null : recovered,
    verifiedAgainst,
    unexpectedWrites: unexpected,
    splitBrainWrites: splitBrain,
    splitBrainWindowMs: switchAt !== undefined && Number.isFinite(lastOldPrimaryAck) ? round1(lastOldPrimaryAck - switchAt) : null,
    failovers: countFailovers(sentinelEvents),
    sdownEvents: sentinelEvents.filter((e) => e.channel === '+sdown' && isMasterEvent(e, input.masterName)).length,
    resync: resyncAfterHeal(events, nodes),
    promotedMostUpToDate: promotedWasMostUpToDate(events, newPrimary),
    oldPrimary,
    newPrimary,
    phases,
    perSentinel,
    failuresByReason,
    lostSample,
  };
}

/**
 * Sentinel events, from the sentinels' own logs when the run saved them (authoritative, and complete even
 * when a partition cut the harness's pub/sub connections), else from the live pub/sub tap.
 */
export function sentinelEventsOf(events: JournalEvent[]): JournalEvent[] {
  const fromLogs = events.filter((e) => e.type === 'sentinel.log');
  if (fromLogs.length === 0) return events.filter((e) => e.type === 'sentinel.event');
  return fromLogs.map((e) => ({ ...e, type: 'sentinel.event', channel: e.event, message: e.detail, source: 'log' }));
}

function isMasterEvent(e: JournalEvent, masterName: string): boolean {
  const words = String(e.message).split(' ');
  return words[0] === 'master' && words[1] === masterName;
}

/** Each sentinel announces the same switch; count distinct announcements (a switch back counts again). */
function countFailovers(sentinelEvents: JournalEvent[]): number {
  let count = 0;
  let last: { message: string; t: number } | undefined;
  for (const e of sentinelEvents) {
    if (e.channel !== '+switch-master') continue;
    const message = String(e.message);
    // The same announcement from other sentinels arrives within their hello period (~2 s).
    if (!last || last.message !== message || e.t - last.t > 5000) count++;
    last = { message, t: e.t };
  }
  return count;
}

/**
 * For the first data node that a heal brought back as a replica: time from the heal until its link to
 * the primary is up, and the resyncs the primary served meanwhile.
 */
function resyncAfterHeal(events: JournalEvent[], nodes: NodeRef[]): Metrics['resync'] {
  const dataNames = new Set(nodes.filter((n) => n.kind === 'data').map((n) => n.name));
  const inject = events.find((e) => e.type === 'fault.inject' && e.role === 'replica' && dataNames.has(String(e.node)));
  const heal = inject && events.find((e) => e.type === 'fault.heal' && e.key === inject.key && !e.skipped);
  if (!inject || !heal) return null;
  const node = String(inject.node);
  const up = events.find((e) => e.type === 'replication.state' && e.node === node && e.t >= heal.t && e.role === 'slave' && e.link === 'up');
  const before = lastSyncCounters(events, heal.t);
  const after = lastSyncCounters(events, up?.t ?? Infinity);
  return {
    node,
    catchUpMs: up ? round1(up.t - heal.t) : null,
    full: Math.max(0, after.full - before.full),
    partial: Math.max(0, after.partial - before.partial),
  };
}

/** Sum over nodes of their latest resync counters at time t. */
function lastSyncCounters(events: JournalEvent[], t: number): { full: number; partial: number } {
  const latest = new Map<string, JournalEvent>();
  for (const e of events) if (e.type === 'replication.sync' && e.t <= t) latest.set(String(e.node), e);
  let full = 0;
  let partial = 0;
  for (const e of latest.values()) {
    full += Number(e.syncFull);
    partial += Number(e.syncPartialOk);
  }
  return { full, partial };
}

function promotedWasMostUpToDate(events: JournalEvent[], newPrimary: string | null): boolean | null {
  const snap = events.find((e) => e.type === 'replication.snapshot');
  const offsets = snap?.offsets as Record<string, number> | undefined;
  if (!newPrimary || !offsets || !(newPrimary in offsets)) return null;
  const best = Math.max(...Object.values(offsets));
  return offsets[newPrimary] >= best;
}

function isAscending(a: Float64Array): boolean {
  for (let i = 1; i < a.length; i++) if (a[i] < a[i - 1]) return false;
  return true;
}

/** Metrics are reported to 0.1 ms: the clocks are not better than that end to end. */
function round1(ms: number): number {
  return Math.round(ms * 10) / 10;
}

/** Acknowledgement times of all writers in one ascending array (k-way merge of per-writer runs). */
export function mergeSortedAcks(ledger: Ledger): Float64Array {
  const runs: Float64Array[] = ledger.writers.map((w) => {
    const out = new Float64Array(w.length);
    let k = 0;
    for (let i = 0; i < w.length; i++) if (w.code[i] === Code.ok) out[k++] = w.start[i] + w.latency[i];
    return out.subarray(0, k);
  });
  let merged: Float64Array = new Float64Array(0);
  // Pairwise merging: log2(writers) passes over the data.
  let queue: Float64Array[] = runs;
  while (queue.length > 1) {
    const next: Float64Array[] = [];
    for (let i = 0; i < queue.length; i += 2) next.push(i + 1 < queue.length ? mergeTwo(queue[i], queue[i + 1]) : queue[i]);
    queue = next;
  }
  merged = queue[0] ?? merged;
  return merged;
}

function mergeTwo(a: Float64Array, b: Float64Array): Float64Array {
  const out = new Float64Array(a.length + b.length);
  let i = 0;
  let j = 0;
  let k = 0;
  while (i < a.length && j < b.length) out[k++] = a[i] <= b[j] ? a[i++] : b[j++];
  while (i < a.length) out[k++] = a[i++];
  while (j < b.length) out[k++] = b[j++];
  return out;
}

/**
 * The longest span between consecutive acknowledgements that overlaps [faultStart, faultEnd). The end of
 * the load closes the last span, so a fault after which nothing was acknowledged again counts in full.
 */
export function longestGapOverlapping(ackTimes: Float64Array, faultStart: number, faultEnd: number, loadEnd?: number): number | null {
  if (ackTimes.length === 0 && loadEnd === undefined) return null;
  // Callers pass ascending times (mergeSortedAcks); sorting a sorted copy is cheap insurance for others.
  const sorted = isAscending(ackTimes) ? ackTimes : ackTimes.slice().sort();
  let longest = 0;
  let from = sorted.length > 0 ? sorted[0] : faultStart;
  const consider = (to: number) => {
    if (to > faultStart && from < faultEnd) longest = Math.max(longest, to - from);
    from = to;
  };
  for (let i = 1; i < sorted.length; i++) consider(sorted[i]);
  if (loadEnd !== undefined && loadEnd > from) consider(loadEnd);
  return longest;
}
