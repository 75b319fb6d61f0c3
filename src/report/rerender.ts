/** Re-renders report.html and junit.xml from a saved run folder (result.json + journal.ndjson [+ ledger.bin]). */
import { existsSync, statSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { parseNdjson } from '../record/journal.ts';
import { Ledger } from '../record/ledger.ts';
import { computeSeries } from '../analysis/series.ts';
import type { DrillResult } from '../record/result.ts';
import { renderHtmlReport } from './html.ts';
import { renderJunit } from './junit.ts';
import { InputError } from '../util/errors.ts';

export async function rerenderRun(target: string): Promise<{ html: string; junit: string }> {
  const dir = existsSync(target) && statSync(target).isDirectory() ? target : dirname(target);
  const resultFile = join(dir, 'result.json');
  if (!existsSync(resultFile)) throw new InputError(`${target}: no result.json here; give a run folder (reports/<scenario>-<time>/) or its result.json`);
  let result: DrillResult;
  try {
    result = JSON.parse(await readFile(resultFile, 'utf8')) as DrillResult;
  } catch (err) {
    throw new InputError(`${resultFile}: not a readable result (${(err as Error).message})`);
  }
  const journalFile = join(dir, 'journal.ndjson');
  const events = existsSync(journalFile) ? parseNdjson(await readFile(journalFile, 'utf8')) : [];
  const ledgerFile = join(dir, 'ledger.bin');
  // Series are recomputed from the ledger when it is there (so a newer report version gets its charts).
  if (existsSync(ledgerFile) && events.length > 0) result.series = computeSeries(events, Ledger.deserialize(await readFile(ledgerFile)));
  const html = join(dir, 'report.html');
  const junit = join(dir, 'junit.xml');
  await writeFile(html, renderHtmlReport(result, events));
  await writeFile(junit, renderJunit(result));
  return { html, junit };
}
