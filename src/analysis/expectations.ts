/** Expectation verdicts: each limit in the scenario checked against the measured metric. */
import type { Limit } from '../scenario/schema.ts';
import { splitStat, type ExpectationName, type MetricName, type Metrics } from '../record/metrics.ts';
import type { ExpectationResult } from '../record/result.ts';
import type { MetricStats } from './stats.ts';

export type { ExpectationResult } from '../record/result.ts';

export function metricValue(metrics: Metrics, name: MetricName): number | null {
  let value: unknown = metrics;
  for (const part of name.split('.')) value = (value as Record<string, unknown> | null)?.[part];
  return typeof value === 'number' ? value : null;
}

export function describeLimit(limit: Limit): string {
  if (limit.never) return 'never';
  const parts = [];
  if (limit.min !== undefined) parts.push(`>= ${limit.min}`);
  if (limit.max !== undefined) parts.push(`<= ${limit.max}`);
  return parts.join(' and ');
}

/**
 * How expectations on a statistic (`rtoMs.p95`) are treated in one run's result: "single" evaluates them
 * over this one run (a run alone is a sample of one: its min, p50, p95 and max are its own value);
 * "summary" leaves them to the repeat summary, which evaluates them over all the runs.
 */
export type StatExpectations = 'single' | 'summary';

export function evaluateExpectations(expect: Partial<Record<ExpectationName, Limit>>, metrics: Metrics, stats: StatExpectations = 'single'): ExpectationResult[] {
  return (Object.entries(expect) as [ExpectationName, Limit][]).flatMap(([name, limit]) => {
    const { metric, stat } = splitStat(name);
    if (stat && stats === 'summary') return [];
    const actual = metricValue(metrics, metric);
    const note = stat ? `over 1 run: its ${stat} is its own ${metric}` : undefined;
    return [judge(name, limit, actual, () => nullNote(metric, metrics), note)];
  });
}

/** Expectations on statistics, evaluated over the repeat summary's numbers; plain ones are each run's business. */
export function evaluateStatExpectations(expect: Partial<Record<ExpectationName, Limit>>, summary: Record<MetricName, MetricStats>, runs: number): ExpectationResult[] {
  return (Object.entries(expect) as [ExpectationName, Limit][]).flatMap(([name, limit]) => {
    const { metric, stat } = splitStat(name);
    if (!stat) return [];
    const s = summary[metric];
    const note = `over ${s.runs} of ${runs} runs (nearest-rank ${stat})`;
    return [judge(name, limit, s[stat], () => `no run produced ${metric}`, note)];
  });
}

function judge(metric: ExpectationName, limit: Limit, actual: number | null, whyNull: () => string, note?: string): ExpectationResult {
  const base = { metric, limit: describeLimit(limit), min: limit.min ?? null, max: limit.max ?? null, actual };
  const withNote = (r: ExpectationResult, own?: string) => (own || note ? { ...r, note: [own, note].filter(Boolean).join('; ') } : r);
  if (limit.never) return actual === null ? withNote({ ...base, pass: true }, 'never happened, as expected') : withNote({ ...base, pass: false }, `happened (${actual}) although the drill expects it never to`);
  if (actual === null) return withNote({ ...base, pass: false }, whyNull());
  const pass = (limit.min === undefined || actual >= limit.min) && (limit.max === undefined || actual <= limit.max);
  return withNote({ ...base, pass });
}

function nullNote(metric: MetricName, metrics: Metrics): string {
  return (metric === 'lostWrites.durable' || metric === 'durableRtoMs') && metrics.durableNote
    ? metrics.durableNote
    : metric.startsWith('lostWrites') || metric === 'recoveredWrites'
      ? 'not verified: no converged primary to read the final state from'
      : 'never happened during the drill';
}
