/**
 * The suite's index.html: the sign-off document (see signoff.ts for what it holds), one self-contained
 * page with print styles, so the same file opens from disk and prints to report.pdf.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Handlebars from 'handlebars';
import type { DrillResult } from '../record/result.ts';
import type { SuiteResult } from '../suite/run.ts';
import { anchorOf, buildSignoff } from './signoff.ts';

const hb = Handlebars.create();
hb.registerHelper('ms', (v: unknown) => (typeof v === 'number' ? `${Math.round(v).toLocaleString('en-US')} ms` : '—'));
hb.registerHelper('eq', (a: unknown, b: unknown) => a === b);
hb.registerHelper('anchorOf', (n: number) => anchorOf(n));
let compiled: Handlebars.TemplateDelegate | undefined;

/** `results[i]` is the result of `result.drills[i]` (null: it did not run, or its result could not be read). */
export function renderSuiteIndex(result: SuiteResult, results: (DrillResult | null)[]): string {
  compiled ??= hb.compile(readFileSync(join(dirname(fileURLToPath(import.meta.url)), 'templates', 'suite.hbs'), 'utf8'), { strict: false });
  const counts = { total: result.drills.length, pass: 0, fail: 0, error: 0, skipped: 0 };
  for (const d of result.drills) counts[d.verdict]++;
  return compiled({ result, counts, signoff: buildSignoff(result, results), generatedAt: new Date().toISOString() });
}
