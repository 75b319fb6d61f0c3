/**
 * Memory, disk, persistence and zone failures, each a built-in drill run for real through the CLI: the
 * numbers that say what happened (OOM kills, refusals, failover or not, what came back after a crash),
 * and nothing left behind — containers, networks, and the volumes a run could have made (tmpfs data
 * disks live inside their containers and go with them).
 */
import { describe, it, expect } from 'vitest';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { dockerMissingReason } from './docker-available.ts';
import { runPassingDrill } from './run-cli.ts';
import type { DrillResult } from '../../src/record/result.ts';

const DRILL_TIMEOUT = 240_000;

function harnessVolumes(): string[] {
  return execFileSync('docker', ['volume', 'ls', '--filter', 'label=dev.ferrite-drill', '--format', '{{.Name}}'], { encoding: 'utf8' })
    .split('\n')
    .filter((l) => l.trim() !== '');
}

async function drill(name: string): Promise<{ result: DrillResult; out: string }> {
  const { result, out } = await runPassingDrill(name);
  expect(harnessVolumes()).toEqual([]);
  return { result, out };
}

const journalOf = (out: string) =>
  readFileSync(join(out, 'journal.ndjson'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);

describe.skipIf(dockerMissingReason !== null)('memory, disks, persistence and zones against real Redis and Sentinel', () => {
  it('primary-oom-kill: the kernel OOM-kills the primary at its container limit, Sentinel fails over', async () => {
    const { result, out } = await drill('primary-oom-kill');
    const m = result.metrics!;
    expect(m.oomKills).toBe(1);
    expect(m.fills).toHaveLength(1);
    expect(m.fills[0]).toMatchObject({ node: 'redis-1', stoppedBy: 'connection-lost', oomKilled: true });
    // It died near its 64 MB limit, not before the fill got going nor long after.
    expect(m.fills[0].bytes).toBeGreaterThan(30 * 1024 * 1024);
    expect(m.fills[0].bytes).toBeLessThan(64 * 1024 * 1024);
    // Docker's own record of the death: the oom event, then the exit with 137 (SIGKILL from the kernel).
    const deaths = journalOf(out).filter((e) => e.type === 'container.die' && e.node === 'redis-1');
    expect(deaths.map((e) => e.action)).toContain('oom');
    expect(deaths.find((e) => e.action === 'die')?.exitCode).toBe('137');
    expect(m.newPrimary).not.toBe('redis-1');
    expect(m.detectionMs).toBeGreaterThan(1000); // down-after counts from the death, which follows the fill
    expect(m.findings.join('\n')).toMatch(/the kernel OOM-killed redis-1/);
  }, DRILL_TIMEOUT);

  it('primary-oom-maxmemory: clients see OOM refusals, the primary stays, no failover, writes resume after the heal', async () => {
    const { result } = await drill('primary-oom-maxmemory');
    const m = result.metrics!;
    expect(m.writes.oom).toBeGreaterThan(0);
    expect(m.writes.failed).toBeGreaterThanOrEqual(m.writes.oom);
    expect(m.failuresByReason.OOM).toBe(m.writes.oom);
    expect(m.fills[0]).toMatchObject({ node: 'redis-1', stoppedBy: 'refused', oomKilled: null });
    expect(m.fills[0].error).toMatch(/^OOM command not allowed/);
    expect(m.oomKills).toBe(0);
    expect(m.failovers).toBe(0);
    expect(result.timings.recovery?.primary).toBe('redis-1');
    // After the heal deleted the fill, writes were acknowledged again: the last bucket of the series has acks.
    const heal = result.faults[0].healedAtMs!;
    const after = result.series!.buckets.filter((b) => b.t >= heal + 500);
    expect(after.some((b) => b.ok > 0)).toBe(true);
  }, DRILL_TIMEOUT);

  it('primary-disk-full: MISCONF refusals, and Sentinel fails over because PING is refused too', async () => {
    const { result } = await drill('primary-disk-full');
    const m = result.metrics!;
    expect(m.writes.misconf).toBeGreaterThan(0);
    expect(m.failuresByReason.MISCONF).toBe(m.writes.misconf);
    expect(m.fills[0]).toMatchObject({ node: 'redis-1', stoppedBy: 'refused' });
    expect(m.fills[0].error).toMatch(/^MISCONF Errors writing to the AOF file: No space left on device/);
    // Filled to its 16 MB tmpfs, not to the 1 GB the fill would go on to.
    expect(m.fills[0].bytes).toBeLessThanOrEqual(16 * 1024 * 1024);
    expect(m.failovers).toBe(1);
    expect(m.newPrimary).not.toBe('redis-1');
    expect(m.findings.join('\n')).toMatch(/Redis answers PING with MISCONF/);
    expect(m.lostWrites.durable).toBe(0);
  }, DRILL_TIMEOUT);

  // Every data node SIGKILLed and started again: what came back is what each persistence setting kept.
  // The oracle is the series (acknowledgements by completion time, bucketed): those acknowledged wholly
  // before t0, and those up to the restart (the heal; a loaded machine can take a while to land both kills,
  // and nothing is acknowledged while every node is down).
  type Acked = { before: number; upToRestart: number };
  const persistence: [string, (m: NonNullable<DrillResult['metrics']>, acked: Acked) => void][] = [
    ['persistence-restart', (m) => {
      // AOF everysec: every write reached the file (the page cache) before its reply.
      expect(m.lostWrites.total).toBe(0);
      expect(m.rpoMs).toBe(0);
    }],
    ['persistence-restart-rdb', (m, acked) => {
      // RDB every 2 s: the writes after the last snapshot are gone, those before it came back.
      expect(m.lostWrites.total).toBeGreaterThan(0);
      expect(m.lostWrites.total).toBeLessThan(acked.before);
      expect(m.rpoMs).toBeGreaterThan(0);
      expect(m.rpoMs).toBeLessThan(6000);
    }],
    ['persistence-restart-off', (m, acked) => {
      // No persistence: every write acknowledged before the crash is gone, back to the first one.
      expect(m.lostWrites.total).toBeGreaterThanOrEqual(acked.before);
      expect(m.lostWrites.total).toBeLessThanOrEqual(acked.upToRestart);
      expect(m.rpoMs).toBeGreaterThan(3000);
    }],
  ];
  for (const [name, check] of persistence) {
    it(`${name}: a crash of every data node, and what came back from disk`, async () => {
      const { result } = await drill(name);
      const m = result.metrics!;
      expect(m.failovers).toBe(0);
      expect(result.faults.flatMap((f) => f.nodes).sort()).toEqual(['redis-1', 'redis-2']);
      const { t0, bucketMs, buckets } = result.series!;
      const sum = (keep: (t: number) => boolean) => buckets.filter((b) => keep(b.t)).reduce((n, b) => n + b.ok, 0);
      const restart = Math.min(...result.faults.map((f) => f.healedAtMs!));
      check(m, { before: sum((t) => t + bucketMs <= t0!), upToRestart: sum((t) => t <= restart) });
      expect(m.findings.join('\n')).toMatch(/every data node was killed with SIGKILL.*keeps the kernel's page cache.*not a power loss/);
    }, DRILL_TIMEOUT);
  }

  it('aof-corrupted-restart: a truncated AOF loads with aof-load-truncated yes and the replica rejoins', async () => {
    const { result, out } = await drill('aof-corrupted-restart');
    const m = result.metrics!;
    const damage = journalOf(out).find((e) => e.type === 'fault.aof-damage')!;
    expect(damage).toMatchObject({ damage: 'truncate', bytes: 7 });
    expect(damage.sizeAfter).toBe((damage.sizeBefore as number) - 7);
    expect(damage.file).toMatch(/^appendonly\.aof\.\d+\.incr\.aof$/);
    const restart = journalOf(out).find((e) => e.type === 'fault.aof-restart')!;
    expect(restart.outcome).toBe('running');
    expect((restart.log as string[]).join('\n')).toMatch(/loaded anyway because aof-load-truncated is enabled/);
    expect(m.resync?.node).toBe(damage.node);
    expect(m.resync?.catchUpMs).toBeGreaterThan(0);
  }, DRILL_TIMEOUT);

  it('aof-corrupted-restart-strict: with aof-load-truncated no the node refuses the file, exits 1 and stays down', async () => {
    const { result, out } = await drill('aof-corrupted-restart-strict');
    const restart = journalOf(out).find((e) => e.type === 'fault.aof-restart')!;
    expect(restart).toMatchObject({ outcome: 'exited', exitCode: 1 });
    expect((restart.log as string[]).join('\n')).toMatch(/Unexpected end of file reading the append only file/);
    expect(result.metrics!.resync?.catchUpMs).toBeNull();
    expect(result.metrics!.findings.join('\n')).toMatch(/refused the file and exited with code 1/);
  }, DRILL_TIMEOUT);

  it('zone-down: the primary\'s zone (its data node and its sentinel) killed at once; the other zones fail over', async () => {
    const { result } = await drill('zone-down');
    const m = result.metrics!;
    expect(result.faults[0]).toMatchObject({ kind: 'zone-down', role: 'primary' });
    expect([...result.faults[0].nodes].sort()).toEqual(['redis-1', 'sentinel-1']);
    expect(['redis-2', 'redis-3']).toContain(m.newPrimary);
    // The dead zone's sentinel saw nothing: detection came from the two others.
    expect(m.perSentinel['sentinel-1'].sdownMs).toBeNull();
    expect(m.lostWrites.durable).toBe(0);
  }, DRILL_TIMEOUT);

  it('zone-isolate: the primary\'s zone cut off with the clients in it: split brain, unconfirmed writes lost', async () => {
    const { result } = await drill('zone-isolate');
    const m = result.metrics!;
    expect(result.faults[0]).toMatchObject({ kind: 'zone-isolate', role: 'primary' });
    expect([...result.faults[0].nodes].sort()).toEqual(['redis-1', 'sentinel-1']);
    expect(m.newPrimary).not.toBe('redis-1');
    expect(m.splitBrainWrites).toBeGreaterThan(0);
    expect(m.lostWrites.total).toBeGreaterThan(0);
    expect(m.lostWrites.durable).toBe(0);
    expect(m.perSentinel['sentinel-1'].sdownMs).toBeNull(); // it still reached the primary
  }, DRILL_TIMEOUT);
});
