/**
 * Which numbers a baseline comparison looks at, which way each one is worse, and how much noise each
 * is allowed by default. One list, shared by the scenario schema (regression.tolerance keys), the
 * comparison and the reports.
 *
 * The defaults are for drills on shared, noisy machines (CI runners): a timing may be 20 % + 500 ms
 * worse before it counts (Sentinel's own timers add ~100 ms, a busy host several hundred), while a
 * write that WAIT confirmed and was lost anyway is a regression however few (it should never happen).
 */
import type { DrillResult } from '../record/result.ts';
import type { Direction } from '../record/comparison.ts';
import { metricValue } from '../analysis/expectations.ts';
import type { MetricName } from '../record/metrics.ts';

/**
 * What a null means: `never` (the event did not happen: worse than any time when the baseline had one),
 * `unknown` (could not be measured, e.g. lost writes without a converged primary), `zero` (nothing to
 * count, e.g. no split brain).
 */
export type NullMeaning = 'never' | 'unknown' | 'zero';

export interface ComparableMetric {
  name: string;
  unit: 'ms' | 'writes' | 'writes/s' | 'events';
  direction: Direction;
  relative: number;
  absolute: number;
  nullMeans: NullMeaning;
  /** Shown in the terminal's table even when it did not regress. */
  headline?: boolean;
  of: (r: DrillResult) => number | null;
}

const metric = (name: MetricName) => (r: DrillResult) => (r.metrics ? metricValue(r.metrics, name) : null);
const timing = (name: MetricName, nullMeans: NullMeaning, headline = false): ComparableMetric => ({
  name, unit: 'ms', direction: 'lower-is-better', relative: 0.2, absolute: 500, nullMeans, headline, of: metric(name),
});
const count = (name: MetricName, direction: Direction, relative: number, absolute: number, headline = false): ComparableMetric => ({
  name, unit: 'writes', direction, relative, absolute, nullMeans: 'unknown', headline, of: metric(name),
});
// Sub-millisecond latencies on a shared host: p50 may grow 50 % + 1 ms, a p99 (a few slow writes) double + 5 ms.
const latency = (window: 'before' | 'during' | 'after', p: 'p50' | 'p99', headline = false): ComparableMetric => ({
  name: `latency.${window}.${p}`, unit: 'ms', direction: 'lower-is-better', relative: p === 'p50' ? 0.5 : 1, absolute: p === 'p50' ? 1 : 5, nullMeans: 'unknown', headline,
  of: (r) => r.series?.latency[window][p] ?? null,
});

export const COMPARABLE_METRICS: ComparableMetric[] = [
  timing('detectionMs', 'never', true),
  timing('odownMs', 'never'),
  timing('failoverMs', 'never', true),
  timing('rtoMs', 'never', true),
  timing('durableRtoMs', 'never', true),
  timing('writeUnavailableMs', 'unknown', true),
  timing('splitBrainWindowMs', 'zero'),
  timing('resync.catchUpMs', 'never'),
  timing('pfailMs', 'never'),
  timing('clusterDownMs', 'zero'),
  count('lostWrites.durable', 'lower-is-better', 0, 0, true),
  count('lostWrites.total', 'lower-is-better', 0.5, 10, true),
  count('lostWrites.unconfirmed', 'lower-is-better', 0.5, 10),
  { name: 'unexpectedWrites', unit: 'writes', direction: 'lower-is-better', relative: 0, absolute: 0, nullMeans: 'unknown', of: (r) => r.metrics?.unexpectedWrites ?? null },
  count('splitBrainWrites', 'lower-is-better', 0.5, 10),
  // Write counts scale with the pace the machine allows (an unlimited rate): shown, not judged; the
  // pace is judged as throughput, the outage as writeUnavailableMs.
  count('writes.attempted', 'info', 0, 0),
  count('writes.acknowledged', 'info', 0, 0),
  count('writes.failed', 'info', 0, 0),
  count('writes.indeterminate', 'info', 0, 0),
  count('writes.noreplicas', 'info', 0, 0),
  count('recoveredWrites', 'info', 0, 0),
  { ...count('failovers', 'exact', 0, 0), unit: 'events' },
  { ...count('sdownEvents', 'lower-is-better', 0.5, 2), unit: 'events' },
  { ...count('resync.full', 'lower-is-better', 0, 0), unit: 'events' },
  { ...count('resync.partial', 'info', 0, 0), unit: 'events' },
  // Measured here with 6 other drills on 2 cores: the same drill ran at 383 and 677 acknowledged/s.
  { name: 'throughput.acknowledgedPerSecond', unit: 'writes/s', direction: 'higher-is-better', relative: 0.5, absolute: 0, nullMeans: 'unknown', headline: true, of: (r) => r.metrics?.throughput?.acknowledgedPerSecond ?? null },
  { name: 'throughput.attemptedPerSecond', unit: 'writes/s', direction: 'higher-is-better', relative: 0.5, absolute: 0, nullMeans: 'unknown', of: (r) => r.metrics?.throughput?.attemptedPerSecond ?? null },
  latency('before', 'p50'),
  latency('before', 'p99', true),
  latency('during', 'p99'),
  latency('after', 'p50'),
  latency('after', 'p99'),
];

export const COMPARABLE_NAMES = COMPARABLE_METRICS.map((m) => m.name) as [string, ...string[]];

export function comparableMetric(name: string): ComparableMetric | undefined {
  return COMPARABLE_METRICS.find((m) => m.name === name);
}
