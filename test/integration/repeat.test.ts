/**
 * Repeats through the real CLI: `run <primary crash> --repeat 3 --out D` keeps three run folders and a
 * summary whose statistics match the runs' own numbers (nearest rank, worked here by hand), reuses the
 * topology (restarted, flushed, failed back to redis-1) so each run starts from the same primary and
 * sees only its own failover; a statistic that fails fails the summary and the exit code; Ctrl-C keeps
 * the finished runs and leaves nothing behind.
 */
import { describe, it, expect } from 'vitest';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dockerMissingReason, harnessLeftovers } from './docker-available.ts';
import { readResult, runCli, startCli, whyNotPassed } from './run-cli.ts';
import type { DrillResult } from '../../src/record/result.ts';

const CRASH = join(import.meta.dirname, '../fixtures/repeat-crash.yaml');
const CONTROL = join(import.meta.dirname, '../fixtures/repeat-control.yaml');
const SUITE = join(import.meta.dirname, '../fixtures/suite/repeat-one.yaml');

interface Summary {
  kind: string;
  scenario: string;
  runs: number;
  verdict: string;
  runDirs: string[];
  metrics: Record<string, { runs: number; min: number | null; p50: number | null; p95: number | null; max: number | null }>;
  expectations: { metric: string; actual: number | null; pass: boolean }[];
  interrupted: boolean;
}
const readSummary = (dir: string) => JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')) as Summary;

describe.skipIf(dockerMissingReason !== null)('repeats against real Docker', () => {
  it('run <primary crash> --repeat 3: three run folders, a summary of min/p50/p95/max over 3 runs, the topology reused', async () => {
    const out = mkdtempSync(join(tmpdir(), 'fd-repeat-'));
    const cli = await runCli(['run', CRASH, '--repeat', '3', '--out', out]);
    const summary = readSummary(out);
    const runs = summary.runDirs.map((d) => readResult(join(out, d)) as DrillResult);
    expect(cli.code, runs.map((r) => whyNotPassed(r)).join('\n---\n') + cli.stderr.slice(-3000)).toBe(0);
    expect(summary).toMatchObject({ kind: 'repeat-summary', scenario: 'repeat-crash', runs: 3, verdict: 'pass', runDirs: ['run-01', 'run-02', 'run-03'] });
    for (const d of summary.runDirs) for (const f of ['result.json', 'report.html', 'junit.xml']) expect(existsSync(join(out, d, f)), `${d}/${f}`).toBe(true);

    // The statistics, by hand from the three runs' own result.json: sorted a <= b <= c gives min a,
    // p50 b (rank ceil(1.5) = 2), p95 c (rank ceil(2.85) = 3), max c.
    for (const metric of ['detectionMs', 'failoverMs', 'rtoMs'] as const) {
      const [a, b, c] = runs.map((r) => r.metrics![metric] as number).sort((x, y) => x - y);
      expect(summary.metrics[metric], metric).toEqual({ runs: 3, min: a, p50: b, p95: c, max: c });
    }
    expect(summary.metrics['lostWrites.total'].runs).toBe(3);
    expect(summary.expectations.map((e) => [e.metric, e.pass])).toEqual([['rtoMs.p95', true], ['detectionMs.max', true]]);

    // Runs 2 and 3 ran on the reset topology: redis-1 was primary again when their fault hit, and each
    // run's logs hold its own failover only (not the reset's failover back, nor the previous run's).
    expect(runs.map((r) => r.repeat?.topologyReused)).toEqual([false, true, true]);
    expect(runs.map((r) => r.repeat?.afterwards)).toEqual(['kept', 'kept', 'torn down']);
    for (const r of runs) {
      expect(r.metrics!.oldPrimary, r.runId).toBe('redis-1');
      expect(r.metrics!.failovers, r.runId).toBe(1);
      expect(r.expectations.map((e) => e.metric)).toEqual(['lostWrites.durable']); // the statistics are the summary's
    }
    expect(cli.stdout).toMatch(/^run 1\/3 PASS .*topology created, kept$/m);
    expect(cli.stdout).toMatch(/^run 3\/3 PASS .*topology reused, torn down$/m);
    expect(cli.stderr).toContain('run 2/3: repeat-crash');
    const html = readFileSync(join(out, 'summary.html'), 'utf8');
    for (const d of summary.runDirs) expect(html).toContain(`href="${d}/report.html"`);
    expect(harnessLeftovers()).toEqual({ containers: [], networks: [] });
  }, 240_000);

  it('a statistic that does not hold fails the summary and exits 1, though every run passed its own expectations', async () => {
    const out = mkdtempSync(join(tmpdir(), 'fd-repeat-'));
    const cli = await runCli(['run', CONTROL, '--repeat', '2', '--out', out, '--quiet']);
    const summary = readSummary(out);
    expect(cli.code, cli.stderr.slice(-2000)).toBe(1);
    expect(summary.verdict).toBe('fail');
    expect(summary.expectations).toMatchObject([{ metric: 'writes.acknowledged.p50', pass: false }]);
    expect(summary.expectations[0].actual).toBeGreaterThan(1);
    const runs = summary.runDirs.map((d) => readResult(join(out, d)) as DrillResult);
    expect(runs.map((r) => r.verdict)).toEqual(['pass', 'pass']);
    // No fault moved the primary: the reset only flushed, and the second run reused the topology.
    expect(runs[1].repeat?.topologyReused).toBe(true);
    expect(harnessLeftovers()).toEqual({ containers: [], networks: [] });
  }, 120_000);

  it('without --repeat a statistic is judged over the one run (its p50 is its own value)', async () => {
    const out = mkdtempSync(join(tmpdir(), 'fd-repeat-'));
    const cli = await runCli(['run', CONTROL, '--out', out, '--quiet']);
    const r = readResult(out)!;
    expect(cli.code, whyNotPassed(r, cli)).toBe(1);
    const stat = r.expectations.find((e) => e.metric === 'writes.acknowledged.p50')!;
    expect(stat).toMatchObject({ pass: false, actual: r.metrics!.writes.acknowledged });
    expect(stat.note).toMatch(/over 1 run/);
    expect(existsSync(join(out, 'summary.json'))).toBe(false);
  }, 120_000);

  it('suite --repeat 2: the drill\'s folder holds its runs and a summary, and the suite links it', async () => {
    const out = mkdtempSync(join(tmpdir(), 'fd-repeat-suite-'));
    const cli = await runCli(['suite', SUITE, '--repeat', '2', '--out', out, '--quiet']);
    const suite = JSON.parse(readFileSync(join(out, 'suite.json'), 'utf8')) as { verdict: string; drills: { dir: string; verdict: string; rtoMs: number | null; repeat: { runs: number; summary: string } }[] };
    expect(cli.code, cli.stderr.slice(-2000)).toBe(0);
    expect(suite.drills).toHaveLength(1);
    const [d] = suite.drills;
    expect(d).toMatchObject({ dir: '01-short-control', verdict: 'pass', repeat: { runs: 2, summary: '01-short-control/summary.json' } });
    const summary = readSummary(join(out, d.dir));
    expect(summary).toMatchObject({ kind: 'repeat-summary', scenario: 'short-control', runs: 2, verdict: 'pass', runDirs: ['run-01', 'run-02'] });
    for (const r of summary.runDirs) expect(existsSync(join(out, d.dir, r, 'result.json'))).toBe(true);
    expect(readFileSync(join(out, 'index.html'), 'utf8')).toContain('href="01-short-control/summary.html"');
    // Every run is a testsuite of the suite's junit.xml.
    expect(readFileSync(join(out, 'junit.xml'), 'utf8').match(/<testsuite\b/g)).toHaveLength(2);
    expect(harnessLeftovers()).toEqual({ containers: [], networks: [] });
  }, 120_000);

  it('Ctrl-C during run 2 tears down, keeps run 1 and a summary of it, exits 130', async () => {
    const out = mkdtempSync(join(tmpdir(), 'fd-repeat-'));
    const cli = startCli(['run', CONTROL, '--repeat', '3', '--out', out], {
      at: { when: (stderr) => /run 2\/3[\s\S]*== load/.test(stderr), act: (c) => c.child.kill('SIGINT') },
    });
    const exit = await cli.exited;
    expect(exit.code, cli.stderr().slice(-2000)).toBe(130);
    const summary = readSummary(out);
    expect(summary).toMatchObject({ runs: 1, runDirs: ['run-01'], interrupted: true, verdict: 'fail' });
    expect(readResult(join(out, 'run-01'))?.verdict).toBe('pass');
    expect(existsSync(join(out, 'run-03'))).toBe(false);
    expect(harnessLeftovers()).toEqual({ containers: [], networks: [] });
  }, 120_000);
});
