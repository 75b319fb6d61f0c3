/** A repeat series' summary.html: the statistics of every metric over the runs, and a row per run linking to its report. */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Handlebars from 'handlebars';
import type { RepeatSummary } from '../repeat/run.ts';
import { METRIC_DEFINITIONS, METRIC_NAMES, expectationDefinition } from '../record/metrics.ts';
import { comparisonRowsForHtml } from '../regression/table.ts';

const hb = Handlebars.create();
hb.registerHelper('ms', (v: unknown) => (typeof v === 'number' ? `${Math.round(v).toLocaleString('en-US')} ms` : '—'));
hb.registerHelper('num', (v: unknown) => (typeof v === 'number' ? v.toLocaleString('en-US') : '—'));
let compiled: Handlebars.TemplateDelegate | undefined;

export function renderRepeatSummary(summary: RepeatSummary): string {
  compiled ??= hb.compile(readFileSync(join(dirname(fileURLToPath(import.meta.url)), 'templates', 'repeat.hbs'), 'utf8'), { strict: false });
  // Only metrics some run produced: the rest (cluster-only numbers in a Sentinel drill) would be rows of dashes.
  const metrics = METRIC_NAMES.filter((name) => summary.metrics[name].runs > 0).map((name) => ({ name, ...summary.metrics[name], definition: METRIC_DEFINITIONS[name] }));
  const expectations = summary.expectations.map((e) => ({ ...e, definition: expectationDefinition(e.metric) }));
  return compiled({ s: summary, metrics, expectations, comparison: summary.comparison ?? null, comparisonRows: comparisonRowsForHtml(summary.comparison), generatedAt: new Date().toISOString() });
}
