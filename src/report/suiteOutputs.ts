/**
 * A suite's summary files: suite.json and the sign-off report (index.html, and report.pdf printed from
 * it). Used while a suite runs and by `ferrite-drill report <suite folder>`, which reads them back.
 */
import { existsSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import type { DrillResult } from '../record/result.ts';
import type { SuiteResult } from '../suite/run.ts';
import { renderSuiteIndex } from './suiteIndex.ts';
import { printPdf } from './pdf.ts';
import { InputError } from '../util/errors.ts';

export const SUITE_PDF = 'report.pdf';

/** Writes suite.json and index.html; `results[i]` belongs to `result.drills[i]` (null: none). */
export async function writeSuiteSummary(result: SuiteResult, results: (DrillResult | null)[]): Promise<void> {
  await writeFile(join(result.outDir, 'suite.json'), JSON.stringify(result, null, 2) + '\n');
  await writeFile(join(result.outDir, 'index.html'), renderSuiteIndex(result, results));
}

/**
 * Prints index.html to report.pdf and records the outcome in suite.json (`pdf`, or `pdfReason` when there
 * is none). A missing or failing Chromium is said on `warn` and never fails the suite.
 */
export async function writeSuitePdf(result: SuiteResult, opts: { skip: string | null; warn: (message: string) => void }): Promise<void> {
  if (opts.skip) {
    // An older report.pdf would no longer match index.html: there is one exactly when suite.json says so.
    await rm(join(result.outDir, SUITE_PDF), { force: true });
    result.pdf = null;
    result.pdfReason = opts.skip;
  } else {
    const outcome = await printPdf(join(result.outDir, 'index.html'), join(result.outDir, SUITE_PDF));
    result.pdf = outcome.ok ? SUITE_PDF : null;
    result.pdfReason = outcome.ok ? null : outcome.reason;
    if (!outcome.ok) opts.warn(`no ${SUITE_PDF} for suite ${result.suite}: ${outcome.reason}`);
  }
  await writeFile(join(result.outDir, 'suite.json'), JSON.stringify(result, null, 2) + '\n');
}

/** The drills' own results, read back from their run folders (null where a drill did not run or its file is gone). */
export async function readDrillResults(result: SuiteResult): Promise<(DrillResult | null)[]> {
  return Promise.all(
    result.drills.map(async (d) => {
      const file = d.dir ? join(result.outDir, d.dir, 'result.json') : null;
      if (!file || !existsSync(file)) return null;
      try {
        return JSON.parse(await readFile(file, 'utf8')) as DrillResult;
      } catch {
        return null;
      }
    }),
  );
}

/** The suite folder a `report` target names (the folder holding suite.json, or that file), else null: a drill's run. */
export function suiteFolderOf(target: string): string | null {
  if (basename(target) === 'suite.json' && existsSync(target)) return dirname(target);
  return existsSync(join(target, 'suite.json')) ? target : null;
}

/**
 * `ferrite-drill report <suite folder>`: index.html and report.pdf again from suite.json and the drills'
 * result.json files (e.g. after an upgrade of the harness, or where the suite ran without Chromium).
 */
export async function rerenderSuite(dir: string, opts: { pdf: boolean; warn: (message: string) => void }): Promise<{ html: string; pdf: string | null; pdfReason: string | null }> {
  const file = join(dir, 'suite.json');
  let result: SuiteResult;
  try {
    result = JSON.parse(await readFile(file, 'utf8')) as SuiteResult;
  } catch (err) {
    throw new InputError(`${file}: not a readable suite result (${(err as Error).message})`);
  }
  if (!Array.isArray(result.drills)) throw new InputError(`${file}: not a suite result (no "drills" list)`);
  // The folder may have moved since the suite ran: its files are found where they are now.
  result.outDir = resolve(dir);
  await writeSuiteSummary(result, await readDrillResults(result));
  await writeSuitePdf(result, { skip: opts.pdf ? null : 'not asked for (--no-pdf)', warn: opts.warn });
  return { html: join(result.outDir, 'index.html'), pdf: result.pdf ? join(result.outDir, result.pdf) : null, pdfReason: result.pdfReason };
}
