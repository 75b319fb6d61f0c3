/**
 * One side of a comparison: the comparable numbers of a drill, from a single run (its result) or from
 * repeats (a repeat summary's min / p50 / p95 / max per metric). A single run is a sample whose p50
 * and p95 are its one value, so both kinds compare the same way.
 */
import type { DrillResult } from '../record/result.ts';
import type { BaselineRef } from '../record/comparison.ts';
import { COMPARABLE_METRICS } from './catalogue.ts';

export interface SampleStat {
  /** Runs that had a value (a time that never happened, or a count that could not be known, has none). */
  runs: number;
  p50: number | null;
  p95: number | null;
}

export interface MetricSample {
  scenario: string;
  /** The file the numbers came from. */
  source: string;
  kind: BaselineRef['kind'];
  /** Runs behind the numbers. */
  runs: number;
  /** True when the numbers are percentiles over more than one run. */
  repeated: boolean;
  runId: string | null;
  startedAt: string | null;
  /** By comparable metric name; a metric the source does not carry is absent. */
  metrics: Record<string, SampleStat>;
}

/** `--repeat N`'s summary.json: each metric summarised over the runs. */
export interface RepeatSummary {
  kind: 'repeat-summary';
  scenario: string;
  runs: number;
  verdict?: string;
  runDirs?: string[];
  startedAt?: string;
  metrics: Record<string, { runs: number; min: number | null; p50: number | null; p95: number | null; max: number | null }>;
}

export function sampleOfResult(r: DrillResult, source: string, kind: BaselineRef['kind'] = 'result'): MetricSample {
  const metrics: Record<string, SampleStat> = {};
  for (const m of COMPARABLE_METRICS) {
    const v = m.of(r);
    metrics[m.name] = { runs: v === null ? 0 : 1, p50: v, p95: v };
  }
  return { scenario: r.scenario, source, kind, runs: 1, repeated: false, runId: r.runId ?? null, startedAt: r.startedAt ?? null, metrics };
}

export function sampleOfSummary(s: RepeatSummary, source: string, kind: BaselineRef['kind'] = 'summary'): MetricSample {
  const metrics: Record<string, SampleStat> = {};
  for (const [name, st] of Object.entries(s.metrics)) metrics[name] = { runs: st.runs, p50: st.p50, p95: st.p95 };
  return { scenario: s.scenario, source, kind, runs: s.runs, repeated: s.runs > 1, runId: null, startedAt: s.startedAt ?? null, metrics };
}

export function baselineRef(s: MetricSample): BaselineRef {
  return { source: s.source, kind: s.kind, scenario: s.scenario, runs: s.runs, runId: s.runId, startedAt: s.startedAt };
}
