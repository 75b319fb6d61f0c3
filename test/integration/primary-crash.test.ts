/**
 * The real drill, end to end, through the CLI as a user runs it: real redis-server and redis-sentinel
 * containers, a real SIGKILL, real Sentinel failover.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dockerMissingReason, harnessLeftovers } from './docker-available.ts';
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
    // On this Linux host the bridge network is routable: clients talk to the containers directly.
    expect(result.clientPath).toBe('direct');
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

  it('detects no earlier than down-after, and the logged times agree with two independent observations', () => {
    const m = result.metrics!;
    const downAfter = result.topology.downAfterMs;
    expect(m.detectionMs).toBeGreaterThanOrEqual(downAfter);
    // Independent observation 1: the same +sdown / +switch-master as the live pub/sub tap received them
    // (the harness's clock at arrival), against the sentinels' own log timestamps that the metrics use.
    const cc = m.crossCheck!;
    expect(cc.detection!.liveMs, 'the tap saw +sdown').not.toBeNull();
    expect(cc.failover!.liveMs, 'the tap saw +switch-master').not.toBeNull();
    console.log(`cross-check: detection logged ${m.detectionMs} ms, tap ${cc.detection!.liveMs} ms; failover logged ${m.failoverMs} ms, tap ${cc.failover!.liveMs} ms; container died ${cc.faultEffectMs} ms after t0`);
    // A sentinel logs an event, then publishes it: the tap hears it a little later, never much earlier.
    expect(cc.detection!.deltaMs!).toBeGreaterThanOrEqual(-20);
    expect(cc.detection!.deltaMs!).toBeLessThanOrEqual(150);
    expect(cc.failover!.deltaMs!).toBeGreaterThanOrEqual(-20);
    expect(cc.failover!.deltaMs!).toBeLessThanOrEqual(150);
    // Independent observation 2: the fault's own effect, as Docker's event stream reported the container's
    // death. Sentinel cannot flag the primary before down-after has passed since then.
    expect(cc.faultEffectMs, 'Docker reported the death').not.toBeNull();
    expect(cc.faultEffectMs!).toBeGreaterThanOrEqual(0);
    expect(cc.faultEffectMs!).toBeLessThan(1000);
    expect(m.detectionMs! - cc.faultEffectMs!).toBeGreaterThanOrEqual(downAfter - 50);
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
