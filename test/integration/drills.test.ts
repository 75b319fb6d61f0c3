/**
 * Every built-in fault drill, run for real through the CLI against real containers, with the checks
 * that make each one mean something beyond "its expectations passed".
 */
import { describe, it, expect } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dockerMissingReason, harnessLeftovers } from './docker-available.ts';
import { readResult, startCli } from './run-cli.ts';
import { runPassingDrill } from './run-cli.ts';
import type { DrillResult } from '../../src/record/result.ts';

const DRILL_TIMEOUT = 240_000;
const results = new Map<string, DrillResult>();

async function drill(name: string): Promise<DrillResult> {
  const { result } = await runPassingDrill(name);
  results.set(name, result);
  return result;
}

describe.skipIf(dockerMissingReason !== null)('built-in fault drills against real Redis and Sentinel', () => {
  it('control: no fault, nothing lost, no failover', async () => {
    const m = (await drill('control')).metrics!;
    expect(m.lostWrites.total).toBe(0);
    expect(m.failovers).toBe(0);
  }, DRILL_TIMEOUT);

  it('primary-partition: split brain loses the old primary\'s acknowledged writes', async () => {
    const r = await drill('primary-partition');
    const m = r.metrics!;
    expect(m.newPrimary).not.toBe(m.oldPrimary);
    expect(m.splitBrainWrites).toBeGreaterThan(0);
    expect(m.splitBrainWindowMs).toBeGreaterThan(0);
    expect(m.lostWrites.total).toBeGreaterThan(0);
    expect(m.lostWrites.durable).toBe(0);
    expect(r.faults[0]).toMatchObject({ kind: 'partition', role: 'primary' });
    expect(r.faults[0].healedAtMs! - r.faults[0].atMs).toBeGreaterThanOrEqual(6000);
  }, DRILL_TIMEOUT);

  it('primary-partition without WAIT: the same losses, all unconfirmed, and durable unknowable (null), not "durable"', async () => {
    const r = await drill(join(import.meta.dirname, '../fixtures/primary-partition-no-wait.yaml'));
    const m = r.metrics!;
    expect(r.load.waitReplicas).toBe(0);
    expect(m.lostWrites.total).toBeGreaterThan(0);
    expect(m.lostWrites.durable).toBeNull();
    expect(m.lostWrites.unconfirmed).toBe(m.lostWrites.total);
    expect(m.durableNote).toMatch(/no WAIT/);
    // With WAIT 1 (the built-in drill above) the split stays what WAIT said: none durable.
    const withWait = results.get('primary-partition')!.metrics!;
    expect(withWait.lostWrites.durable).toBe(0);
    expect(withWait.lostWrites.unconfirmed).toBe(withWait.lostWrites.total);
  }, DRILL_TIMEOUT);

  it('primary-partition-min-replicas: NOREPLICAS refusals and fewer losses than without', async () => {
    const m = (await drill('primary-partition-min-replicas')).metrics!;
    expect(m.writes.noreplicas).toBeGreaterThan(0);
    // Compared with the plain partition drill above (same fault, no min-replicas): it must have run.
    const plain = results.get('primary-partition')?.metrics;
    expect(plain, 'primary-partition must run (and pass) before this comparison').toBeDefined();
    expect(m.lostWrites.total!).toBeLessThan(plain!.lostWrites.total!);
  }, DRILL_TIMEOUT);

  it('primary-pause: failover, then the thawed primary rejoins as a replica', async () => {
    const r = await drill('primary-pause');
    expect(r.metrics!.failovers).toBe(1);
    expect(r.timings.recovery?.converged).toBe(true);
    expect(r.timings.recovery?.primary).toBe(r.metrics!.newPrimary);
  }, DRILL_TIMEOUT);

  it('replica-crash-resync: the replica catches up with a (full) resync, nothing lost', async () => {
    const m = (await drill('replica-crash-resync')).metrics!;
    expect(m.resync).not.toBeNull();
    expect(m.resync!.catchUpMs).toBeGreaterThan(0);
    // No persistence: the restarted replica is empty and needs a full resync.
    expect(m.resync!.full).toBeGreaterThanOrEqual(1);
    expect(m.lostWrites.total).toBe(0);
  }, DRILL_TIMEOUT);

  it('sentinel-minority: one sentinel down, failover still happens', async () => {
    const r = await drill('sentinel-minority');
    expect(r.faults.map((f) => f.role)).toEqual(['sentinel', 'primary']);
    expect(r.metrics!.newPrimary).not.toBeNull();
  }, DRILL_TIMEOUT);

  it('sentinel-quorum-lost: two sentinels down, no failover, and the result says so', async () => {
    const r = await drill('sentinel-quorum-lost');
    const m = r.metrics!;
    expect(m.failovers).toBe(0);
    expect(m.failoverMs).toBeNull();
    expect(m.rtoMs).toBeNull();
    expect(m.odownMs).toBeNull();
    expect(r.timings.recovery?.converged).toBe(false);
  }, DRILL_TIMEOUT);

  it('network-flap: five sub-threshold drops, Sentinel does not flap', async () => {
    const r = await drill('network-flap');
    expect(r.faults).toHaveLength(5);
    expect(r.faults.every((f) => f.healedAtMs !== null)).toBe(true);
    expect(r.metrics!.sdownEvents).toBe(0);
  }, DRILL_TIMEOUT);

  it('lossy-replication-link: 30% loss between primary and replicas, nothing durable lost', async () => {
    const r = await drill('lossy-replication-link');
    expect(r.faults[0]).toMatchObject({ kind: 'loss' });
    expect(r.metrics!.lostWrites.durable).toBe(0);
  }, DRILL_TIMEOUT);

  it('primary-crash-haproxy-docs: Sentinel fails over, but the docs\' HAProxy has no server for the new primary: RTO never, and the report says why', async () => {
    const r = await drill('primary-crash-haproxy-docs');
    const m = r.metrics!;
    expect(m.failovers).toBeGreaterThanOrEqual(1);
    expect(m.newPrimary).not.toBeNull();
    expect(m.rtoMs).toBeNull();
    expect(m.findings.join(' ')).toMatch(/HAProxy had no server UP .* RTO never/);
    // HAProxy's own log: its one server marked DOWN after the kill, never UP again.
    const proxySteps = m.steps.filter((s) => s.label.startsWith('HAProxy'));
    expect(proxySteps.map((s) => s.label)).toContain('HAProxy: primary DOWN');
    expect(proxySteps.some((s) => s.label.endsWith(' UP'))).toBe(false);
    expect(r.clientPath).toBe('direct');
  }, DRILL_TIMEOUT);

  it('primary-crash-haproxy-role: writes resume once HAProxy\'s role check finds the new primary', async () => {
    const r = await drill('primary-crash-haproxy-role');
    const m = r.metrics!;
    const up = m.steps.find((s) => s.label === `HAProxy: ${m.newPrimary} UP`);
    const down = m.steps.find((s) => s.label === `HAProxy: ${m.oldPrimary} DOWN`);
    expect(up, 'HAProxy marked the new primary UP').toBeDefined();
    expect(down, 'HAProxy marked the old primary DOWN').toBeDefined();
    console.log(`haproxy-role: failover ${m.failoverMs} ms, HAProxy: new primary UP ${up!.ms} ms, old primary DOWN ${down!.ms} ms, RTO ${m.rtoMs} ms`);
    // The client's RTO includes HAProxy's detection: after Sentinel's failover and after HAProxy saw it.
    expect(m.rtoMs!).toBeGreaterThan(m.failoverMs!);
    expect(m.rtoMs!).toBeGreaterThanOrEqual(up!.ms!);
    // Until the old primary is DOWN too, HAProxy still sends some new connections to it, where they wait
    // out `timeout connect` (1 s) and its retries: writes resume within that of both state changes.
    expect(m.rtoMs! - Math.max(up!.ms!, down!.ms!)).toBeLessThan(3000);
  }, DRILL_TIMEOUT);
});

describe.skipIf(dockerMissingReason !== null)('Ctrl-C while a partition is active', () => {
  it('heals the partition, removes everything, leaves no iptables rule, and exits 130', async () => {
    const out = mkdtempSync(join(tmpdir(), 'fd-sigint-partition-'));
    const cli = startCli(['run', 'primary-partition', '--out', out], {
      at: { when: (stderr) => /fault partition-1#1/.test(stderr), act: ({ child }) => setTimeout(() => child.kill('SIGINT'), 500) },
    });
    const { code } = await cli.exited;
    expect(code, cli.stderr()).toBe(130);
    expect(cli.stderr()).toContain('healing 1 active fault');
    const r = readResult(out)!;
    expect(r.verdict).toBe('error');
    expect(r.faults[0].healedAt).not.toBeNull();
    expect(harnessLeftovers()).toEqual({ containers: [], networks: [] });
    // The harness never adds rules on the host; its chains live in the containers' namespaces only.
    expect(execFileSync('iptables-save', { encoding: 'utf8' })).not.toMatch(/FD-[0-9a-f]{8}-/);
  }, 120_000);
});
