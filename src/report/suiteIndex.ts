/** The suite's index.html: one self-contained page, a row per drill linking to its report. */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Handlebars from 'handlebars';
import type { SuiteResult } from '../suite/run.ts';

const hb = Handlebars.create();
hb.registerHelper('ms', (v: unknown) => (typeof v === 'number' ? `${Math.round(v).toLocaleString('en-US')} ms` : '—'));
hb.registerHelper('num', (v: unknown) => (typeof v === 'number' ? v.toLocaleString('en-US') : '—'));
hb.registerHelper('inc', (v: number) => v + 1);
let compiled: Handlebars.TemplateDelegate | undefined;

export function renderSuiteIndex(result: SuiteResult): string {
  compiled ??= hb.compile(readFileSync(join(dirname(fileURLToPath(import.meta.url)), 'templates', 'suite.hbs'), 'utf8'), { strict: false });
  const counts = { pass: 0, fail: 0, error: 0, skipped: 0 };
  for (const d of result.drills) counts[d.verdict]++;
  return compiled({ result, counts, generatedAt: new Date().toISOString() });
}
