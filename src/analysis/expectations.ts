/** Expectation verdicts: each limit in the scenario checked against the measured metric. */
import type { Limit } from '../scenario/schema.ts';
import type { MetricName, Metrics } from '../record/metrics.ts';
import type { ExpectationResult } from '../record/result.ts';

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

export function evaluateExpectations(expect: Partial<Record<MetricName, Limit>>, metrics: Metrics): ExpectationResult[] {
  return (Object.entries(expect) as [MetricName, Limit][]).map(([metric, limit]) => {
    const actual = metricValue(metrics, metric);
    const base = { metric, limit: describeLimit(limit), min: limit.min ?? null, max: limit.max ?? null, actual };
    if (limit.never) return actual === null ? { ...base, pass: true, note: 'never happened, as expected' } : { ...base, pass: false, note: `happened (${actual}) although the drill expects it never to` };
    if (actual === null) {
      const note =
        (metric === 'lostWrites.durable' || metric === 'durableRtoMs') && metrics.durableNote
          ? metrics.durableNote
          : metric.startsWith('lostWrites') || metric === 'recoveredWrites'
            ? 'not verified: no converged primary to read the final state from'
            : 'never happened during the drill';
      return { ...base, pass: false, note };
    }
    const pass = (limit.min === undefined || actual >= limit.min) && (limit.max === undefined || actual <= limit.max);
    return { ...base, pass };
  });
}
