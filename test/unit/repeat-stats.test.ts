/**
 * Statistics over repeated runs: nearest-rank percentiles checked against hand-worked ranks and against
 * the definition itself (at least p% of the values are <= it, fewer than p% are < it), the summary of
 * every metric with the count of runs behind each number, and expectations on statistics.
 */
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { nearestRank, statsOf, summarizeMetrics } from '../../src/analysis/stats.ts';
import { evaluateExpectations, evaluateStatExpectations } from '../../src/analysis/expectations.ts';
import { splitStat, type Metrics } from '../../src/record/metrics.ts';
import { parseScenarioText, ScenarioError } from '../../src/scenario/loader.ts';
import { runCli } from '../integration/run-cli.ts';

/** Only the fields a test reads (cast: Metrics demands every field). */
const metrics = (m: { rtoMs?: number | null; detectionMs?: number | null; lost?: number | null }): Metrics =>
  ({ rtoMs: m.rtoMs ?? null, detectionMs: m.detectionMs ?? null, lostWrites: { total: m.lost ?? null, durable: null, unconfirmed: null }, writes: { attempted: 10 } }) as unknown as Metrics;

describe('nearest-rank percentiles', () => {
  it('takes the value at rank ceil(p/100 x n), worked by hand', () => {
    const twenty = Array.from({ length: 20 }, (_, i) => (i + 1) * 100); // 100 .. 2000
    expect(nearestRank(twenty, 50)).toBe(1000); // rank 10
    expect(nearestRank(twenty, 95)).toBe(1900); // rank 19
    expect(nearestRank(twenty, 100)).toBe(2000);
    expect(nearestRank([10, 20, 30], 50)).toBe(20); // rank ceil(1.5) = 2
    expect(nearestRank([10, 20, 30], 95)).toBe(30); // rank ceil(2.85) = 3
    expect(nearestRank([7], 50)).toBe(7);
    expect(nearestRank([7], 95)).toBe(7);
    expect(nearestRank([1, 2, 3, 4], 25)).toBe(1); // rank exactly 1
    expect(nearestRank([], 95)).toBeNull();
    expect(() => nearestRank([1], 0)).toThrow(RangeError);
    expect(() => nearestRank([1], 101)).toThrow(RangeError);
  });

  it('is always a measured value that at least p% of the values are at or below, and fewer than p% below', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -1e6, max: 1e6 }), { minLength: 1, maxLength: 60 }), fc.integer({ min: 1, max: 100 }), (values, p) => {
        const sorted = [...values].sort((a, b) => a - b);
        const v = nearestRank(sorted, p)!;
        expect(values).toContain(v);
        const atOrBelow = values.filter((x) => x <= v).length;
        const below = values.filter((x) => x < v).length;
        expect(atOrBelow * 100).toBeGreaterThanOrEqual(p * values.length);
        expect(below * 100).toBeLessThan(p * values.length);
      }),
    );
  });
});

describe('summary of the runs', () => {
  it('counts only the runs that produced a number, and sorts before ranking', () => {
    expect(statsOf([3000, null, 1000, 2000, null])).toEqual({ runs: 3, min: 1000, p50: 2000, p95: 3000, max: 3000 });
    expect(statsOf([null, null])).toEqual({ runs: 0, min: null, p50: null, p95: null, max: null });
  });

  it('summarises every metric path over the runs; a run without metrics counts for none', () => {
    const s = summarizeMetrics([metrics({ rtoMs: 2500, detectionMs: 1100, lost: 0 }), null, metrics({ rtoMs: 4000, detectionMs: null, lost: 3 })]);
    expect(s.rtoMs).toEqual({ runs: 2, min: 2500, p50: 2500, p95: 4000, max: 4000 });
    expect(s.detectionMs).toEqual({ runs: 1, min: 1100, p50: 1100, p95: 1100, max: 1100 });
    expect(s['lostWrites.total']).toEqual({ runs: 2, min: 0, p50: 0, p95: 3, max: 3 });
    expect(s['lostWrites.durable'].runs).toBe(0);
    expect(s['writes.attempted'].runs).toBe(2);
    expect(Object.keys(s)).toContain('clusterDownMs');
  });
});

describe('expectations on statistics', () => {
  it('names split into metric and statistic; plain metrics (with dots of their own) have none', () => {
    expect(splitStat('rtoMs.p95')).toEqual({ metric: 'rtoMs', stat: 'p95' });
    expect(splitStat('lostWrites.durable.max')).toEqual({ metric: 'lostWrites.durable', stat: 'max' });
    expect(splitStat('lostWrites.durable')).toEqual({ metric: 'lostWrites.durable', stat: null });
  });

  it('over the runs: rtoMs.p95 against the summary, with how many runs stood behind it', () => {
    const s = summarizeMetrics([2000, 3000, 9000].map((rtoMs) => metrics({ rtoMs })));
    const [fail, pass] = evaluateStatExpectations({ 'rtoMs.p95': { max: 8000 }, 'rtoMs.p50': { max: 8000 }, rtoMs: { max: 1 } }, s, 3);
    expect(fail).toMatchObject({ metric: 'rtoMs.p95', actual: 9000, pass: false, note: 'over 3 of 3 runs (nearest-rank p95)' });
    expect(pass).toMatchObject({ metric: 'rtoMs.p50', actual: 3000, pass: true });
    // The plain expectation is each run's own business, not the summary's.
    expect(evaluateStatExpectations({ rtoMs: { max: 1 } }, s, 3)).toEqual([]);
  });

  it('fails, saying why, when no run produced the metric', () => {
    const [r] = evaluateStatExpectations({ 'rtoMs.max': { max: 8000 } }, summarizeMetrics([metrics({}), metrics({})]), 2);
    expect(r).toMatchObject({ pass: false, actual: null });
    expect(r.note).toMatch(/no run produced rtoMs/);
  });

  it('in a single run: a sample of one, its statistics are its own value; in a repeated run: left to the summary', () => {
    const m = metrics({ rtoMs: 9000 });
    const single = evaluateExpectations({ 'rtoMs.p95': { max: 8000 }, 'rtoMs.min': { min: 100 } }, m, 'single');
    expect(single.map((e) => [e.metric, e.actual, e.pass])).toEqual([['rtoMs.p95', 9000, false], ['rtoMs.min', 9000, true]]);
    expect(single[0].note).toMatch(/over 1 run/);
    expect(evaluateExpectations({ 'rtoMs.p95': { max: 8000 }, rtoMs: { max: 8000 } }, m, 'summary').map((e) => e.metric)).toEqual(['rtoMs']);
  });

  it('a scenario may write them; an unknown statistic is refused with a suggestion', () => {
    const ok = parseScenarioText('name: s\nduration: 5s\nexpect:\n  rtoMs.p95: { max: 8000 }\n  lostWrites.durable.max: { max: 0 }\n', 'ok.yaml');
    expect(ok.expect).toEqual({ 'rtoMs.p95': { max: 8000 }, 'lostWrites.durable.max': { max: 0 } });
    expect(() => parseScenarioText('name: s\nduration: 5s\nexpect:\n  rtoMs.p99: { max: 1 }\n', 'bad.yaml')).toThrow(ScenarioError);
    expect(() => parseScenarioText('name: s\nduration: 5s\nexpect:\n  rtoMs.p99: { max: 1 }\n', 'bad.yaml')).toThrow(/bad\.yaml:4:3: expect\.rtoMs\.p99: unknown field "rtoMs\.p99" \(did you mean "rtoMs\.p9\d"\?\)/);
  });
});

describe('--repeat on the command line', () => {
  it.each([['0'], ['2.5'], ['many'], ['1001']])('--repeat %s is bad input: exit 2, nothing started', async (n) => {
    const r = await runCli(['run', 'primary-crash', '--repeat', n]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--repeat takes a whole number of runs from 1 to 1000/);
  });
});
