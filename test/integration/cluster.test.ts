/**
 * Redis Cluster drills for real, through the CLI: 3 shards of real redis-server in cluster mode, real
 * SIGKILLs and iptables partitions, and the checks that make each drill mean something.
 */
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { dockerMissingReason } from './docker-available.ts';
import { runPassingDrill } from './run-cli.ts';
import { parseNdjson } from '../../src/record/journal.ts';
import type { DrillResult } from '../../src/record/result.ts';

const DRILL_TIMEOUT = 240_000;

async function drill(name: string): Promise<{ result: DrillResult; out: string }> {
  return runPassingDrill(name);
}

describe.skipIf(dockerMissingReason !== null)('Redis Cluster drills against real redis-server', () => {
  it('cluster-primary-crash: the shard\'s replica is promoted, every shard keeps writing, nothing WAIT-confirmed is lost', async () => {
    const { result, out } = await drill('cluster-primary-crash');
    const m = result.metrics!;
    const nodeTimeout = result.topology.nodeTimeoutMs!;
    expect(result.topology.mode).toBe('cluster');
    expect(m.mode).toBe('cluster');
    expect(m.detectionMs).toBeGreaterThanOrEqual(nodeTimeout);
    expect(m.failoverMs).toBeGreaterThan(m.detectionMs!);
    expect(m.newPrimary).not.toBeNull();
    expect(m.newPrimary).not.toBe(m.oldPrimary);
    expect(m.clusterDownMs).not.toBeNull();
    expect(m.lostWrites.durable).toBe(0);
    for (const shard of m.shards) expect(shard.writes.acknowledged, `shard ${shard.shard}`).toBeGreaterThan(1000);
    expect(m.shards.filter((s) => s.faulted).map((s) => s.shard)).toEqual([1]);
    // FAIL as the nodes logged it, against the poller's independent sampling of CLUSTER NODES (every 100 ms).
    const events = parseNdjson(readFileSync(join(out, 'journal.ndjson'), 'utf8'));
    const t0 = events.find((e) => e.type === 'fault.inject')!.t;
    const polledFail = events.find((e) => e.type === 'cluster.view' && e.t >= t0 && e.subject === m.oldPrimary && e.flags.split(',').includes('fail'));
    expect(polledFail, 'the poller saw the FAIL flag').toBeDefined();
    const polledMs = polledFail!.t - t0;
    console.log(`cluster-primary-crash: PFAIL ${m.pfailMs} ms, FAIL ${m.detectionMs} ms (logged) / ${polledMs.toFixed(0)} ms (polled), election won ${m.failoverMs} ms, cluster down ${m.clusterDownMs} ms, RTO ${m.rtoMs} ms`);
    // The poll can only see the flag after the log line was written, within a poll interval and its round trip.
    expect(polledMs).toBeGreaterThanOrEqual(m.detectionMs! - 5);
    expect(polledMs - m.detectionMs!).toBeLessThan(400);
  }, DRILL_TIMEOUT);

  it('cluster-primary-partition: the isolated primary acknowledges writes that are lost when it rejoins', async () => {
    const { result } = await drill('cluster-primary-partition');
    const m = result.metrics!;
    expect(m.newPrimary).not.toBeNull();
    expect(m.lostWrites.total).toBeGreaterThan(0);
    expect(m.lostWrites.durable).toBe(0);
    expect(m.shards[0].lostWrites.total).toBe(m.lostWrites.total); // only the partitioned shard lost any
    expect(result.timings.recovery?.converged).toBe(true);
  }, DRILL_TIMEOUT);

  it('cluster-majority-down: no failover is possible, and the cluster stays down to the end', async () => {
    const { result } = await drill('cluster-majority-down');
    const m = result.metrics!;
    expect(result.faults.map((f) => f.role)).toEqual(['primary', 'primary']);
    expect(m.failovers).toBe(0);
    expect(m.failoverMs).toBeNull();
    expect(m.rtoMs).toBeNull();
    expect(result.timings.recovery?.converged).toBe(false);
    // Down from about node-timeout after the kills until the load stopped.
    const remaining = (result.series!.loadMs - result.faults[0].atMs);
    expect(m.clusterDownMs).toBeGreaterThan(remaining - result.topology.nodeTimeoutMs! - 2000);
  }, DRILL_TIMEOUT);
});
