/**
 * The user's own configuration and client, for real: config files as the base of the nodes' configs
 * (what the harness changed, listed), a preset that refuses writes when a replica is cut off, every
 * user directive checked by the server itself before anything starts, and the same fault seen by the
 * strict client and by ioredis's defaults.
 */
import { describe, it, expect } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dockerMissingReason, harnessLeftovers } from './docker-available.ts';
import { readResult, runCli, whyNotPassed } from './run-cli.ts';
import type { DrillResult } from '../../src/record/result.ts';

const DRILL_TIMEOUT = 240_000;
const FIXTURES = join(import.meta.dirname, '../fixtures');
const REJECTS = join(FIXTURES, 'bad-scenarios/server-rejects');

async function drill(scenario: string): Promise<{ result: DrillResult; out: string }> {
  const out = mkdtempSync(join(tmpdir(), 'fd-config-'));
  const run = await runCli(['run', scenario, '--out', out, '--quiet']);
  const result = readResult(out);
  expect(result, `no result.json for ${scenario}; stderr:\n${run.stderr}`).toBeDefined();
  expect(result!.verdict, `${whyNotPassed(result, run)}\n${run.stdout}`).toBe('pass');
  expect(run.code).toBe(0);
  expect(harnessLeftovers()).toEqual({ containers: [], networks: [] });
  return { result: result!, out };
}

/** Containers of this test session that Docker started since `since` (seconds), by node label. */
function startedSince(since: number): string[] {
  const session = process.env.FERRITE_DRILL_SESSION;
  const label = session ? `label=dev.ferrite-drill.session=${session}` : 'label=dev.ferrite-drill';
  const out = execFileSync('docker', ['events', '--since', String(since), '--until', String(Math.ceil(Date.now() / 1000) + 1), '--filter', 'type=container', '--filter', 'event=start', '--filter', label, '--format', '{{index .Actor.Attributes "dev.ferrite-drill.node"}}'], { encoding: 'utf8' });
  return out.split('\n').filter((l) => l.trim() !== '');
}

describe.skipIf(dockerMissingReason !== null)('your configuration, checked by the server before anything starts', () => {
  // [scenario, the place the message must name, the server's reason]
  const cases: [string, string, RegExp][] = [
    ['130-invalid-directive.yaml', `${join(REJECTS, '130-invalid-directive.conf')}:4: not-a-directive 5:`, /Bad directive or wrong number of arguments/],
    ['131-negative-sync-delay.yaml', `${join(REJECTS, '131-negative-sync-delay.yaml')}:6:31: topology.serverConfig.repl-diskless-sync-delay:`, /argument must be between 0 and 2147483647/],
    ['132-sentinel-bad-value.yaml', `${join(REJECTS, '132-sentinel-bad-value.conf')}:3: sentinel resolve-hostnames maybe:`, /the sentinel refuses to start with it: Please specify yes or no/],
  ];

  it.each(cases)('%s: exit 2 naming the file and line; only the throwaway check ran, nothing is left', async (file, where, reason) => {
    const since = Math.floor(Date.now() / 1000) - 1;
    const r = await runCli(['run', join(REJECTS, file)]);
    expect(r.code, r.stderr).toBe(2);
    const message = r.stderr.split('\n').find((l) => l.startsWith('ferrite-drill: '));
    expect(message, r.stderr).toBeDefined();
    expect(message!.slice('ferrite-drill: '.length).startsWith(where), message).toBe(true);
    expect(message).toMatch(reason);
    expect(r.stderr).not.toContain('== topology');
    expect(r.stdout).toBe('');
    // No drill container was ever started: the only starts were the throwaway config checks.
    const started = startedSince(since);
    expect(started.length).toBeGreaterThanOrEqual(1);
    expect(started.every((n) => n === 'config-check'), started.join(', ')).toBe(true);
    expect(harnessLeftovers()).toEqual({ containers: [], networks: [] });
  }, DRILL_TIMEOUT);
});

describe.skipIf(dockerMissingReason !== null)('your config files and a preset, on a topology the harness creates', () => {
  it('max-durability over your redis.conf: a replica cut off -> NOREPLICAS; the report lists each directive the harness changed', async () => {
    const { result, out } = await drill(join(FIXTURES, 'config/max-durability.yaml'));
    const m = result.metrics!;
    expect(m.writes.noreplicas).toBeGreaterThan(0);
    expect(m.failovers).toBe(0);
    const conf = join(FIXTURES, 'config/redis.conf');
    expect(result.configuration!.preset).toMatch(/^max-durability \(appendonly yes, appendfsync always, min-replicas-to-write 2, min-replicas-max-lag 2\)/);
    expect(result.configuration!.files.server).toBe(conf);
    const changes = Object.fromEntries(result.configuration!.changes.server.map((c) => [c.directive, c]));
    expect(Object.keys(changes).sort()).toEqual(['appendfsync', 'appendonly', 'bind', 'daemonize', 'dir', 'logfile', 'min-replicas-to-write', 'port', 'replicaof']);
    expect(changes.port).toMatchObject({ file: conf, line: 3, was: 'port 6380', now: 'port 6379' });
    expect(changes.appendfsync).toMatchObject({ line: 9, was: 'appendfsync everysec', now: 'appendfsync always', why: 'topology.preset max-durability sets it' });
    expect(changes['min-replicas-to-write']).toMatchObject({ line: 11, now: 'min-replicas-to-write 2' });
    expect(changes.replicaof).toMatchObject({ line: 13, now: null, why: 'the harness decides which node replicates which' });
    // The sentinel.conf: its monitor replaced by the drill's, its timing by topology.sentinel, its other per-master setting moved.
    const sentinel = Object.fromEntries(result.configuration!.changes.sentinel.map((c) => [c.line, c]));
    expect(sentinel[5]).toMatchObject({ directive: 'sentinel', now: null, why: expect.stringContaining('monitors its own primary') });
    expect(sentinel[6].why).toMatch(/topology\.sentinel sets down-after-milliseconds/);
    expect(sentinel[8]).toMatchObject({ now: 'sentinel master-reboot-down-after-period mymaster 0' });
    // The real nodes run with what the file kept (save 900 1) and what the preset set (appendonly yes).
    const persistence = result.preflight!.checks.find((c) => c.id === 'persistence')!;
    expect(persistence.status).toBe('pass');
    expect(persistence.evidence.join('\n')).toMatch(/redis-1: appendonly yes, save "900 1"/);
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    expect(html).toContain('id="config-changes-table"');
    expect(html).toContain(`<code>${conf}:9</code>`);
    expect(html).toMatch(/preset <b>max-durability/);
  }, DRILL_TIMEOUT);
});

describe.skipIf(dockerMissingReason !== null)('your client: the same fault, the strict client and ioredis\'s defaults', () => {
  it('primary-crash vs primary-crash-default-client: the settings are stated, re-sent writes stay one honest ledger row', async () => {
    const strict = (await drill('primary-crash')).result;
    const defaults = (await drill('primary-crash-default-client')).result;
    expect(strict.client!.settings).toMatchObject({ base: 'strict', enableOfflineQueue: false, autoResendUnfulfilledCommands: false, maxRetriesPerRequest: 0, commandTimeout: 1000 });
    expect(defaults.client!.settings).toMatchObject({ base: 'ioredis-defaults', enableOfflineQueue: true, autoResendUnfulfilledCommands: true, maxRetriesPerRequest: 20, commandTimeout: 'none', connectTimeout: 10000 });
    for (const r of [strict, defaults]) {
      const w = r.metrics!.writes;
      expect(w.acknowledged + w.failed + w.indeterminate).toBe(w.attempted);
      expect(r.metrics!.unexpectedWrites).toBe(0);
      expect(r.metrics!.rtoMs).not.toBeNull();
    }
    // Strict: no offline queue, so writes during the failover fail at once (not connected), and nothing is re-sent.
    expect(strict.client!.mayResend).toBe(false);
    expect(strict.client!.acrossDrops).toBeUndefined();
    expect(strict.metrics!.writes.failed).toBeGreaterThan(0);
    // ioredis's defaults: writes wait in the offline queue instead of failing; those in flight at the kill
    // were re-sent after the reconnect, and each is one ledger row, acknowledged or indeterminate, never "failed".
    expect(defaults.client!.mayResend).toBe(true);
    expect(defaults.metrics!.writes.failed).toBe(0);
    const across = defaults.client!.acrossDrops!;
    expect(across.fail).toBe(0);
    expect(across.ok + across.indeterminate).toBeGreaterThan(0);
    console.log(`RTO strict ${strict.metrics!.rtoMs} ms (${strict.metrics!.writes.failed} failed, ${strict.metrics!.writes.indeterminate} indeterminate); ioredis defaults ${defaults.metrics!.rtoMs} ms (${defaults.metrics!.writes.failed} failed, ${defaults.metrics!.writes.indeterminate} indeterminate, across drops ${JSON.stringify(across)})`);
  }, 2 * DRILL_TIMEOUT);
});
