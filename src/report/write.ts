/** Writes a run's folder: result.json, report.html, journal.ndjson, ledger.bin (logs/ is written by the topology). */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Journal } from '../journal/journal.ts';
import type { Ledger } from '../workload/ledger.ts';
import type { DrillResult } from '../engine/result.ts';
import { renderHtmlReport } from './html.ts';
import { renderJunit } from './junit.ts';

export async function writeRunOutputs(outDir: string, result: DrillResult, journal: Journal, ledger?: Ledger): Promise<void> {
  result.files = { ...result.files, result: 'result.json', report: 'report.html', junit: 'junit.xml', journal: 'journal.ndjson' };
  if (ledger) result.files.ledger = 'ledger.bin';
  await journal.writeNdjson(join(outDir, 'journal.ndjson'));
  if (ledger) await writeFile(join(outDir, 'ledger.bin'), ledger.serialize());
  await writeFile(join(outDir, 'result.json'), JSON.stringify(result, null, 2) + '\n');
  await writeFile(join(outDir, 'junit.xml'), renderJunit(result));
  await writeFile(join(outDir, 'report.html'), renderHtmlReport(result, journal.events));
}
