/**
 * Regressions through the real CLI, against real Redis and Sentinel: a short primary crash with Sentinel's
 * down-after 1 s is the baseline; the same drill with down-after 3 s, compared with --baseline, must show
 * detection and RTO regressed (Sentinel waits 2 s longer before it even suspects the primary) and, with
 * --fail-on-regression, exit 1 although its own expectations pass. Then a suite running the fast drill
 * against the slow run as baseline: faster is no regression, and without the flag the exit code is the verdict's.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dockerMissingReason, harnessLeftovers } from './docker-available.ts';
import { readResult, runCli, whyNotPassed, type CliRun } from './run-cli.ts';
import type { DrillResult } from '../../src/record/result.ts';
import type { SuiteResult } from '../../src/suite/run.ts';

const FIXTURES = join(import.meta.dirname, '../fixtures/baseline');

describe.skipIf(dockerMissingReason !== null)('--baseline against real drills', () => {
  const root = mkdtempSync(join(tmpdir(), 'fd-baseline-'));
  const fastDir = join(root, 'fast');
  const slowDir = join(root, 'slow');
  let fast: DrillResult | undefined;
  let slow: DrillResult | undefined;
  let slowRun: CliRun;

  beforeAll(async () => {
    const fastRun = await runCli(['run', join(FIXTURES, 'fast-detection.yaml'), '--out', fastDir, '--quiet']);
    fast = readResult(fastDir);
    expect(fast?.verdict, whyNotPassed(fast, fastRun)).toBe('pass');
    slowRun = await runCli(['run', join(FIXTURES, 'slow-detection.yaml'), '--out', slowDir, '--baseline', fastDir, '--fail-on-regression']);
    slow = readResult(slowDir);
  }, 240_000);

  it('flags detectionMs and rtoMs as regressions and exits 1 with --fail-on-regression, its own verdict still pass', () => {
    expect(slow?.verdict, whyNotPassed(slow, slowRun)).toBe('pass');
    const c = slow!.comparison!;
    console.log(`baseline detection ${fast!.metrics!.detectionMs} ms, rto ${fast!.metrics!.rtoMs} ms; current detection ${slow!.metrics!.detectionMs} ms, rto ${slow!.metrics!.rtoMs} ms; regressions: ${c.regressions.join(', ')}`);
    expect(c.baseline).toMatchObject({ kind: 'result', scenario: 'baseline-crash', runId: fast!.runId, source: join(fastDir, 'result.json') });
    expect(c.basis).toBe('single runs');
    for (const metric of ['detectionMs', 'rtoMs']) {
      const row = c.rows.find((r) => r.metric === metric)!;
      expect(row.baseline).toBe(fast!.metrics![metric as 'rtoMs']);
      expect(row.current).toBe(slow!.metrics![metric as 'rtoMs']);
      expect(row.regression, `${metric}: ${JSON.stringify(row)}`).toBe(true);
    }
    expect(c.regressions).toEqual(expect.arrayContaining(['detectionMs', 'rtoMs']));
    // Nothing the drill measured about data got worse: lost durable writes are 0 on both sides.
    expect(c.rows.find((r) => r.metric === 'lostWrites.durable')).toMatchObject({ baseline: 0, current: 0, regression: false });
    expect(slowRun.code, slowRun.stderr).toBe(1);
  });

  it('shows the comparison in the terminal summary and side by side in report.html', () => {
    expect(slowRun.stdout).toMatch(/baseline\s+run [0-9a-f]{8} of baseline-crash .*single runs: \d+ REGRESSIONS?: .*detectionMs/);
    expect(slowRun.stdout).toMatch(/\n\s+detectionMs\s+[\d,]+ ms\s+[\d,]+ ms\s+\+[\d,]+ ms\s+<= [\d,]+ ms\s+REGRESSION/);
    expect(slowRun.stdout).toMatch(/\n\s+rtoMs\s+[\d,]+ ms\s+[\d,]+ ms\s+\+[\d,]+ ms\s+<= [\d,]+ ms\s+REGRESSION/);
    const html = readFileSync(join(slowDir, 'report.html'), 'utf8');
    expect(html).toContain('<h2 id="comparison">Compared with the baseline</h2>');
    expect(html).toMatch(/<tr data-metric="detectionMs" class="regression">/);
    expect(html).toMatch(/<tr data-metric="rtoMs" class="regression">/);
  });

  it('a suite compared with a slower baseline: faster timings are no regression; without the flag the exit code follows the verdict', async () => {
    const suiteFile = join(root, 'suite.yaml');
    writeFileSync(suiteFile, `name: baseline-suite\nscenarios:\n  - ${join(FIXTURES, 'fast-detection.yaml')}\n`);
    const out = join(root, 'suite');
    const run = await runCli(['suite', suiteFile, '--out', out, '--quiet', '--baseline', join(slowDir, 'result.json')]);
    const suite = JSON.parse(readFileSync(join(out, 'suite.json'), 'utf8')) as SuiteResult;
    const drill = readResult(join(out, suite.drills[0].dir!));
    expect(drill?.verdict, whyNotPassed(drill, run)).toBe('pass');
    for (const metric of ['detectionMs', 'rtoMs']) {
      const row = drill!.comparison!.rows.find((r) => r.metric === metric)!;
      expect(row.delta!, metric).toBeLessThan(0);
      expect(row.regression, metric).toBe(false);
    }
    expect(suite.baseline).toBe(join(slowDir, 'result.json'));
    expect(suite.drills[0].regressions).toEqual(drill!.comparison!.regressions);
    expect(suite.regressions).toEqual(drill!.comparison!.regressions.map((m) => `baseline-crash: ${m}`));
    // Whatever noise a shared machine adds to throughput or latency, the exit code is the verdict's here.
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toMatch(/baseline\s+run [0-9a-f]{8} of baseline-crash/);
    expect(harnessLeftovers()).toEqual({ containers: [], networks: [] });
  }, 180_000);
});
