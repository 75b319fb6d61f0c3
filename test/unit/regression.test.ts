/**
 * The baseline comparison on synthetic runs: direction, tolerance (defaults and the scenario's
 * overrides), metrics that never happened or could not be measured, repeats against repeats and
 * against single runs; reading baselines of every shape; the exit rule; the terminal table and the report.
 * Expected limits are worked out by hand here (baseline x relative + absolute), not by the code under test.
 */
import { describe, it, expect } from 'vitest';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compareResult, compareSamples, compareSummary, verdictForExit } from '../../src/regression/compare.ts';
import { baselineFor, baselineFromOptions, loadBaseline } from '../../src/regression/baseline.ts';
import { sampleOfResult, sampleOfSummary, type RepeatSummary } from '../../src/regression/sample.ts';
import { formatComparison } from '../../src/regression/table.ts';
import { renderHtmlReport } from '../../src/report/html.ts';
import { parseScenarioText } from '../../src/scenario/loader.ts';
import { InputError } from '../../src/util/errors.ts';
import { runCli } from '../integration/run-cli.ts';
import type { DrillResult } from '../../src/record/result.ts';
import type { Metrics } from '../../src/record/metrics.ts';
import type { Comparison } from '../../src/record/comparison.ts';

type MetricOverrides = Partial<Omit<Metrics, 'writes' | 'lostWrites'>> & { writes?: Partial<Metrics['writes']>; lostWrites?: Partial<Metrics['lostWrites']> };

function metricsWith(o: MetricOverrides = {}): Metrics {
  const { writes, lostWrites, ...rest } = o;
  return {
    mode: 'sentinel', detectionMs: 1000, odownMs: 1100, failoverMs: 2000, rtoMs: 2500, durableRtoMs: 2600, writeUnavailableMs: 2400,
    writes: { attempted: 5000, acknowledged: 4500, failed: 450, indeterminate: 50, noreplicas: 0, oom: 0, misconf: 0, ...writes },
    lostWrites: { total: 2, durable: 0, unconfirmed: 2, ...lostWrites },
    durableNote: null, recoveredWrites: 3, verifiedAgainst: 'redis-2', unexpectedWrites: 0, splitBrainWrites: 0, splitBrainWindowMs: null,
    failovers: 1, sdownEvents: 3, resync: null, promotedMostUpToDate: true, oldPrimary: 'redis-1', newPrimary: 'redis-2', phases: {}, steps: [],
    rpoMs: 0, oomKills: 0, fills: [],
    perSentinel: {}, pfailMs: null, clusterDownMs: null, shards: [], findings: [], crossCheck: null, failuresByReason: {}, lostSample: [],
    throughput: { loadMs: 10_000, attemptedPerSecond: 500, acknowledgedPerSecond: 450 },
    ...rest,
  };
}

function resultWith(metrics: Metrics | null, overrides: Partial<DrillResult> = {}): DrillResult {
  return {
    scenario: 'synthetic', scenarioFile: 'x.yaml', description: '', verdict: 'pass', error: null, runId: 'abcd1234',
    startedAt: '2026-11-23T07:00:00.000Z', finishedAt: '2026-11-23T07:00:20.000Z', durationMs: 20_000, image: 'img', imageSource: 'img (test)', serverVersion: '7.0.15',
    clientPath: 'direct',
    topology: { mode: 'sentinel', server: 'redis', replicas: 1, sentinels: 1, quorum: 1, downAfterMs: 1000, failoverTimeoutMs: 10000, serverConfig: {} },
    load: { writers: 4, rate: 'unlimited', waitReplicas: 1, waitTimeoutMs: 100 },
    timings: { topologyReadyMs: 3000, recovery: null, verifyMs: 100, teardownMs: 700 },
    faults: [], metrics, series: null, expectations: [], outDir: '/tmp/current', files: {},
    ...overrides,
  };
}

const compare = (baseline: MetricOverrides, current: MetricOverrides, yaml = '') =>
  compareResult(resultWith(metricsWith(current)), sampleOfResult(resultWith(metricsWith(baseline)), '/tmp/base/result.json'), settingsOf(yaml));

function settingsOf(yaml: string) {
  return parseScenarioText(`name: synthetic\nduration: 10s\n${yaml}`, 's.yaml').regression;
}

const row = (c: Comparison, metric: string, stat = 'value') => {
  const r = c.rows.find((x) => x.metric === metric && x.stat === stat);
  if (!r) throw new Error(`no row ${metric} ${stat} in ${c.rows.map((x) => `${x.metric} ${x.stat}`).join(', ')}`);
  return r;
};

describe('direction and default tolerance', () => {
  it('a time is worse when higher: 1000 ms may grow to 1000 + 20 % + 500 = 1700 ms', () => {
    expect(row(compare({ detectionMs: 1000 }, { detectionMs: 1700 }), 'detectionMs')).toMatchObject({ baseline: 1000, current: 1700, delta: 700, regression: false, limit: '<= 1,700 ms' });
    const worse = compare({ detectionMs: 1000 }, { detectionMs: 1701 });
    expect(row(worse, 'detectionMs')).toMatchObject({ delta: 701, regression: true });
    expect(worse.regressions).toEqual(['detectionMs']);
    // Faster is never a regression, however much.
    expect(row(compare({ rtoMs: 9000 }, { rtoMs: 100 }), 'rtoMs').regression).toBe(false);
  });

  it('throughput is worse when lower: 450/s may drop by 50 % to 225/s', () => {
    const at = (v: number) => row(compare({}, { throughput: { loadMs: 10_000, attemptedPerSecond: 500, acknowledgedPerSecond: v } }), 'throughput.acknowledgedPerSecond');
    expect(at(225)).toMatchObject({ regression: false, limit: '>= 225' });
    expect(at(224).regression).toBe(true);
    expect(at(5000).regression).toBe(false);
  });

  it('a single more lost durable write is a regression; unconfirmed losses get 50 % + 10', () => {
    expect(row(compare({ lostWrites: { durable: 0 } }, { lostWrites: { durable: 1 } }), 'lostWrites.durable').regression).toBe(true);
    expect(row(compare({ lostWrites: { durable: 0 } }, { lostWrites: { durable: 0 } }), 'lostWrites.durable').regression).toBe(false);
    expect(row(compare({ lostWrites: { unconfirmed: 10 } }, { lostWrites: { unconfirmed: 25 } }), 'lostWrites.unconfirmed').regression).toBe(false);
    expect(row(compare({ lostWrites: { unconfirmed: 10 } }, { lostWrites: { unconfirmed: 26 } }), 'lostWrites.unconfirmed').regression).toBe(true);
  });

  it('failovers: any change either way is a regression; write counts are shown, not judged', () => {
    expect(row(compare({ failovers: 1 }, { failovers: 2 }), 'failovers').regression).toBe(true);
    expect(row(compare({ failovers: 1 }, { failovers: 0 }), 'failovers').regression).toBe(true);
    const counts = compare({ writes: { failed: 10 } }, { writes: { failed: 10_000 } });
    expect(row(counts, 'writes.failed')).toMatchObject({ regression: false, limit: null, tolerance: { direction: 'info' } });
  });
});

describe('tolerance from the scenario', () => {
  it('overrides relative and absolute (a duration for a time), or ignores a metric', () => {
    const yaml = 'regression:\n  tolerance:\n    rtoMs: { relative: 0.5, absolute: 1s }\n    detectionMs: { absolute: 0 }\n    failovers: { ignore: true }\n';
    const c = compare({ rtoMs: 2000, detectionMs: 1000, failovers: 1 }, { rtoMs: 4000, detectionMs: 1001, failovers: 3 }, yaml);
    // 2000 + 50 % + 1000 = 4000: exactly at the limit.
    expect(row(c, 'rtoMs')).toMatchObject({ regression: false, limit: '<= 4,000 ms', tolerance: { relative: 0.5, absolute: 1000, from: 'scenario' } });
    // Only absolute given: no relative slack either.
    expect(row(c, 'detectionMs')).toMatchObject({ regression: true, tolerance: { relative: 0, absolute: 0 } });
    expect(row(c, 'failovers')).toMatchObject({ regression: false, tolerance: { direction: 'info' } });
    expect(c.regressions).toEqual(['detectionMs']);
  });
});

describe('metrics that never happened or could not be measured', () => {
  it('an RTO that never came, against one that did, is a regression; the other way round is not', () => {
    expect(row(compare({ rtoMs: 2500 }, { rtoMs: null }), 'rtoMs')).toMatchObject({ regression: true, delta: null, note: 'never happened in this run (the baseline had it)' });
    expect(row(compare({ rtoMs: null }, { rtoMs: 2500 }), 'rtoMs')).toMatchObject({ regression: false, note: 'never happened in the baseline' });
  });

  it('never on both sides (no fault: no detection) is not a row at all', () => {
    const c = compare({ detectionMs: null, durableRtoMs: null }, { detectionMs: null, durableRtoMs: null });
    expect(c.rows.map((r) => r.metric)).not.toContain('detectionMs');
    expect(c.rows.map((r) => r.metric)).not.toContain('durableRtoMs');
  });

  it('lost writes that could not be verified now, against a verified baseline, are a regression', () => {
    expect(row(compare({}, { lostWrites: { total: null, durable: null, unconfirmed: null } }), 'lostWrites.durable')).toMatchObject({ regression: true, note: 'could not be measured in this run (the baseline had a value)' });
  });

  it('a split-brain window where the baseline had none (null = none) is a regression', () => {
    expect(row(compare({ splitBrainWindowMs: null }, { splitBrainWindowMs: 600 }), 'splitBrainWindowMs')).toMatchObject({ baseline: 0, current: 600, regression: true });
  });

  it('a drill that did not complete is not compared; a baseline without the scenario says so', () => {
    const base = sampleOfResult(resultWith(metricsWith()), '/tmp/b.json');
    const failed = compareResult(resultWith(null, { verdict: 'error', error: 'container died' }), base);
    expect(failed).toMatchObject({ rows: [], regressions: [], note: 'the drill did not complete (container died): nothing to compare' });
    expect(compareResult(resultWith(metricsWith()), null, undefined, '/tmp/suite.json').note).toBe('/tmp/suite.json holds no run of "synthetic": nothing to compare (a drill new to the suite?)');
  });
});

function summary(runs: number, metrics: RepeatSummary['metrics']): RepeatSummary {
  return { kind: 'repeat-summary', scenario: 'synthetic', runs, verdict: 'pass', runDirs: [], metrics };
}
const stat = (runs: number, p50: number | null, p95: number | null) => ({ runs, min: p50, p50, p95, max: p95 });

describe('repeats', () => {
  it('both sides repeated: p50 and p95 compared, a worse tail alone is flagged as "rtoMs p95"', () => {
    const base = sampleOfSummary(summary(5, { rtoMs: stat(5, 2500, 3000) }), '/b/summary.json');
    const cur = sampleOfSummary(summary(5, { rtoMs: stat(5, 2600, 5000) }), '/c/summary.json');
    const c = compareSamples(base, cur);
    expect(c.basis).toBe('p50 and p95 of repeats');
    // p50: 2500 + 500 + 500 = 3500 allowed; p95: 3000 + 600 + 500 = 4100 allowed.
    expect(row(c, 'rtoMs', 'p50')).toMatchObject({ baseline: 2500, current: 2600, regression: false, limit: '<= 3,500 ms' });
    expect(row(c, 'rtoMs', 'p95')).toMatchObject({ baseline: 3000, current: 5000, regression: true, limit: '<= 4,100 ms' });
    expect(c.regressions).toEqual(['rtoMs p95']);
    expect(c.baseline).toMatchObject({ kind: 'summary', runs: 5, source: '/b/summary.json' });
  });

  it('a metric the baseline had in every run but some current runs lack is a regression', () => {
    const base = sampleOfSummary(summary(3, { rtoMs: stat(3, 2500, 2600) }), '/b');
    const cur = sampleOfSummary(summary(3, { rtoMs: stat(2, 2500, 2600) }), '/c');
    const c = compareSamples(base, cur);
    expect(row(c, 'rtoMs', 'p50')).toMatchObject({ regression: true, note: 'no value in 1 of 3 runs (the baseline had one in each of its 3)' });
  });

  it('a repeat summary against a single run: its p50 against the run\'s value; no finished run, or no baseline: not compared', () => {
    const base = sampleOfResult(resultWith(metricsWith({ detectionMs: 1000 })), '/b/result.json');
    const c = compareSummary(summary(3, { detectionMs: stat(3, 1600, 2900) }), base);
    expect(c.basis).toBe('single run against p50 of repeats');
    // 1000 + 200 + 500 = 1700 allowed: the p50 of 1600 is fine, whatever the tail.
    expect(row(c, 'detectionMs', 'p50')).toMatchObject({ baseline: 1000, current: 1600, regression: false });
    expect(c.currentRuns).toBe(3);
    expect(compareSummary(summary(0, {}), base)).toMatchObject({ rows: [], note: 'no run finished: nothing to compare' });
    expect(compareSummary(summary(3, {}), null, undefined, '/s.json').note).toBe('/s.json holds no run of "synthetic": nothing to compare (a drill new to the suite?)');
  });

  it('a single run against repeats is compared with their p50; metrics on one side only are listed', () => {
    const base = sampleOfSummary(summary(3, { rtoMs: stat(3, 2000, 2400), detectionMs: stat(3, 1000, 1100) }), '/b');
    const c = compareResult(resultWith(metricsWith({ rtoMs: 3100, detectionMs: 1000 })), base);
    expect(c.basis).toBe('single run against p50 of repeats');
    // 2000 + 400 + 500 = 2900 < 3100.
    expect(row(c, 'rtoMs', 'p50')).toMatchObject({ baseline: 2000, current: 3100, regression: true });
    expect(c.rows.every((r) => r.stat === 'p50')).toBe(true);
    expect(c.notCompared).toContain('failoverMs');
  });
});

describe('reading a baseline', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fd-baseline-'));
  const write = (path: string, data: unknown) => {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), typeof data === 'string' ? data : JSON.stringify(data));
    return join(dir, path);
  };
  const rejects = (p: Promise<unknown>, message: RegExp) => expect(p).rejects.toThrow(expect.objectContaining({ name: 'InputError', message: expect.stringMatching(message) }));

  it('a result.json, or the run folder holding it', async () => {
    const file = write('run/result.json', resultWith(metricsWith({ rtoMs: 1234 })));
    for (const given of [file, join(dir, 'run')]) {
      const b = await loadBaseline(given);
      expect(b).toMatchObject({ kind: 'result', source: file });
      expect(baselineFor(b, 'synthetic')!.metrics.rtoMs).toEqual({ runs: 1, p50: 1234, p95: 1234 });
    }
  });

  it('a summary.json of repeats', async () => {
    const file = write('rep/summary.json', summary(3, { rtoMs: stat(3, 2000, 2400) }));
    const b = await loadBaseline(join(dir, 'rep'));
    expect(b).toMatchObject({ kind: 'summary', source: file });
    expect(baselineFor(b, 'synthetic')).toMatchObject({ repeated: true, runs: 3, metrics: { rtoMs: { runs: 3, p50: 2000, p95: 2400 } } });
  });

  it('a suite.json: each drill from its own folder (result or summary), skipped drills noted, wherever the folder now is', async () => {
    write('suite/01-synthetic/result.json', resultWith(metricsWith({ rtoMs: 1000 })));
    write('suite/02-other/summary.json', { ...summary(3, { rtoMs: stat(3, 3000, 3500) }), scenario: 'other' });
    write('suite/03-synthetic/result.json', resultWith(metricsWith({ rtoMs: 2000 })));
    const file = write('suite/suite.json', {
      suite: 'nightly', outDir: '/somewhere/else', verdict: 'pass',
      drills: [{ scenario: 'synthetic', verdict: 'pass', dir: '01-synthetic' }, { scenario: 'other', verdict: 'pass', dir: '02-other' }, { scenario: 'synthetic', verdict: 'pass', dir: '03-synthetic' }, { scenario: 'late', verdict: 'skipped', reason: 'stopOnFailure', dir: null }],
    });
    const b = await loadBaseline(join(dir, 'suite'));
    expect(b.source).toBe(file);
    expect(b.samples.map((s) => [s.scenario, s.kind, s.repeated])).toEqual([['synthetic', 'suite', false], ['other', 'suite', true], ['synthetic', 'suite', false]]);
    expect(baselineFor(b, 'synthetic', 1)!.metrics.rtoMs.p50).toBe(2000);
    expect(baselineFor(b, 'other')!.metrics.rtoMs.p95).toBe(3500);
    expect(baselineFor(b, 'late')).toBeNull();
    expect(b.unusable).toEqual(['late (skipped: stopOnFailure)']);
  });

  it('missing, unreadable, of another shape, or a run without metrics: bad input naming the path', async () => {
    await rejects(loadBaseline(join(dir, 'nope')), /--baseline .*nope: no such file or folder/);
    await rejects(loadBaseline(write('empty/x.txt', 'x').replace('x.txt', '')), /no suite\.json, summary\.json, result\.json in this folder/);
    await rejects(loadBaseline(write('bad.json', '{ "scenario": ')), /bad\.json is not valid JSON/);
    await rejects(loadBaseline(write('other.json', { hello: 1 })), /other\.json is not a ferrite-drill result\.json, suite\.json or summary\.json/);
    await rejects(loadBaseline(write('err/result.json', resultWith(null, { verdict: 'error', error: 'no Docker' }))), /a run of "synthetic" that ended in error without metrics \(no Docker\)/);
    await rejects(loadBaseline(write('badsum/summary.json', { ...summary(3, {}), metrics: { rtoMs: 5 } })), /metrics\.rtoMs is not \{ runs, min, p50, p95, max \}/);
  });

  it('a baseline without any of the drills, or --fail-on-regression alone, is bad input', async () => {
    const file = write('run2/result.json', resultWith(metricsWith()));
    await rejects(baselineFromOptions({ baseline: file }, ['primary-crash']), /holds no run of "primary-crash" \(it has "synthetic"\)/);
    await expect(baselineFromOptions({ baseline: file }, ['primary-crash', 'synthetic'])).resolves.toMatchObject({ kind: 'result' });
    await expect(baselineFromOptions({ failOnRegression: true }, ['x'])).rejects.toThrow(InputError);
    await expect(baselineFromOptions({}, ['x'])).resolves.toBeNull();
  });
});

describe('exit rule', () => {
  it('a regression fails a passing run only with --fail-on-regression; fail and error stay what they were', () => {
    expect(verdictForExit('pass', 2, true)).toBe('fail');
    expect(verdictForExit('pass', 2, false)).toBe('pass');
    expect(verdictForExit('pass', 0, true)).toBe('pass');
    expect(verdictForExit('error', 2, true)).toBe('error');
    expect(verdictForExit('fail', 0, true)).toBe('fail');
  });
});

describe('what people see', () => {
  const c = compare({ detectionMs: 1000, rtoMs: 2500 }, { detectionMs: 3100, rtoMs: 2600 });

  it('the terminal: headline metrics and each regression, marked', () => {
    const text = formatComparison(c);
    expect(text).toContain('run abcd1234 of synthetic (/tmp/base/result.json), single runs: 1 REGRESSION: detectionMs');
    expect(text).toMatch(/detectionMs\s+1,000 ms\s+3,100 ms\s+\+2,100 ms\s+<= 1,700 ms\s+REGRESSION/);
    expect(text).toMatch(/rtoMs\s+2,500 ms\s+2,600 ms\s+\+100 ms\s+<= 3,500 ms\s*\n/);
    expect(text).not.toContain('writes.failed');
    expect(formatComparison(c, 'all')).toContain('writes.failed');
    expect(formatComparison(c, 'regressions')).not.toMatch(/^\s+rtoMs/m);
  });

  it('report.html: a side-by-side table, the regression rows marked', () => {
    const html = renderHtmlReport({ ...resultWith(metricsWith({ detectionMs: 3100, rtoMs: 2600 })), comparison: c }, []);
    expect(html).toContain('<h2 id="comparison">Compared with the baseline</h2>');
    expect(html).toMatch(/<tr data-metric="detectionMs" class="regression"><td><code>detectionMs<\/code><\/td><td class="num">1,000 ms<\/td><td class="num">3,100 ms<\/td><td class="num">\+2,100 ms<\/td>/);
    expect(html).toMatch(/<tr data-metric="rtoMs"><td>/);
    expect(html).toContain('1 regression(s): detectionMs');
    expect(renderHtmlReport(resultWith(metricsWith()), [])).not.toContain('id="comparison"');
  });
});

describe('a bad baseline through the real CLI: exit 2, one clear message, nothing started', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fd-baseline-cli-'));
  const other = join(dir, 'result.json');
  writeFileSync(other, JSON.stringify(resultWith(metricsWith())));

  it.each([
    [['run', 'primary-crash', '--baseline', join(dir, 'nope')], /--baseline .*nope: no such file or folder/],
    [['run', 'primary-crash', '--baseline', other], /holds no run of "primary-crash" \(it has "synthetic"\)/],
    [['run', 'primary-crash', '--fail-on-regression'], /--fail-on-regression needs --baseline/],
    [['suite', 'smoke', '--baseline', dir], /holds no run of any of "control", "primary-crash" \(it has "synthetic"\)/],
  ])('%j', async (args, message) => {
    const r = await runCli(args as string[]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).not.toContain('== topology');
  });
});

describe('a series compared with a baseline: summary.html', () => {
  it('shows the comparison side by side and marks the regression', async () => {
    const { renderRepeatSummary } = await import('../../src/report/repeatSummary.ts');
    const { summarizeMetrics } = await import('../../src/analysis/stats.ts');
    const runs = [2400, 2500, 5200].map((rtoMs) => metricsWith({ rtoMs }));
    const metrics = summarizeMetrics(runs);
    const full = {
      kind: 'repeat-summary' as const, scenario: 'synthetic', runs: 3, verdict: 'pass' as const, runDirs: ['run-1', 'run-2', 'run-3'], metrics,
      requested: 3, percentiles: 'nearest-rank' as const, expectations: [], errors: 0, interrupted: false, scenarioFile: 'x.yaml',
      startedAt: '', finishedAt: '', durationMs: 0, outDir: '/tmp/s', runList: [],
    };
    const base = sampleOfSummary(summary(3, { rtoMs: stat(3, 2500, 2600) }), '/b/summary.json');
    const comparison = compareSummary(full, base, undefined, '/b/summary.json');
    // p95 of 5200 against 2600: allowed 2600 + 520 + 500 = 3620, so the tail regressed and the median did not.
    expect(comparison.regressions).toEqual(['rtoMs p95']);
    const html = renderRepeatSummary({ ...full, comparison });
    expect(html).toContain('Compared with the baseline');
    expect(html).toMatch(/<tr class="regression"><td><code>rtoMs p95<\/code><\/td><td class="num">2,600 ms<\/td><td class="num">5,200 ms<\/td>/);
    expect(html).not.toMatch(/<tr class="regression"><td><code>rtoMs p50</);
    expect(renderRepeatSummary(full)).not.toContain('Compared with the baseline');
  });
});
