/**
 * The client's view, from the ledger alone (pure): writes by outcome, lost and recovered writes (Jepsen's
 * set checker: ok / lost / unexpected / recovered), when writes resumed on the new primary, the split-brain
 * window, and the longest span without an acknowledged write. Shared by every HA mode; cluster mode runs it
 * once per shard with a row filter.
 */
import { CODE_NAMES, Code, Final, NODE_UNKNOWN, WAIT_UNKNOWN, outcomeOf, type Ledger } from '../record/ledger.ts';
import type { NodeRef } from '../record/events.ts';
import type { LostCounts, LostWrite, WriteCounts } from '../record/metrics.ts';

const SAMPLE_SIZE = 20;

/** Without WAIT nothing was confirmed by a replica, so "durable" has no meaning: it is reported as null. */
export const NO_WAIT_NOTE = 'no WAIT in this drill (load.wait.replicas: 0): no write was confirmed by a replica, so none is durable; every lost write is unconfirmed';

export interface TallyInput {
  ledger: Ledger;
  nodes: NodeRef[];
  /** t0 on the journal's clock, or null without a fault. */
  t0: number | null;
  /** WAIT's replica count; 0 means no WAIT. */
  requiredReplicas: number;
  /** Ledger node indexes of the new primary (writes it acknowledged after t0 are the RTO). */
  newPrimaries: Set<number>;
  /** The old primary's index and when another node was promoted (split brain), if it was. */
  oldPrimary: number;
  promotedAt: number | undefined;
  /** Whether verification ran (lost writes are unknown otherwise). */
  verified: boolean;
  /** Only rows this says yes to (cluster: one shard). */
  include?: (writer: number, row: number) => boolean;
  /** Shard of a row, for the lost sample. */
  shardOf?: (writer: number, row: number) => number;
}

export interface Tally {
  writes: WriteCounts;
  lost: LostCounts;
  durableNote: string | null;
  recovered: number | null;
  unexpected: number;
  splitBrain: number;
  splitBrainWindowMs: number | null;
  /** Journal times of the first write acknowledged by a new primary after t0 (plain, and WAIT-confirmed). */
  rtoAt: number | null;
  durableRtoAt: number | null;
  failuresByReason: Record<string, number>;
  lostSample: LostWrite[];
  /** Every acknowledgement's time, ascending. */
  acks: Float64Array;
}

export function tallyWrites(input: TallyInput): Tally {
  const { ledger, t0, requiredReplicas: required, include } = input;
  const noWait = required === 0;
  const writes: WriteCounts = { attempted: 0, acknowledged: 0, failed: 0, indeterminate: 0, noreplicas: 0, oom: 0, misconf: 0 };
  let lostTotal = 0;
  let lostDurable = 0;
  let recovered = 0;
  let unexpected = 0;
  let splitBrain = 0;
  let lastOldPrimaryAck = -Infinity;
  let rtoAt = Infinity;
  let durableRtoAt = Infinity;
  const failuresByReason: Record<string, number> = {};
  const lostSample: LostWrite[] = [];
  const ackRuns: Float64Array[] = [];
  for (const w of ledger.writers) {
    const acks = new Float64Array(w.length);
    let k = 0;
    for (let i = 0; i < w.length; i++) {
      if (include && !include(w.writer, i)) continue;
      writes.attempted++;
      const code = w.code[i];
      const end = w.start[i] + w.latency[i];
      const final = w.final[i];
      const outcome = outcomeOf(code);
      if (outcome === 'ok') {
        writes.acknowledged++;
        acks[k++] = end;
        const node = w.node[i];
        const durable = !noWait && w.wait[i] !== WAIT_UNKNOWN && w.wait[i] >= required;
        if (t0 !== null && end >= t0 && input.newPrimaries.has(node)) {
          if (end < rtoAt) rtoAt = end;
          if (durable && end < durableRtoAt) durableRtoAt = end;
        }
        if (input.promotedAt !== undefined && node === input.oldPrimary && end > input.promotedAt) {
          splitBrain++;
          if (end > lastOldPrimaryAck) lastOldPrimaryAck = end;
        }
        if (final === Final.absent || final === Final.otherValue) {
          lostTotal++;
          if (durable) lostDurable++;
          if (lostSample.length < SAMPLE_SIZE) {
            lostSample.push({
              key: ledger.key(w.writer, i),
              ackedAtMs: round1(t0 === null ? end : end - t0),
              node: node === NODE_UNKNOWN ? null : (input.nodes[node]?.name ?? null),
              wait: w.wait[i] === WAIT_UNKNOWN ? null : w.wait[i],
              durable: noWait ? null : durable,
              ...(input.shardOf ? { shard: input.shardOf(w.writer, i) } : {}),
            });
          }
        }
      } else {
        const reason = CODE_NAMES[code] ?? 'unknown';
        failuresByReason[reason] = (failuresByReason[reason] ?? 0) + 1;
        if (code === Code.noreplicas) writes.noreplicas++;
        else if (code === Code.oom) writes.oom++;
        else if (code === Code.misconf) writes.misconf++;
        if (outcome === 'fail') {
          writes.failed++;
          if (final === Final.present) unexpected++;
        } else {
          writes.indeterminate++;
          if (final === Final.present) recovered++;
        }
      }
    }
    ackRuns.push(acks.subarray(0, k));
  }
  const verified = input.verified;
  return {
    writes,
    lost: !verified
      ? { total: null, durable: null, unconfirmed: null }
      : { total: lostTotal, durable: noWait ? null : lostDurable, unconfirmed: lostTotal - (noWait ? 0 : lostDurable) },
    durableNote: noWait ? NO_WAIT_NOTE : null,
    recovered: verified ? recovered : null,
    unexpected,
    splitBrain,
    splitBrainWindowMs: input.promotedAt !== undefined && Number.isFinite(lastOldPrimaryAck) ? round1(lastOldPrimaryAck - input.promotedAt) : null,
    rtoAt: Number.isFinite(rtoAt) ? rtoAt : null,
    durableRtoAt: Number.isFinite(durableRtoAt) ? durableRtoAt : null,
    failuresByReason,
    lostSample,
    acks: mergeRuns(ackRuns),
  };
}

/** Each writer's acknowledgements are in time order (one write at a time): merge, do not sort. */
export function mergeRuns(runs: Float64Array[]): Float64Array {
  let queue = runs;
  // Pairwise merging: log2(writers) passes over the data.
  while (queue.length > 1) {
    const next: Float64Array[] = [];
    for (let i = 0; i < queue.length; i += 2) next.push(i + 1 < queue.length ? mergeTwo(queue[i], queue[i + 1]) : queue[i]);
    queue = next;
  }
  return queue[0] ?? new Float64Array(0);
}

/** Acknowledgement times of all writers in one ascending array. */
export function mergeSortedAcks(ledger: Ledger): Float64Array {
  return mergeRuns(
    ledger.writers.map((w) => {
      const out = new Float64Array(w.length);
      let k = 0;
      for (let i = 0; i < w.length; i++) if (w.code[i] === Code.ok) out[k++] = w.start[i] + w.latency[i];
      return out.subarray(0, k);
    }),
  );
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

function isAscending(a: Float64Array): boolean {
  for (let i = 1; i < a.length; i++) if (a[i] < a[i - 1]) return false;
  return true;
}

/**
 * The longest span between consecutive acknowledgements that overlaps [faultStart, faultEnd). The end of
 * the load closes the last span, so a fault after which nothing was acknowledged again counts in full.
 */
export function longestGapOverlapping(ackTimes: Float64Array, faultStart: number, faultEnd: number, loadEnd?: number): number | null {
  if (ackTimes.length === 0 && loadEnd === undefined) return null;
  // Callers pass ascending times (mergeRuns); sorting a sorted copy is cheap insurance for others.
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

/** Metrics are reported to 0.1 ms: the clocks are not better than that end to end. */
export function round1(ms: number): number {
  return Math.round(ms * 10) / 10;
}
