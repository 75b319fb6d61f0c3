/** Writes a run's folder: result.json, report.html, junit.xml, journal.ndjson, ledger.bin and logs/. */
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { DrillOutcome } from '../engine/run.ts';
import { renderHtmlReport } from './html.ts';
import { renderJunit } from './junit.ts';
import { redact } from '../topology/secrets.ts';

/** Writes the run's files into `outDir` (created); every text passes through `redact` so no secret can reach disk. */
export async function writeRunOutputs(outDir: string, outcome: DrillOutcome): Promise<void> {
  const { result, journal, ledger, logs, credentials } = outcome;
  const dir = resolve(outDir);
  await mkdir(dir, { recursive: true });
  const clean = (text: string) => redact(text, credentials);
  result.outDir = dir;
  result.files = { ...result.files, result: 'result.json', report: 'report.html', junit: 'junit.xml', journal: 'journal.ndjson' };
  if (ledger) result.files.ledger = 'ledger.bin';
  if (Object.keys(logs).length > 0) {
    result.files.logs = 'logs/';
    await mkdir(join(dir, 'logs'), { recursive: true });
    await Promise.all(Object.entries(logs).map(([node, text]) => writeFile(join(dir, 'logs', `${node}.log`), clean(text))));
  }
  await writeFile(join(dir, 'journal.ndjson'), clean(journal.toNdjson()));
  if (ledger) await writeFile(join(dir, 'ledger.bin'), ledger.serialize());
  await writeFile(join(dir, 'result.json'), clean(JSON.stringify(result, null, 2) + '\n'));
  await writeFile(join(dir, 'junit.xml'), clean(renderJunit(result)));
  await writeFile(join(dir, 'report.html'), clean(renderHtmlReport(result, journal.events)));
}
