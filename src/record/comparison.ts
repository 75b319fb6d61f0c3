/**
 * The comparison contract (result.json `comparison`): a run's metrics against an earlier run's (the
 * baseline), metric by metric, each with the tolerance it was judged by and whether it regressed.
 */

/** Which way is worse: a higher RTO, a lower throughput, any change in the failover count; info: shown, never judged. */
export type Direction = 'lower-is-better' | 'higher-is-better' | 'exact' | 'info';

/** Which number of each side was compared: a single run's value, or a percentile over repeats. */
export type ComparedStat = 'value' | 'p50' | 'p95';

export interface Tolerance {
  direction: Direction;
  /** Slack as a fraction of the baseline value (0.2: 20 %). */
  relative: number;
  /** Slack in the metric's own unit (ms, writes, writes/s), added to the relative slack. */
  absolute: number;
  /** Where the defaults were overridden: the scenario's regression.tolerance. */
  from: 'default' | 'scenario';
}

export interface ComparisonRow {
  metric: string;
  /** ms, writes, writes/s. */
  unit: string;
  stat: ComparedStat;
  baseline: number | null;
  current: number | null;
  /** current - baseline; null when either is null. */
  delta: number | null;
  tolerance: Tolerance;
  /** The baseline plus its slack, in words: "<= 1875", ">= 700", "1 ± 0"; null when not judged. */
  limit: string | null;
  regression: boolean;
  /** Why, when the numbers alone do not say (a metric that never happened, runs missing a value). */
  note?: string;
}

export interface BaselineRef {
  /** The file the baseline numbers came from. */
  source: string;
  kind: 'result' | 'suite' | 'summary';
  scenario: string;
  /** Runs behind the baseline's numbers (1 for a single run). */
  runs: number;
  runId: string | null;
  startedAt: string | null;
}

export interface Comparison {
  /** null when the baseline held no run of this scenario (a drill new to the suite): nothing compared. */
  baseline: BaselineRef | null;
  /** Runs behind the current numbers. */
  currentRuns: number;
  /** How the two sides were compared: single values, p50 and p95 of repeats, or one run against the other side's p50. */
  basis: 'single runs' | 'p50 and p95 of repeats' | 'single run against p50 of repeats';
  rows: ComparisonRow[];
  /** "rtoMs" or "rtoMs p95": every row that regressed. */
  regressions: string[];
  /** Metrics present on one side only (e.g. a summary that does not carry them). */
  notCompared: string[];
  note: string | null;
}
