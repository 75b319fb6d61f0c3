/**
 * A run against its baseline, metric by metric (pure). Each metric is judged by its direction and its
 * tolerance (the catalogue's default or the scenario's override): it regressed when it is worse than
 * the baseline by more than |baseline| x relative + absolute. With repeats on both sides, p50 and p95 are
 * compared (the typical run and the bad tail); a single run against repeats is compared with their p50.
 */
import type { Comparison, ComparisonRow, ComparedStat, Tolerance } from '../record/comparison.ts';
import type { DrillResult } from '../record/result.ts';
import { COMPARABLE_METRICS, type ComparableMetric } from './catalogue.ts';
import type { RegressionSettings } from './schema.ts';
import { baselineRef, sampleOfResult, type MetricSample, type SampleStat } from './sample.ts';
import { fmt } from './table.ts';

export function toleranceFor(m: ComparableMetric, settings?: RegressionSettings): Tolerance {
  const o = settings?.tolerance[m.name];
  if (!o) return { direction: m.direction, relative: m.relative, absolute: m.absolute, from: 'default' };
  return {
    direction: o.ignore ? 'info' : m.direction,
    relative: o.relative ?? (o.absolute !== undefined ? 0 : m.relative),
    absolute: o.absolute ?? (o.relative !== undefined ? 0 : m.absolute),
    from: 'scenario',
  };
}

const round1 = (v: number) => Math.round(v * 10) / 10;

/** One number of each side, judged. */
export function judge(m: ComparableMetric, tolerance: Tolerance, stat: ComparedStat, baseline: number | null, current: number | null): ComparisonRow {
  const base = { metric: m.name, unit: m.unit, stat, tolerance };
  if (m.nullMeans === 'zero') {
    baseline ??= 0;
    current ??= 0;
  }
  const judged = tolerance.direction !== 'info';
  if (current === null || baseline === null) {
    const never = m.nullMeans === 'never';
    if (current === null && baseline !== null) {
      return { ...base, baseline, current, delta: null, limit: null, regression: judged, note: never ? 'never happened in this run (the baseline had it)' : 'could not be measured in this run (the baseline had a value)' };
    }
    return { ...base, baseline, current, delta: null, limit: null, regression: false, note: never ? 'never happened in the baseline' : 'not measured in the baseline' };
  }
  const delta = round1(current - baseline);
  const slack = round1(Math.abs(baseline) * tolerance.relative + tolerance.absolute);
  switch (tolerance.direction) {
    case 'lower-is-better':
      return { ...base, baseline, current, delta, limit: `<= ${fmt(baseline + slack, m.unit)}`, regression: delta > slack };
    case 'higher-is-better':
      return { ...base, baseline, current, delta, limit: `>= ${fmt(baseline - slack, m.unit)}`, regression: -delta > slack };
    case 'exact':
      return { ...base, baseline, current, delta, limit: `${fmt(baseline, m.unit)} ± ${fmt(slack, m.unit)}`, regression: Math.abs(delta) > slack };
    case 'info':
      return { ...base, baseline, current, delta, limit: null, regression: false };
  }
}

/** How the two sides' numbers are paired: which statistic of each. */
function pairing(baseline: MetricSample, current: MetricSample): { basis: Comparison['basis']; stats: [ComparedStat, keyof SampleStat][] } {
  if (baseline.repeated && current.repeated) return { basis: 'p50 and p95 of repeats', stats: [['p50', 'p50'], ['p95', 'p95']] };
  if (!baseline.repeated && !current.repeated) return { basis: 'single runs', stats: [['value', 'p50']] };
  return { basis: 'single run against p50 of repeats', stats: [['p50', 'p50']] };
}

export function compareSamples(baseline: MetricSample, current: MetricSample, settings?: RegressionSettings): Comparison {
  const { basis, stats } = pairing(baseline, current);
  const rows: ComparisonRow[] = [];
  const notCompared: string[] = [];
  for (const m of COMPARABLE_METRICS) {
    const b = baseline.metrics[m.name];
    const c = current.metrics[m.name];
    if (!b || !c) {
      if (b || c) notCompared.push(m.name);
      continue;
    }
    const tolerance = toleranceFor(m, settings);
    // Repeats: a time or count the baseline had in every run but some current runs lack (a failover that
    // never came, a final state that could not be read) is a regression whatever the percentiles say.
    const missing = current.repeated && m.nullMeans !== 'zero' && tolerance.direction !== 'info' && c.runs < current.runs && b.runs >= baseline.runs;
    for (const [stat, key] of stats) {
      const bv = b[key] as number | null;
      const cv = c[key] as number | null;
      if (bv === null && cv === null && !missing && m.nullMeans !== 'zero') continue;
      if (m.nullMeans === 'zero' && !bv && !cv) continue;
      const row = judge(m, tolerance, stat, bv, cv);
      if (missing) {
        row.regression = true;
        row.note = `no value in ${current.runs - c.runs} of ${current.runs} runs (the baseline had one in each of its ${baseline.runs})`;
      }
      rows.push(row);
    }
  }
  const regressions = rows.filter((r) => r.regression).map((r) => (r.stat === 'value' ? r.metric : `${r.metric} ${r.stat}`));
  return { baseline: baselineRef(baseline), currentRuns: current.runs, basis, rows, regressions, notCompared, note: null };
}

/** No comparison could be made: said in words, nothing judged. */
export function noComparison(note: string, baseline: MetricSample | null, currentRuns: number): Comparison {
  return { baseline: baseline ? baselineRef(baseline) : null, currentRuns, basis: 'single runs', rows: [], regressions: [], notCompared: [], note };
}

/** A finished drill against its baseline sample (null: the baseline has no run of this scenario). */
export function compareResult(result: DrillResult, baseline: MetricSample | null, settings?: RegressionSettings, baselineSource = 'the baseline'): Comparison {
  if (!baseline) return noComparison(`${baselineSource} holds no run of "${result.scenario}": nothing to compare (a drill new to the suite?)`, null, 1);
  if (!result.metrics) return noComparison(`the drill did not complete (${result.error ?? result.verdict}): nothing to compare`, baseline, 1);
  return compareSamples(baseline, sampleOfResult(result, result.outDir), settings);
}

/**
 * The verdict the exit code follows: a regression fails the run only with --fail-on-regression (the
 * drill's own verdict in result.json is left as measured); a run that could not complete stays an error.
 */
export function verdictForExit<V extends string>(verdict: V, regressions: number, failOnRegression: boolean | undefined): V | 'fail' {
  return failOnRegression && regressions > 0 && verdict === 'pass' ? 'fail' : verdict;
}
