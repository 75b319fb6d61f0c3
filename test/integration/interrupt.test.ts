/**
 * Interrupts real drills at many phases with SIGINT, SIGTERM and SIGKILL (then `clean`), and checks that
 * nothing is left: no container, no network, no iptables rule, no process.
 */
import { describe, it, expect } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dockerMissingReason, harnessLeftovers } from './docker-available.ts';
import { readResult, runCli, startCli } from './run-cli.ts';

const SCENARIO = join(import.meta.dirname, '../fixtures/interrupt-drill.yaml');
const EXIT_FOR: Record<string, number> = { SIGINT: 130, SIGTERM: 143 };

function harnessProcesses(): string[] {
  try {
    return execFileSync('pgrep', ['-af', 'ferrite-drill.mjs run'], { encoding: 'utf8' }).split('\n').filter((l) => l.includes(SCENARIO));
  } catch {
    return []; // pgrep exits 1 when nothing matches
  }
}

const startDrill = (out: string) => startCli(['run', SCENARIO, '--out', out], { timeoutMs: 120_000 });

// Delays (s) chosen to land in every phase: prepare, bring-up, load with the partition active, load with
// the pause active, recovery/verification, teardown. Signals rotate through SIGINT, SIGTERM, SIGKILL.
const PLAN: [number, NodeJS.Signals][] = [
  [0.3, 'SIGINT'], [2, 'SIGTERM'], [3.5, 'SIGKILL'], [5, 'SIGINT'], [6, 'SIGTERM'],
  [7, 'SIGKILL'], [8.5, 'SIGINT'], [9.6, 'SIGTERM'], [10.5, 'SIGKILL'], [12, 'SIGINT'],
];

describe.skipIf(dockerMissingReason !== null)('interrupted drills leave nothing behind', () => {
  it.each(PLAN)('after %s s, %s', async (delay, sig) => {
    const out = mkdtempSync(join(tmpdir(), 'fd-interrupt-'));
    const drill = startDrill(out);
    const timer = setTimeout(() => drill.child.kill(sig), delay * 1000);
    const { code, signal } = await drill.exited;
    clearTimeout(timer);
    const finishedFirst = code === 0;
    if (sig === 'SIGKILL') {
      if (!finishedFirst) expect(signal).toBe('SIGKILL');
      const clean = await runCli(['clean']);
      expect(clean.code, clean.stderr).toBe(0);
    } else if (!finishedFirst) {
      expect(code, drill.stderr()).toBe(EXIT_FOR[sig]);
      const result = readResult(out);
      // A signal during start-up ends the program before a drill (and its run folder) exists.
      if (result === undefined) expect(drill.stderr()).not.toContain('== topology');
      if (result) {
        expect(result.verdict).toBe('error');
        expect(result.error).toContain(sig);
        for (const f of result.faults) expect(f.healedAt, `${f.key} not healed`).not.toBeNull();
      }
    }
    expect(harnessLeftovers()).toEqual({ containers: [], networks: [] });
    expect(harnessProcesses()).toEqual([]);
    expect(execFileSync('iptables-save', { encoding: 'utf8' })).not.toMatch(/FD-[0-9a-f]{8}-/);
  }, 120_000);

  it('a second Ctrl-C exits at once and says to run clean, which then removes everything', async () => {
    const out = mkdtempSync(join(tmpdir(), 'fd-interrupt-twice-'));
    const drill = startDrill(out);
    await new Promise<void>((resolve) => {
      const poll = setInterval(() => {
        if (drill.stderr().includes('== load')) {
          clearInterval(poll);
          resolve();
        }
      }, 50);
    });
    drill.child.kill('SIGINT');
    await new Promise((r) => setTimeout(r, 20));
    drill.child.kill('SIGINT');
    const { code } = await drill.exited;
    expect(code).toBe(130);
    expect(drill.stderr()).toContain('ferrite-drill clean');
    const clean = await runCli(['clean']);
    expect(clean.code).toBe(0);
    expect(harnessLeftovers()).toEqual({ containers: [], networks: [] });
  }, 120_000);
});
