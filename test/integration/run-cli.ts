/** Runs the real CLI as a user would, for integration tests. */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { DrillResult } from '../../src/engine/result.ts';

export const CLI = join(import.meta.dirname, '../../bin/ferrite-drill.mjs');

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export function runCli(args: string[], timeoutMs = 180_000): Promise<CliRun> {
  return new Promise((resolve) => {
    execFile('node', [CLI, ...args], { timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

export function readResult(outDir: string): DrillResult | undefined {
  const file = join(outDir, 'result.json');
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as DrillResult) : undefined;
}

/** Why a drill did not pass, for assertion messages: its error and each failed expectation with the value. */
export function whyNotPassed(result: DrillResult | undefined, run?: CliRun): string {
  if (!result) return `no result.json; exit ${run?.code}\n${run?.stderr ?? ''}`;
  const failed = result.expectations.filter((e) => !e.pass).map((e) => `${e.metric} ${e.limit}: actual ${e.actual}${e.note ? ` (${e.note})` : ''}`);
  return [`verdict ${result.verdict}`, result.error ?? '', ...failed, run?.stderr ?? ''].filter(Boolean).join('\n');
}

/** Every file under a folder (for "no secret in any output file" checks). */
export function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const path = join(dir, f);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}
