/**
 * The HA conformance preflight for real: on Redis every check passes (`ferrite-drill preflight
 * primary-crash`, as a table and as JSON); on the same real Redis with one replica cut loose, the
 * checks that should fail do, naming the node; and a Ferrite-profile drill against the non-conforming
 * Ferrite test double (its code's HA stubs, in containers of its own image) names every missing
 * capability, exits 3 and injects no fault.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dockerMissingReason, harnessLeftovers } from './docker-available.ts';
import { readResult, runCli } from './run-cli.ts';
import { bringUpForTest, type TestDeployment } from './deployment.ts';
import { ensureFakeFerriteImage } from '../fake-ferrite/image.ts';
import { runPreflight } from '../../src/preflight/run.ts';
import { CHECK_IDS } from '../../src/preflight/requirements.ts';
import { hostRedisVersion } from '../../src/topology/runtime/docker/images.ts';
import type { PreflightOnlyResult } from '../../src/engine/preflightCommand.ts';
import type { PreflightReport } from '../../src/record/result.ts';

const byId = (r: PreflightReport) => Object.fromEntries(r.checks.map((c) => [c.id, c]));

describe.skipIf(dockerMissingReason !== null)('HA conformance preflight', () => {
  it('ferrite-drill preflight primary-crash on Redis: every check passes, exit 0, a table on stdout, and --json', async () => {
    const table = await runCli(['preflight', 'primary-crash']);
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout).toContain(`HA conformance preflight: redis ${hostRedisVersion()}`);
    for (const id of CHECK_IDS) expect(table.stdout).toMatch(new RegExp(`^${id}\\s+${id === 'min-replicas' ? 'skipped' : 'pass'}\\s`, 'm'));
    expect(table.stdout).toMatch(/every check this drill relies on passed \(\d+ ms\)/);

    const json = await runCli(['preflight', 'primary-crash', '--json', '--quiet']);
    expect(json.code, json.stderr).toBe(0);
    const out = JSON.parse(json.stdout) as PreflightOnlyResult;
    expect(out.error).toBeNull();
    // The version as the server binary itself reports it, not as the harness parsed INFO.
    expect(out.server).toEqual({ name: 'redis', version: hostRedisVersion(), redisVersion: null });
    expect(out.preflight!.passed).toBe(true);
    expect(out.preflight!.missing).toEqual([]);
    const checks = byId(out.preflight!);
    expect(checks.wait.evidence[0]).toMatch(/WAIT 2 1000 on redis-1 → 2 after/);
    expect(checks.replicaof.evidence.at(-1)).toMatch(/^preflight-2 became a replica with the key after \d+ ms: role:slave/);
    expect(checks.sigterm.evidence[0]).toMatch(/^preflight-1: SIGTERM → the server exited after \d+ ms \(exit code 0\)/);
    console.log(`preflight primary-crash on Redis: ${out.preflight!.ms} ms (topology ready ${out.timings.topologyReadyMs} ms)`);
    expect(harnessLeftovers()).toEqual({ containers: [], networks: [] });
  }, 240_000);

  // No sentinel here: one would put a cut-loose replica back (+convert-to-slave) while the checks run.
  describe('on one real Redis topology (1 primary, 2 replicas, min-replicas-to-write 1)', () => {
    let t: TestDeployment;
    beforeAll(async () => {
      t = await bringUpForTest({ replicas: 2, sentinels: 0, serverConfig: { 'repl-diskless-sync-delay': 0, 'min-replicas-to-write': 1 } });
    });
    afterAll(async () => {
      await t?.provisioner.tearDown();
      expect(harnessLeftovers()).toEqual({ containers: [], networks: [] });
    });
    const preflight = () => runPreflight({ dep: t.dep, scenario: t.scenario, runId: t.runId, journal: t.journal, scratch: t.provisioner.scratch, signal: AbortSignal.timeout(60_000) });

    it('everything passes, min-replicas-to-write included (a throwaway primary refuses with NOREPLICAS), and the probe keys are gone', async () => {
      const report = await preflight();
      expect(report.missing).toEqual([]);
      expect(report.checks.filter((c) => c.status !== 'pass').map((c) => `${c.id} ${c.status}`)).toEqual(['sentinel skipped']);
      expect(byId(report)['min-replicas'].evidence[0]).toMatch(/SET → \(error\) NOREPLICAS/);
      expect(await t.dep.command(t.dep.node('redis-1'), 'KEYS', 'ferrite-drill:preflight:*')).toEqual([]);
      // The throwaway nodes are gone; the drill's nodes are as they were.
      expect(execFileSync('docker', ['ps', '-a', '--filter', `label=dev.ferrite-drill.run=${t.runId}`, '--format', '{{.Names}}'], { encoding: 'utf8' })).not.toContain('preflight-');
    }, 60_000);

    it('with redis-3 cut loose (REPLICAOF NO ONE), the replication checks fail and name redis-3; the throwaway checks still pass', async () => {
      await t.dep.command(t.dep.node('redis-3'), 'REPLICAOF', 'NO', 'ONE');
      const report = await preflight();
      const c = byId(report);
      for (const id of ['info-replication', 'role', 'write-replicates', 'wait', 'offsets-advance'] as const) {
        expect(c[id].status, id).toBe('fail');
        expect(c[id].required).toBe(true);
        expect(report.missing).toContain(id);
      }
      expect(c['info-replication'].reason).toMatch(/connected_slaves:1 .*\(expected role:master and 2 online replicas\)|redis-3: role:master/);
      expect(c.role.reason).toMatch(/does not list redis-3|redis-3: ROLE → \["master"/);
      expect(c['write-replicates'].reason).toBe('redis-3 did not have the key 2000 ms after the SET on redis-1');
      expect(c.wait.reason).toMatch(/WAIT 2 1000 on redis-1 → 1 after \d+ ms \(expected 2\)/);
      for (const id of ['replicaof', 'min-replicas', 'shutdown', 'sigterm', 'persistence'] as const) expect(c[id].status, id).toBe('pass');
    }, 60_000);
  });

  it('a Ferrite drill against the non-conforming test double: every missing capability named, exit 3, no fault, a report that says so', async () => {
    const image = await ensureFakeFerriteImage();
    const dir = mkdtempSync(join(tmpdir(), 'fd-ferrite-'));
    const scenario = join(dir, 'ferrite-primary-crash.yaml');
    writeFileSync(
      scenario,
      [
        'name: ferrite-primary-crash',
        'topology:',
        '  server: ferrite',
        `  image: ${image}`,
        '  replicas: 2',
        '  sentinels: 3',
        '  sentinel: { quorum: 2, downAfter: 1000ms }',
        '  serverConfig: { min-replicas-to-write: 1, min-replicas-max-lag: 10 }',
        'load: { writers: 2, wait: { replicas: 1, timeout: 100ms } }',
        'timeline:',
        '  - { at: 3s, fault: kill, target: primary, signal: SIGKILL }',
        'duration: 10s',
        'expect:',
        '  lostWrites.durable: { max: 0 }',
        '',
      ].join('\n'),
    );
    const out = join(dir, 'out');
    const run = await runCli(['run', scenario, '--out', out]);
    expect(run.code, run.stderr).toBe(3);
    const result = readResult(out)!;
    expect(result.verdict).toBe('error');
    expect(result.error).toMatch(/^HA conformance preflight: ferrite 0\.0\.0-nonconforming-test-double does not do what this drill relies on, so no fault was injected: /);
    expect(result.server).toEqual({ name: 'ferrite', version: '0.0.0-nonconforming-test-double', redisVersion: null });
    expect(result.sentinelServer?.name).toBe('redis');
    const p = result.preflight!;
    expect([...p.missing].sort()).toEqual(['info-replication', 'min-replicas', 'offsets-advance', 'replicaof', 'role', 'sentinel', 'wait', 'write-replicates']);
    const c = byId(p);
    expect(c['info-replication'].reason).toBe('redis-1 (primary): INFO replication answered (empty reply): no Replication section');
    expect(c.role.reason).toMatch(/^redis-1 \(primary\): ROLE → \["master",0,\[\]\] \(does not list redis-2 /);
    expect(c.replicaof.evidence[0]).toMatch(/^preflight-2: REPLICAOF [\d.]+ 6379 → OK$/);
    expect(c.replicaof.reason).toMatch(/^3000 ms later preflight-2 reports no Replication section and GET \S+ → \(nil\)$/);
    expect(c.wait.reason).toMatch(/WAIT 2 1000 on redis-1 → 0 after/);
    expect(c['min-replicas'].reason).toMatch(/min-replicas-to-write 1, no replica\): SET → OK \(expected a NOREPLICAS error\)/);
    expect(c.sentinel.reason).toMatch(/master-link-status err/);
    // Not needed by this drill, and still stated: SHUTDOWN answers OK and does nothing.
    expect(c.shutdown).toMatchObject({ status: 'fail', required: false });
    expect(c.shutdown.reason).toMatch(/SHUTDOWN NOSAVE → OK; 3000 ms later it still runs \(PING → PONG\)/);
    expect(c.sigterm.status).toBe('pass');
    // Nothing of the drill ran: no load, no fault.
    const journal = readFileSync(join(out, 'journal.ndjson'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { type: string });
    expect(journal.filter((e) => e.type === 'fault.inject')).toEqual([]);
    expect(journal.filter((e) => e.type === 'load.start')).toEqual([]);
    expect(journal.filter((e) => e.type === 'preflight.check')).toHaveLength(CHECK_IDS.length);
    // The nodes ran the image as Ferrite's does: its entrypoint, `--config` pointing at the harness's TOML.
    expect(readFileSync(join(out, 'logs', 'redis-1.log'), 'utf8')).toContain('config /etc/ferrite-drill/ferrite.toml');
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    expect(html).toContain('id="preflight-table"');
    expect(html).toContain('The server lacks what this drill relies on: info-replication');
    expect(readFileSync(join(out, 'junit.xml'), 'utf8')).toMatch(/<testcase name="preflight: wait"[^>]*>\s*<failure/);
    expect(run.stdout).toContain('preflight      FAILED: missing info-replication, role, write-replicates, wait, offsets-advance, replicaof, min-replicas, sentinel');
    expect(harnessLeftovers()).toEqual({ containers: [], networks: [] });
  }, 240_000);
});
