/** Runs the real CLI as a user would, for integration tests. */
import { execFile, execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { DrillResult } from '../../src/record/result.ts';

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

export interface LiveCli {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  /** The run id the CLI printed ("run 1a2b3c4d: ..."), once it has. */
  runId: () => string | undefined;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Starts the real CLI and follows its output. `at` acts once, the first time its condition holds on
 * the stderr so far (e.g. "== load" appeared): exactly once, so a test that interrupts sends one signal.
 */
export function startCli(
  args: string[],
  opts: { env?: NodeJS.ProcessEnv; timeoutMs?: number; at?: { when: (stderr: string) => boolean; act: (cli: LiveCli) => void } } = {},
): LiveCli {
  const child = execFile('node', [CLI, ...args], { env: opts.env ?? process.env, timeout: opts.timeoutMs ?? 150_000, maxBuffer: 64 * 1024 * 1024 });
  let stdout = '';
  let stderr = '';
  let acted = false;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  const cli: LiveCli = { child, stdout: () => stdout, stderr: () => stderr, runId: () => /run ([0-9a-f]{8}):/.exec(stderr)?.[1], exited };
  child.stdout!.on('data', (d) => (stdout += String(d)));
  child.stderr!.on('data', (d) => {
    stderr += String(d);
    if (opts.at && !acted && opts.at.when(stderr)) {
      acted = true;
      opts.at.act(cli);
    }
  });
  return cli;
}

/** The 127.0.0.1 port a node of a live run is published on, found by the run's labels. */
export function hostPortOf(runId: string, node: string): string {
  const ports = execFileSync('docker', ['ps', '--filter', `label=dev.ferrite-drill.run=${runId}`, '--filter', `label=dev.ferrite-drill.node=${node}`, '--format', '{{.Ports}}'], { encoding: 'utf8' });
  return /127\.0\.0\.1:(\d+)->/.exec(ports)?.[1] ?? '0';
}

/**
 * `ferrite-drill run <name> --out <fresh dir> --quiet` through the real CLI, expected to pass: a
 * result.json with no error, verdict pass, exit 0, and nothing of the harness left afterwards.
 */
export async function runPassingDrill(name: string): Promise<{ result: DrillResult; out: string; run: CliRun }> {
  const { expect } = await import('vitest');
  const { harnessLeftovers } = await import('./docker-available.ts');
  const out = mkdtempSync(join(tmpdir(), `fd-${basename(name, '.yaml')}-`));
  const run = await runCli(['run', name, '--out', out, '--quiet']);
  const result = readResult(out);
  expect(result, `no result.json for ${name}; stderr:\n${run.stderr}`).toBeDefined();
  expect(result!.error, run.stdout).toBeNull();
  expect(result!.verdict, `${whyNotPassed(result, run)}\n${run.stdout}`).toBe('pass');
  expect(run.code).toBe(0);
  expect(harnessLeftovers()).toEqual({ containers: [], networks: [] });
  return { result: result!, out, run };
}
