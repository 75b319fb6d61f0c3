/**
 * The comparison as the terminal shows it: the headline metrics and every regression, side by side
 * (result.json and report.html have every row).
 */
import type { Comparison, ComparisonRow } from '../record/comparison.ts';
import { comparableMetric } from './catalogue.ts';

/** A metric's value as people read it: "1,863 ms", "0.43 ms", "12"; "never" for null. */
export function fmt(v: number | null, unit: string): string {
  if (v === null) return 'never';
  const n = Math.abs(v) >= 100 ? Math.round(v).toLocaleString('en-US') : String(Math.round(v * 100) / 100);
  return unit === 'ms' ? `${n} ms` : n;
}

/** A signed difference; "-" when either side had no value. */
export function formatDelta(row: ComparisonRow): string {
  if (row.delta === null) return '-';
  return `${row.delta > 0 ? '+' : ''}${fmt(row.delta, row.unit)}`;
}

export function formatValue(row: ComparisonRow, side: 'baseline' | 'current'): string {
  return fmt(row[side], row.unit);
}

/** One line saying what was compared with what, and the verdict of the comparison. */
export function comparisonHeadline(c: Comparison): string {
  if (!c.baseline || c.note) return `baseline       ${c.note ?? 'none'}`;
  const b = c.baseline;
  const what = b.runs > 1 ? `${b.runs} runs` : `run ${b.runId ?? '?'}`;
  const verdict = c.regressions.length === 0 ? 'no regression' : `${c.regressions.length} REGRESSION${c.regressions.length > 1 ? 'S' : ''}: ${c.regressions.join(', ')}`;
  return `baseline       ${what} of ${b.scenario} (${b.source}), ${c.basis}: ${verdict}`;
}

/** Which rows: the headline metrics and every regression (a run), only regressions (a suite's drill line), or all. */
export function formatComparison(c: Comparison, rows: 'headline' | 'regressions' | 'all' = 'headline'): string {
  const lines = [`  ${comparisonHeadline(c)}`];
  const shown = c.rows.filter((r) => rows === 'all' || r.regression || (rows === 'headline' && comparableMetric(r.metric)?.headline));
  if (shown.length > 0) {
    const label = (r: ComparisonRow) => (r.stat === 'value' ? r.metric : `${r.metric} ${r.stat}`);
    const w = Math.max(...shown.map((r) => label(r).length), 6);
    lines.push(`    ${'metric'.padEnd(w)}  ${'baseline'.padStart(10)}  ${'current'.padStart(10)}  ${'delta'.padStart(10)}  ${'allowed'.padEnd(12)}`);
    for (const r of shown) {
      const cells = [label(r).padEnd(w), formatValue(r, 'baseline').padStart(10), formatValue(r, 'current').padStart(10), formatDelta(r).padStart(10), (r.limit ?? (r.tolerance.direction === 'info' ? 'not judged' : '-')).padEnd(12)];
      lines.push(`    ${cells.join('  ')}${r.regression ? '  REGRESSION' : ''}${r.note ? `  (${r.note})` : ''}`);
    }
  }
  if (c.notCompared.length) lines.push(`    not on both sides, not compared: ${c.notCompared.join(', ')}`);
  return lines.join('\n');
}


/** The comparison's rows as the HTML pages show them (a run's report.html, a series' summary.html). */
export function comparisonRowsForHtml(c: Comparison | null | undefined) {
  return (c?.rows ?? []).map((r) => ({
    label: r.stat === 'value' ? r.metric : `${r.metric} ${r.stat}`,
    baseline: formatValue(r, 'baseline'),
    current: formatValue(r, 'current'),
    delta: formatDelta(r),
    limit: r.limit,
    tolerance: r.tolerance.direction === 'info' ? 'not judged' : `${r.tolerance.direction}, ${Math.round(r.tolerance.relative * 100)} % + ${r.tolerance.absolute}${r.unit === 'ms' ? ' ms' : ''}${r.tolerance.from === 'scenario' ? ', from the scenario' : ''}`,
    judged: r.tolerance.direction !== 'info',
    regression: r.regression,
    note: r.note ?? null,
  }));
}
