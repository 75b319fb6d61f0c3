/**
 * The real drill, end to end, through the CLI as a user runs it: real redis-server and redis-sentinel
 * containers, a real SIGKILL, real Sentinel failover.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dockerMissingReason, harnessLeftovers } from './docker-available.ts';
import { parseSentinelLog } from '../../src/observe/sentinelTap.ts';
import type { DrillResult } from '../../src/record/result.ts';
import { runCli, startCli, whyNotPassed, type CliRun } from './run-cli.ts';

describe.skipIf(dockerMissingReason !== null)('primary-crash drill against real Redis and Sentinel', () => {
  const out = mkdtempSync(join(tmpdir(), 'fd-primary-crash-'));
  let run: CliRun;
  let result: DrillResult;

  beforeAll(async () => {
    run = await runCli(['run', 'primary-crash', '--out', out, '--json']);
    if (existsSync(join(out, 'result.json'))) result = JSON.parse(readFileSync(join(out, 'result.json'), 'utf8'));
  }, 180_000);

  it('passes with its default expectations and exits 0', () => {
    expect(result, `no result.json; stderr:\n${run.stderr}`).toBeDefined();
    expect(result.error).toBeNull();
    expect(result.verdict, whyNotPassed(result)).toBe('pass');
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout).runId).toBe(result.runId); // --json prints the result
  });

  it('elects a new primary, other than the one it killed', () => {
    const m = result.metrics!;
    expect(result.faults).toHaveLength(1);
    expect(result.faults[0]).toMatchObject({ kind: 'kill', target: 'primary', node: m.oldPrimary });
    expect(new Date(result.faults[0].injectedAt).toISOString()).toBe(result.faults[0].injectedAt);
    expect(m.newPrimary).not.toBeNull();
    expect(m.newPrimary).not.toBe(m.oldPrimary);
    expect(m.failoverMs).toBeGreaterThan(m.odownMs!);
  });

  it('detects no earlier than down-after, matching +sdown in the sentinels\' own logs within 20 ms', () => {
    const m = result.metrics!;
    expect(m.detectionMs).toBeGreaterThanOrEqual(result.topology.downAfterMs);
    const t0Wall = Date.parse(result.faults[0].injectedAt);
    const logged = readdirSync(join(out, 'logs'))
      .filter((f) => f.startsWith('sentinel-'))
      .flatMap((f) => parseSentinelLog(readFileSync(join(out, 'logs', f), 'utf8')))
      .filter((e) => e.event === '+sdown' && e.detail.startsWith('master '))
      .map((e) => e.wall - t0Wall)
      // A sentinel may flag the primary during bring-up on a slow machine; detection is about the fault.
      .filter((dt) => dt >= 0);
    expect(logged.length).toBeGreaterThanOrEqual(result.topology.quorum);
    const firstLogged = Math.min(...logged);
    expect(Math.abs(m.detectionMs! - firstLogged)).toBeLessThanOrEqual(20);
  });

  it('acknowledges thousands of writes and loses none that WAIT confirmed', () => {
    const m = result.metrics!;
    expect(m.writes.acknowledged).toBeGreaterThan(2000);
    expect(m.writes.attempted).toBe(m.writes.acknowledged + m.writes.failed + m.writes.indeterminate);
    expect(m.lostWrites.durable).toBe(0);
    expect(m.rtoMs).toBeGreaterThan(0);
    expect(m.writeUnavailableMs).toBeGreaterThanOrEqual(m.detectionMs! - 200);
  });

  it('writes the report, journal and container logs', () => {
    for (const f of ['result.json', 'report.html', 'journal.ndjson', 'ledger.bin', 'logs/redis-1.log', 'logs/sentinel-1.log']) {
      expect(existsSync(join(out, f)), f).toBe(true);
    }
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    expect(html).toContain('+switch-master');
    expect(html).toMatch(/class="verdict pass"/);
  });

  it('leaves no container or network behind', () => {
    expect(harnessLeftovers()).toEqual({ containers: [], networks: [] });
  });
});

describe.skipIf(dockerMissingReason !== null)('bad input starts nothing', () => {
  it('a broken scenario exits 2 naming file, line and field, and creates no container', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fd-bad-'));
    const file = join(dir, 'broken.yaml');
    writeFileSync(file, 'name: broken\nduration: 10s\ntopology:\n  replicas: -1\n');
    const before = harnessLeftovers();
    const r = await runCli(['run', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${file}:4:13: topology.replicas:`);
    expect(harnessLeftovers()).toEqual(before);
  });
});

describe.skipIf(dockerMissingReason !== null)('Ctrl-C during a drill', () => {
  it('tears everything down, writes the report with verdict error, and exits 130', async () => {
    const out = mkdtempSync(join(tmpdir(), 'fd-sigint-'));
    // Interrupt once the load is running (after bring-up), the phase with the most to clean up. One
    // SIGINT only (startCli acts once): a second one is the user's "force exit now", which skips the report.
    const cli = startCli(['run', 'primary-crash', '--out', out], {
      at: { when: (stderr) => stderr.includes('== load'), act: ({ child }) => setTimeout(() => child.kill('SIGINT'), 1500) },
    });
    const { code } = await cli.exited;
    expect(code, cli.stderr()).toBe(130);
    const result = JSON.parse(readFileSync(join(out, 'result.json'), 'utf8')) as DrillResult;
    expect(result.verdict).toBe('error');
    expect(result.error).toContain('SIGINT');
    expect(existsSync(join(out, 'report.html'))).toBe(true);
    expect(harnessLeftovers()).toEqual({ containers: [], networks: [] });
  }, 120_000);
});
