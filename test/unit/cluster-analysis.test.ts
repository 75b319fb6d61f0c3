/** Cluster mode's analysis on synthetic journals and ledgers, and the pieces it stands on (logs, slots). */
import { describe, it, expect } from 'vitest';
import calculateSlot from 'cluster-key-slot';
import { analyze } from '../../src/analysis/analyze.ts';
import { Code, Final, Ledger, NODE_UNKNOWN } from '../../src/record/ledger.ts';
import type { JournalEvent } from '../../src/record/journal.ts';
import { parseClusterLog } from '../../src/observe/clusterLog.ts';
import { parseClusterNodes, shardRanges, slotOwners, tagsForShard, ownerOfSlot } from '../../src/topology/modes/cluster/slots.ts';

const ID = (n: number) => String(n).repeat(40).slice(0, 40);
// Shard k: redis-(2k-1) primary, redis-2k replica.
const NODES = [1, 2, 3, 4, 5, 6].map((n) => ({ name: `redis-${n}`, kind: 'data', ip: `10.0.0.${n + 1}`, port: 6379, shard: Math.ceil(n / 2), clusterId: ID(n) }));
const [R1, R2, R3, , R5] = [0, 1, 2, 3, 4];

/** Synthetic events carry only the fields a test is about (cast: the journal's types demand every field). */
const ev = (t: number, type: string, fields: Record<string, unknown> = {}): JournalEvent => ({ t, wall: 1.7e12 + t, type, ...fields }) as unknown as JournalEvent;
const log = (t: number, node: string, event: string, subject: string | null = null) => ev(t, 'cluster.log', { node, event, subject, detail: `${event} ${subject ?? ''}`, logWall: 1.7e12 + t });

/** SIGKILL of shard 1's primary (redis-1) at t=1000; redis-2 wins the election at 4500. */
function crash(extra: JournalEvent[] = []): JournalEvent[] {
  return [
    ev(0, 'topology.nodes', { mode: 'cluster', nodes: NODES, slots: shardRanges(3) }),
    ev(100, 'load.start', { writers: 3, writerShards: [1, 2, 3] }),
    ev(1000, 'fault.inject', { key: 'kill-1#1', kind: 'kill', description: 'SIGKILL primary:shard-1', role: 'primary', node: 'redis-1', nodes: ['redis-1'], shards: [1] }),
    ev(3100, 'cluster.view', { node: 'redis-3', subject: 'redis-1', flags: 'master,fail?' }),
    log(3600, 'redis-5', 'fail', 'redis-1'),
    log(3605, 'redis-3', 'fail', 'redis-1'),
    log(3610, 'redis-3', 'state-fail'),
    log(3620, 'redis-5', 'state-fail'),
    log(4400, 'redis-2', 'failover-start'),
    log(4500, 'redis-2', 'election-won'),
    log(4510, 'redis-3', 'state-ok'),
    log(4600, 'redis-5', 'state-ok'),
    ev(10_000, 'load.stop'),
    ev(10_100, 'verify.done', { node: 'redis-2, redis-3, redis-5', checked: 10 }),
    ...extra,
  ];
}

/** Writer w writes shard w+1. Rows: [writer, start, latency, code, wait, node, final]. */
function ledgerOf(rows: [number, number, number, number, number, number, number][]): Ledger {
  const ledger = new Ledger(3, 'run', 16);
  for (const [w, start, latency, code, wait, node, final] of rows) {
    const i = ledger.writers[w].push(start, latency, code, wait, node);
    ledger.writers[w].final[i] = final;
  }
  return ledger;
}

describe('cluster analysis of a shard primary crash', () => {
  const ledger = ledgerOf([
    [0, 900, 5, Code.ok, 1, R1, Final.present],
    [0, 950, 60, Code.ok, 0, R1, Final.absent], // acknowledged by the old primary at 1010, WAIT 0: lost, unconfirmed
    [0, 1020, 3000, Code.connectionLost, 255, NODE_UNKNOWN, Final.absent],
    [0, 5000, 10, Code.ok, 0, R2, Final.present], // first write on the new primary: RTO 4010 ms
    [0, 5100, 10, Code.ok, 1, R2, Final.present],
    [1, 900, 5, Code.ok, 1, R3, Final.present],
    [1, 3700, 5, Code.clusterDown, 255, NODE_UNKNOWN, Final.absent],
    [1, 4700, 5, Code.ok, 1, R3, Final.present],
    [2, 900, 5, Code.ok, 1, R5, Final.present],
    [2, 2000, 5, Code.ok, 1, R5, Final.absent], // acknowledged with WAIT 1 and gone: durable, lost
    // Steady writes on every shard to the end of the load (gaps under a second).
    ...[6000, 7000, 8000, 9000, 9990].flatMap((t): [number, number, number, number, number, number, number][] => [
      [0, t, 5, Code.ok, 1, R2, Final.present],
      [1, t, 5, Code.ok, 1, R3, Final.present],
      [2, t, 5, Code.ok, 1, R5, Final.present],
    ]),
  ]);
  const m = analyze({ events: crash(), ledger, requiredReplicas: 1 });

  it('times the faulted shard from its own events: PFAIL polled, FAIL from the logs, the election won', () => {
    expect(m.mode).toBe('cluster');
    expect(m.oldPrimary).toBe('redis-1');
    expect(m.newPrimary).toBe('redis-2');
    expect(m.pfailMs).toBe(2100);
    expect(m.detectionMs).toBe(2600);
    expect(m.failoverMs).toBe(3500);
    expect(m.rtoMs).toBe(4010);
    expect(m.durableRtoMs).toBe(4110);
    expect(m.failovers).toBe(1);
    expect(m.odownMs).toBeNull();
  });

  it('counts cluster-down time while any node reported cluster_state:fail', () => {
    expect(m.clusterDownMs).toBe(990); // 3610 .. 4600
  });

  it('splits writes and lost writes per shard, with durable and unconfirmed', () => {
    const [s1, s2, s3] = m.shards;
    expect(s1).toMatchObject({ shard: 1, faulted: true, oldPrimary: 'redis-1', newPrimary: 'redis-2', rtoMs: 4010 });
    expect(s1.writes).toMatchObject({ attempted: 10, acknowledged: 9, indeterminate: 1 });
    expect(s1.lostWrites).toEqual({ total: 1, durable: 0, unconfirmed: 1 });
    expect(s2).toMatchObject({ faulted: false, newPrimary: null, rtoMs: null });
    expect(s2.writes).toMatchObject({ attempted: 8, acknowledged: 7, failed: 1 });
    expect(s3.lostWrites).toEqual({ total: 1, durable: 1, unconfirmed: 0 });
    expect(m.lostWrites).toEqual({ total: 2, durable: 1, unconfirmed: 1 });
    expect(m.failuresByReason).toEqual({ 'connection lost': 1, CLUSTERDOWN: 1 });
  });

  it('measures write unavailability per shard, the unfaulted ones over the same fault window', () => {
    expect(m.shards[0].writeUnavailableMs).toBe(4000); // 1010 .. 5010
    expect(m.shards[1].writeUnavailableMs).toBe(3800); // 905 .. 4705
    expect(m.shards[2].writeUnavailableMs).toBe(4000); // 2005 .. 6005
    expect(m.writeUnavailableMs).toBe(4000);
  });

  it('gives the report one timeline per faulted shard', () => {
    expect(m.steps.every((s) => s.shard === 1)).toBe(true);
    expect(m.steps.find((s) => s.label.startsWith('election won'))?.ms).toBe(3500);
  });
});

describe('cluster analysis when a majority of primaries is gone', () => {
  it('reports no failover, no detection (FAIL needs a majority), and the cluster down to the end of the load', () => {
    const events = [
      ev(0, 'topology.nodes', { mode: 'cluster', nodes: NODES, slots: shardRanges(3) }),
      ev(100, 'load.start', { writers: 3, writerShards: [1, 2, 3] }),
      ev(1000, 'fault.inject', { key: 'a#1', kind: 'kill', description: 'x', role: 'primary', node: 'redis-1', nodes: ['redis-1'], shards: [1] }),
      ev(1000, 'fault.inject', { key: 'b#1', kind: 'kill', description: 'y', role: 'primary', node: 'redis-3', nodes: ['redis-3'], shards: [2] }),
      ev(3200, 'cluster.view', { node: 'redis-5', subject: 'redis-1', flags: 'master,fail?' }),
      log(4000, 'redis-5', 'state-fail'),
      ev(10_000, 'load.stop'),
      ev(10_100, 'verify.skipped', { reason: 'no converged primary' }),
    ];
    const m = analyze({ events, ledger: ledgerOf([[2, 900, 5, Code.ok, 1, R5, Final.unchecked]]), requiredReplicas: 1 });
    expect(m.failovers).toBe(0);
    expect(m.failoverMs).toBeNull();
    expect(m.detectionMs).toBeNull();
    expect(m.pfailMs).toBe(2200);
    expect(m.clusterDownMs).toBe(6000);
    expect(m.lostWrites.total).toBeNull();
    expect(m.shards.filter((s) => s.faulted).map((s) => s.shard)).toEqual([1, 2]);
  });
});

describe('cluster pieces', () => {
  it('reads the cluster events Redis 7 logs', () => {
    const text = [
      '1:M 23 Nov 2026 10:00:01.100 * Marking node 1111111111111111111111111111111111111111 () as failing (quorum reached).',
      '1:M 23 Nov 2026 10:00:01.200 # Cluster state changed: fail',
      '1:S 23 Nov 2026 10:00:01.900 # Starting a failover election for epoch 7.',
      '1:S 23 Nov 2026 10:00:02.000 # Failover election won: I\'m the new master.',
      '1:M 23 Nov 2026 10:00:02.050 * Clear FAIL state for node 1111111111111111111111111111111111111111: master without slots is reachable again.',
      '1:M 23 Nov 2026 10:00:02.100 # Cluster state changed: ok',
      '1:M 23 Nov 2026 10:00:02.200 * Background saving started',
    ].join('\n');
    const events = parseClusterLog(text);
    expect(events.map((e) => e.event)).toEqual(['fail', 'state-fail', 'failover-start', 'election-won', 'fail-cleared', 'state-ok']);
    expect(events[0].subjectId).toBe(ID(1));
    expect(events[3].wall - events[0].wall).toBe(900);
  });

  it('parses CLUSTER NODES and finds who serves a slot, ignoring failed masters', () => {
    const view = parseClusterNodes(
      [
        `${ID(1)} 10.0.0.2:6379@16379 master,fail - 0 0 1 disconnected 0-5460`,
        `${ID(2)} 10.0.0.3:6379@16379 myself,master - 0 0 7 connected 0-5460`,
        `${ID(3)} 10.0.0.4:6379@16379 master - 0 0 2 connected 5461-10922 [93->-${ID(5)}]`,
      ].join('\n'),
    );
    expect(view[0]).toMatchObject({ ip: '10.0.0.2', port: 6379, flags: ['master', 'fail'], slots: [[0, 5460]] });
    expect(view[2].slots).toEqual([[5461, 10922]]);
    expect(ownerOfSlot(view, 100)?.id).toBe(ID(2));
    expect(ownerOfSlot(view, 6000)?.id).toBe(ID(3));
  });

  it('splits the slots evenly and finds key tags that stay on one shard', () => {
    const ranges = shardRanges(3);
    expect(Object.values(ranges).flat()).toEqual([[0, 5460], [5461, 10921], [10922, 16383]]);
    const owners = slotOwners(ranges);
    const tags = tagsForShard(owners, 2, 64, 'w1');
    expect(tags).toHaveLength(64);
    const slots = tags.map((t) => calculateSlot(`fd:{${t}}:1:0`));
    expect(new Set(slots).size).toBe(64);
    expect(slots.every((s) => s >= 5461 && s <= 10921)).toBe(true);
  });
});
