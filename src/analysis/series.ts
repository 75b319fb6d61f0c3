/**
 * Time series and latency distributions for reports, computed from the ledger and journal (pure). They
 * are aggregated into at most MAX_BUCKETS time buckets, so a 10-minute drill at full rate still yields a
 * small result.json and report: nothing per operation is kept.
 */
import * as hdr from 'hdr-histogram-js';
import type { JournalEvent } from '../record/events.ts';
import { ofType } from '../record/events.ts';
import { anchorFault, healOf, loadWindow, nodeIndex, nodesOf } from '../record/anchors.ts';
import { outcomeOf, type Ledger } from '../record/ledger.ts';
import type { Bucket, FaultBand, LatencySummary, Series } from '../record/result.ts';

const MAX_BUCKETS = 240;
const PERCENTILES = [50, 90, 99, 99.9] as const;

export type { Series } from '../record/result.ts';

function newHistogram(): hdr.Histogram {
  // Microseconds, 1 µs to 1 h, 2 significant digits: ~1% error, a few KB each.
  return hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: 2 });
}

function summarize(h: hdr.Histogram): LatencySummary {
  if (h.totalCount === 0) return { count: 0, p50: null, p90: null, p99: null, p999: null, max: null, curve: [] };
  const at = (p: number) => h.getValueAtPercentile(p) / 1000;
  const curve: [number, number][] = [0, 10, 25, 50, 75, 90, 95, 99, 99.5, 99.9, 99.99, 100].map((p) => [p, at(p)]);
  return { count: h.totalCount, p50: at(PERCENTILES[0]), p90: at(PERCENTILES[1]), p99: at(PERCENTILES[2]), p999: at(PERCENTILES[3]), max: h.maxValue / 1000, curve };
}

export function computeSeries(events: JournalEvent[], ledger: Ledger): Series {
  const window = loadWindow(events);
  const loadStart = window?.start ?? 0;
  const loadStop = window?.stop ?? loadStart;
  const loadMs = Math.max(1, loadStop - loadStart);
  const bucketMs = niceBucket(loadMs / MAX_BUCKETS);
  const n = Math.ceil(loadMs / bucketMs) + 1;
  const ok = new Uint32Array(n);
  const fail = new Uint32Array(n);
  const ind = new Uint32Array(n);

  const injects = ofType(events, 'fault.inject').sort((a, b) => a.t - b.t);
  const faults: FaultBand[] = injects.map((e) => {
    const heal = healOf(events, e.key);
    return { key: e.key, label: e.description ?? e.kind, from: e.t - loadStart, to: (heal?.t ?? loadStop) - loadStart, healed: Boolean(heal) };
  });
  const anchor = anchorFault(events);
  const t0 = anchor ? anchor.t - loadStart : null;
  const during = anchor ? { from: anchor.t - loadStart, to: recoveryPoint(events, ledger, anchor, loadStop) - loadStart } : null;

  // Per write, only array increments (a 10-minute drill has ~12 M writes): exact µs counts per window,
  // fed to hdr-histogram afterwards with their counts, and log-spaced bins per time bucket for the
  // p50/p99 lines (about 2% resolution, plenty for a chart).
  const windows = [new ExactCounts(), new ExactCounts(), new ExactCounts()];
  const bins = new Uint32Array(n * LOG_BINS);
  for (const w of ledger.writers) {
    for (let i = 0; i < w.length; i++) {
      const end = w.start[i] + w.latency[i] - loadStart;
      const b = Math.min(n - 1, Math.max(0, Math.floor(end / bucketMs)));
      const outcome = outcomeOf(w.code[i]);
      if (outcome !== 'ok') {
        if (outcome === 'fail') fail[b]++;
        else ind[b]++;
        continue;
      }
      ok[b]++;
      const us = Math.max(1, Math.round(w.latency[i] * 1000));
      bins[b * LOG_BINS + logBin(us)]++;
      const start = w.start[i] - loadStart;
      windows[during === null || start < during.from ? 0 : start < during.to ? 1 : 2].add(us);
    }
  }
  const buckets: Bucket[] = [];
  for (let b = 0; b < n; b++) {
    const row = bins.subarray(b * LOG_BINS, (b + 1) * LOG_BINS);
    buckets.push({ t: b * bucketMs, ok: ok[b], fail: fail[b], indeterminate: ind[b], p50: binPercentile(row, ok[b], 50), p99: binPercentile(row, ok[b], 99) });
  }
  const [before, inFault, after] = windows.map((c) => c.toHistogram());
  const latency = { before: summarize(before), during: summarize(inFault), after: summarize(after) };
  for (const h of [before, inFault, after]) h.destroy();
  return { bucketMs, loadMs, t0, buckets, faults, latency, during };
}

const LOG_BINS = 160;
/** Log-spaced latency bins: 1 µs to ~1 h, 20 bins per decade. */
function logBin(us: number): number {
  return Math.min(LOG_BINS - 1, Math.floor(Math.log10(us) * 20));
}

function binPercentile(row: Uint32Array, total: number, p: number): number | null {
  if (total === 0) return null;
  const rank = Math.ceil((p / 100) * total);
  let seen = 0;
  for (let i = 0; i < row.length; i++) {
    seen += row[i];
    if (seen >= rank) return 10 ** ((i + 0.5) / 20) / 1000; // bin centre, in ms
  }
  return null;
}

/** Exact counts per microsecond up to 1 s (beyond: recorded one by one), then one hdr histogram. */
class ExactCounts {
  private counts = new Uint32Array(1_000_000);
  private overflow: number[] = [];

  add(us: number): void {
    if (us < this.counts.length) this.counts[us]++;
    else this.overflow.push(us);
  }

  toHistogram(): hdr.Histogram {
    const h = newHistogram();
    for (let us = 0; us < this.counts.length; us++) if (this.counts[us] > 0) h.recordValueWithCount(us, this.counts[us]);
    for (const us of this.overflow) h.recordValue(us);
    return h;
  }
}

/**
 * When the primary fault was over for clients: its heal; else the first write acknowledged by another
 * node after the fault (the new primary); else the end of the load.
 */
function recoveryPoint(events: JournalEvent[], ledger: Ledger, fault: { t: number; key: string; node: string | null }, loadStop: number): number {
  const heal = healOf(events, fault.key);
  if (heal) return heal.t;
  const faulted = nodeIndex(nodesOf(events), fault.node);
  let first = Infinity;
  for (const w of ledger.writers) {
    for (let i = 0; i < w.length; i++) {
      if (outcomeOf(w.code[i]) === 'ok' && w.start[i] > fault.t && w.node[i] !== faulted) {
        first = Math.min(first, w.start[i] + w.latency[i]);
        break; // rows are in time order per writer
      }
    }
  }
  return Number.isFinite(first) ? first : loadStop;
}

/** Rounds up to 100 ms, 250 ms, 500 ms, 1 s, 2 s, 5 s, ... so axis ticks stay readable. */
function niceBucket(ms: number): number {
  const steps = [100, 250, 500, 1000, 2000, 2500, 5000, 10_000, 15_000, 30_000, 60_000];
  return steps.find((s) => s >= ms) ?? Math.ceil(ms / 60_000) * 60_000;
}
