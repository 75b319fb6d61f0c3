/**
 * Statistics over repeated runs (pure): each metric summarised as min / p50 / p95 / max with the count of
 * runs that produced a number. Percentiles are nearest-rank (the value at rank ceil(p/100 x n) of the
 * sorted values): always one of the measured values, never an interpolation between two runs, so every
 * number in a summary can be traced back to the run that measured it.
 */
import { METRIC_NAMES, type MetricName, type Metrics, type SummaryStat } from '../record/metrics.ts';
import { metricValue } from './expectations.ts';

export interface MetricStats {
  /** Runs that produced a number for this metric (a run where the event never happened does not count). */
  runs: number;
  /** null when no run produced a number. */
  min: number | null;
  p50: number | null;
  p95: number | null;
  max: number | null;
}

/** The nearest-rank p-th percentile (0 < p <= 100) of values sorted ascending; null for none. */
export function nearestRank(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  if (!(p > 0 && p <= 100)) throw new RangeError(`percentile ${p} is not in (0, 100]`);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

/** min / p50 / p95 / max of the numbers among `values` (nulls are runs without a number). */
export function statsOf(values: readonly (number | null)[]): MetricStats {
  const sorted = values.filter((v): v is number => typeof v === 'number' && Number.isFinite(v)).sort((a, b) => a - b);
  return { runs: sorted.length, min: sorted[0] ?? null, p50: nearestRank(sorted, 50), p95: nearestRank(sorted, 95), max: sorted.at(-1) ?? null };
}

/** Every metric name summarised over the runs' metrics (a run without metrics, e.g. one that errored, counts for none). */
export function summarizeMetrics(runs: readonly (Metrics | null)[]): Record<MetricName, MetricStats> {
  const out = {} as Record<MetricName, MetricStats>;
  for (const name of METRIC_NAMES) out[name] = statsOf(runs.map((m) => (m ? metricValue(m, name) : null)));
  return out;
}

export function statValue(stats: MetricStats, stat: SummaryStat): number | null {
  return stats[stat];
}
