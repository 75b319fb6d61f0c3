/** Writes a run's folder: result.json, report.html, journal.ndjson, ledger.bin (logs/ is written by the topology). */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Journal } from '../journal/journal.ts';
import type { Ledger } from '../workload/ledger.ts';
import type { DrillResult } from '../engine/result.ts';
import { renderHtmlReport } from './html.ts';
import { renderJunit } from './junit.ts';
import { redact, type Credentials } from '../topology/secrets.ts';

/** Writes the run's files; every text passes through `redact` so no secret can reach disk. */
export async function writeRunOutputs(outDir: string, result: DrillResult, journal: Journal, ledger?: Ledger, credentials?: Credentials): Promise<void> {
  const clean = (text: string) => redact(text, credentials);
  result.files = { ...result.files, result: 'result.json', report: 'report.html', junit: 'junit.xml', journal: 'journal.ndjson' };
  if (ledger) result.files.ledger = 'ledger.bin';
  await writeFile(join(outDir, 'journal.ndjson'), clean(journal.events.map((e) => JSON.stringify(e)).join('\n') + '\n'));
  if (ledger) await writeFile(join(outDir, 'ledger.bin'), ledger.serialize());
  await writeFile(join(outDir, 'result.json'), clean(JSON.stringify(result, null, 2) + '\n'));
  await writeFile(join(outDir, 'junit.xml'), clean(renderJunit(result)));
  await writeFile(join(outDir, 'report.html'), clean(renderHtmlReport(result, journal.events)));
}
