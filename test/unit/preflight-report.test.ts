/**
 * How a preflight reads where people look: the HTML report's table and server line, junit.xml's test
 * cases (a missing capability fails by name), the terminal table and the closing summary.
 */
import { describe, it, expect } from 'vitest';
import { loadScenario } from '../../src/scenario/loader.ts';
import { emptyResult } from '../../src/engine/resultOf.ts';
import { renderHtmlReport } from '../../src/report/html.ts';
import { renderJunit } from '../../src/report/junit.ts';
import { formatPreflightTable } from '../../src/preflight/table.ts';
import { formatSummary } from '../../src/cli/summary.ts';
import type { DrillResult, PreflightReport } from '../../src/record/result.ts';
import { preflightPhase } from '../../src/engine/preflightPhase.ts';
import { silentProgress } from '../../src/engine/progress.ts';
import { Journal } from '../../src/record/journal.ts';
import type { PreflightContext } from '../../src/preflight/run.ts';

const REPORT: PreflightReport = {
  passed: false,
  missing: ['wait'],
  warnings: ['shutdown'],
  ms: 1234,
  checks: [
    { id: 'info-replication', title: 'INFO replication reports …', status: 'pass', required: true, why: 'a failover promotes a replica', evidence: ['redis-1 (primary): role:master connected_slaves:2'], ms: 5 },
    { id: 'wait', title: 'WAIT returns the number of replicas that acknowledged', status: 'fail', required: true, why: 'the writers confirm every write with WAIT 1', evidence: ['SET then WAIT 2 1000 on redis-1 → 0 after 1 ms (expected 2)'], reason: 'SET then WAIT 2 1000 on redis-1 → 0 after 1 ms (expected 2)', ms: 1 },
    { id: 'shutdown', title: 'SHUTDOWN stops the server', status: 'fail', required: false, why: 'no fault of this drill sends SHUTDOWN', evidence: ['preflight-2: SHUTDOWN NOSAVE → OK; 3000 ms later it still runs (PING → PONG)'], ms: 3000 },
    { id: 'min-replicas', title: 'min-replicas-to-write refuses writes', status: 'skipped', required: false, why: 'the scenario sets no min-replicas-to-write', evidence: ['the scenario sets no min-replicas-to-write'], ms: 0 },
  ],
};

async function failedRun(): Promise<DrillResult> {
  const r = emptyResult(await loadScenario('primary-crash'), 'abcd1234', new Date('2026-01-01T00:00:00Z'));
  return { ...r, verdict: 'error', error: 'HA conformance preflight: ferrite 0.3.0 does not do what this drill relies on, so no fault was injected: wait (…)', server: { name: 'ferrite', version: '0.3.0', redisVersion: null }, sentinelServer: { name: 'redis', version: '7.0.15', redisVersion: null }, serverVersion: '0.3.0', preflight: REPORT, finishedAt: '2026-01-01T00:00:20Z', durationMs: 20_000 };
}

describe('preflight in the outputs', () => {
  it('report.html: the server by its own name and version, a row per check with its evidence, the missing capability named', async () => {
    const html = renderHtmlReport(await failedRun(), []);
    expect(html).toMatch(/<dd id="server">ferrite 0\.3\.0; sentinels: redis 7\.0\.15<\/dd>/);
    expect(html).toContain('id="preflight-table"');
    for (const c of REPORT.checks) expect(html).toContain(`data-check="${c.id}"`);
    expect(html).toContain('The server lacks what this drill relies on: wait (WAIT returns the number of replicas that acknowledged). No fault was injected.');
    expect(html).toContain('SET then WAIT 2 1000 on redis-1 → 0 after 1 ms (expected 2)');
    // primary-crash runs the redis profile: nothing to say about differences.
    expect(html).not.toContain('id="known-differences"');
    const ferrite = renderHtmlReport({ ...(await failedRun()), knownDifferences: ['Ships no sentinel: Redis Sentinel watches Ferrite nodes.'] }, []);
    expect(ferrite).toMatch(/<dd id="known-differences">Ships no sentinel: Redis Sentinel watches Ferrite nodes\.<br><\/dd>/);
  });

  it('junit.xml: each needed check is a test case; the missing one fails with its evidence; checks the drill does not need are left out', async () => {
    const xml = renderJunit(await failedRun());
    expect(xml).toContain('<testcase name="preflight: info-replication"');
    expect(xml).toMatch(/<testcase name="preflight: wait"[^>]*>\s*<failure message="WAIT returns the number of replicas that acknowledged: fail" type="PreflightCheckFailed">/);
    expect(xml).not.toContain('preflight: shutdown');
    expect(xml).toContain('<property name="serverName" value="ferrite"/>');
  });

  it('the terminal table and the closing summary say what is missing and why', async () => {
    const table = formatPreflightTable(REPORT, 'ferrite 0.3.0');
    expect(table.split('\n')[0]).toBe('HA conformance preflight: ferrite 0.3.0');
    expect(table).toMatch(/^wait\s+FAIL\s+yes\s+1\s+WAIT returns/m);
    expect(table).toMatch(/^shutdown\s+FAIL\s+no\s+3000/m);
    expect(table).toContain('MISSING for this drill: wait (1234 ms); also not passed: shutdown');
    const summary = formatSummary(await failedRun());
    expect(summary).toContain('preflight      FAILED: missing wait (1234 ms); not needed here but not passed: shutdown');
    expect(summary).toContain('    wait: SET then WAIT 2 1000 on redis-1 → 0 after 1 ms (expected 2)');
  });

  it('--skip-preflight: nothing is checked (no node is touched), the journal and the result say it was skipped, the report warns', async () => {
    const journal = new Journal();
    const result = await failedRun();
    const phases: string[] = [];
    // No deployment at all: a skipped preflight must not reach for one.
    await preflightPhase({ journal } as unknown as PreflightContext, result, silentProgress, (p) => phases.push(p), true);
    expect(phases).toEqual([]);
    expect(journal.events.map((e) => e.type)).toEqual(['preflight.skipped']);
    expect(result.preflight).toMatchObject({ passed: true, checks: [], skipped: '--skip-preflight: the HA conformance checks were not run' });
    expect(renderHtmlReport(result, [])).toContain('Not run: --skip-preflight: the HA conformance checks were not run. Nothing was checked before the faults.');
    expect(formatSummary(result)).toContain('preflight      skipped (--skip-preflight');
  });
});
