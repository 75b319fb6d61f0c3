/** The analysis on synthetic journals and ledgers: every number traced to hand-made events. */
import { describe, it, expect } from 'vitest';
import { analyze } from '../../src/analysis/analyze.ts';
import { longestGapOverlapping } from '../../src/analysis/writes.ts';
import { evaluateExpectations } from '../../src/analysis/expectations.ts';
import { Code, Final, Ledger, WAIT_UNKNOWN } from '../../src/record/ledger.ts';
import type { JournalEvent } from '../../src/record/journal.ts';

const NODES = [
  { name: 'redis-1', kind: 'data', ip: '10.0.0.2', port: 6379 },
  { name: 'redis-2', kind: 'data', ip: '10.0.0.3', port: 6379 },
  { name: 'redis-3', kind: 'data', ip: '10.0.0.4', port: 6379 },
  { name: 'sentinel-1', kind: 'sentinel', ip: '10.0.0.5', port: 26379 },
  { name: 'sentinel-2', kind: 'sentinel', ip: '10.0.0.6', port: 26379 },
  { name: 'sentinel-3', kind: 'sentinel', ip: '10.0.0.7', port: 26379 },
];
const [R1, R2] = [0, 1];

let wallBase = 1_700_000_000_000;
/** Synthetic events carry only the fields a test is about (cast: the journal's types demand every field). */
const ev = (t: number, type: string, fields: Record<string, unknown> = {}): JournalEvent => ({ t, wall: wallBase + t, type, ...fields }) as unknown as JournalEvent;
const sentinel = (t: number, node: string, channel: string, message: string) => ev(t, 'sentinel.event', { node, channel, message });
const M = 'master mymaster 10.0.0.2 6379';

/** A crash of redis-1 at t=1000 and a failover to redis-2. */
function crashJournal(extra: JournalEvent[] = []): JournalEvent[] {
  return [
    ev(0, 'topology.nodes', { mode: 'sentinel', masterName: 'mymaster', nodes: NODES }),
    ev(100, 'load.start'),
    sentinel(500, 'sentinel-1', '+sdown', M), // before t0: ignored
    ev(1000, 'fault.inject', { key: 'kill-1#1', kind: 'kill', role: 'primary', node: 'redis-1' }),
    sentinel(2050, 'sentinel-2', '+sdown', M),
    sentinel(2080, 'sentinel-1', '+sdown', M),
    sentinel(2090, 'sentinel-1', '+sdown', 'master othermaster 10.0.0.2 6379'), // another master: ignored
    sentinel(2150, 'sentinel-1', '+odown', `${M} #quorum 2/2`),
    sentinel(2160, 'sentinel-1', '+try-failover', M),
    sentinel(2200, 'sentinel-1', '+elected-leader', M),
    sentinel(2300, 'sentinel-1', '+selected-slave', 'slave 10.0.0.3:6379 10.0.0.3 6379 @ mymaster 10.0.0.2 6379'),
    sentinel(3100, 'sentinel-1', '+promoted-slave', 'slave 10.0.0.3:6379 10.0.0.3 6379 @ mymaster 10.0.0.2 6379'),
    sentinel(3200, 'sentinel-1', '+switch-master', 'mymaster 10.0.0.2 6379 10.0.0.3 6379'),
    sentinel(3210, 'sentinel-2', '+switch-master', 'mymaster 10.0.0.2 6379 10.0.0.3 6379'),
    sentinel(4200, 'sentinel-1', '+slave-reconf-done', 'slave 10.0.0.4:6379 10.0.0.4 6379 @ mymaster 10.0.0.2 6379'),
    ev(6000, 'load.stop'),
    ev(6100, 'verify.done', { node: 'redis-2', checked: 10 }),
    ...extra,
  ];
}

function ledgerOf(rows: [start: number, latency: number, code: number, wait: number, node: number, final: number][]): Ledger {
  const ledger = new Ledger(1, 'run', 16);
  const w = ledger.writers[0];
  for (const [start, latency, code, wait, node, final] of rows) {
    const i = w.push(start, latency, code, wait, node);
    w.final[i] = final;
  }
  return ledger;
}

const input = (events: JournalEvent[], ledger: Ledger, requiredReplicas = 1) => ({ events, ledger, requiredReplicas });

describe('the load\'s pace', () => {
  it('is writes per second over the load phase: 3000 acknowledged and 1000 refused in 2 s', () => {
    const rows = Array.from({ length: 4000 }, (_, i) => [100 + i / 2, 0.3, i % 4 === 3 ? Code.readonly : Code.ok, 1, R1, Final.present] as [number, number, number, number, number, number]);
    const events = [ev(0, 'topology.nodes', { mode: 'sentinel', masterName: 'mymaster', nodes: NODES }), ev(100, 'load.start'), ev(2100, 'load.stop')];
    expect(analyze(input(events, ledgerOf(rows))).throughput).toEqual({ loadMs: 2000, attemptedPerSecond: 2000, acknowledgedPerSecond: 1500 });
  });

  it('is null when the load never ran', () => {
    expect(analyze(input([ev(0, 'topology.nodes', { mode: 'sentinel', masterName: 'mymaster', nodes: NODES })], ledgerOf([]))).throughput).toBeNull();
  });
});

describe('analysis of a primary crash', () => {
  const ledger = ledgerOf([
    [800, 5, Code.ok, 1, R1, Final.present], // before the fault, durable
    [990, 5, Code.ok, 1, R1, Final.absent], // lost although WAIT confirmed: durable loss
    [995, 4, Code.ok, 0, R1, Final.absent], // lost, WAIT short: unconfirmed
    [996, 4, Code.ok, WAIT_UNKNOWN, R1, Final.absent], // lost, WAIT never answered: unconfirmed
    [999, 1000, Code.connectionLost, WAIT_UNKNOWN, 255, Final.present], // indeterminate, applied: recovered
    [999, 1000, Code.timeout, WAIT_UNKNOWN, 255, Final.absent], // indeterminate, absent: not lost
    [2000, 1, Code.notConnected, WAIT_UNKNOWN, 255, Final.absent],
    [3000, 2, Code.readonly, WAIT_UNKNOWN, 255, Final.absent],
    [3300, 10, Code.ok, 0, R2, Final.present], // first ack on the new primary: RTO 2310
    [3400, 10, Code.ok, 1, R2, Final.present], // first durable ack: durable RTO 2410
    [4500, 5, Code.ok, 1, R2, Final.present],
    [5990, 5, Code.ok, 1, R2, Final.present], // the load went on until it stopped at 6000
  ]);
  const m = analyze(input(crashJournal(), ledger));

  it('times Sentinel from t0, ignoring events before the fault and about other masters', () => {
    expect(m.detectionMs).toBe(1050);
    expect(m.odownMs).toBe(1150);
    expect(m.failoverMs).toBe(2200);
    expect(m.phases).toMatchObject({ tryFailover: 1160, electedLeader: 1200, selectedReplica: 1300, promotedReplica: 2100, replicasReconfigured: 3200 });
    expect(m.perSentinel['sentinel-1']).toEqual({ sdownMs: 1080, odownMs: 1150 });
    expect(m.perSentinel['sentinel-2']).toEqual({ sdownMs: 1050, odownMs: null });
    expect(m.oldPrimary).toBe('redis-1');
    expect(m.newPrimary).toBe('redis-2');
    expect(m.failovers).toBe(1); // two sentinels announcing the same switch
  });

  it('measures RTO on the new primary and durable RTO with the WAIT count', () => {
    expect(m.rtoMs).toBe(2310);
    expect(m.durableRtoMs).toBe(2410);
  });

  it('counts writes by outcome and classifies lost, recovered and not-lost', () => {
    expect(m.writes).toEqual({ attempted: 12, acknowledged: 8, failed: 2, indeterminate: 2, noreplicas: 0, oom: 0, misconf: 0 });
    expect(m.lostWrites).toEqual({ total: 3, durable: 1, unconfirmed: 2 });
    expect(m.recoveredWrites).toBe(1);
    expect(m.unexpectedWrites).toBe(0);
    expect(m.lostSample.map((l) => [l.key, l.durable, l.wait, l.node])).toEqual([
      ['fd:0:1', true, 1, 'redis-1'],
      ['fd:0:2', false, 0, 'redis-1'],
      ['fd:0:3', false, null, 'redis-1'],
    ]);
    expect(m.failuresByReason).toEqual({ 'connection lost': 1, timeout: 1, 'not connected': 1, READONLY: 1 });
  });

  it('write unavailability is the longest ack gap overlapping the fault', () => {
    // acks end at 805, 995, 999, 1000, 3310, 3410, 4505, 5995; the gap 1000 -> 3310 is the longest in the fault
    expect(m.writeUnavailableMs).toBe(2310);
  });

  it('turns metrics into verdicts, with min, max and both', () => {
    const results = evaluateExpectations(
      { detectionMs: { min: 1000, max: 2000 }, 'lostWrites.durable': { max: 0 }, 'writes.acknowledged': { min: 9 }, rtoMs: { max: 5000 } },
      m,
    );
    expect(results.map((r) => [r.metric, r.limit, r.actual, r.pass])).toEqual([
      ['detectionMs', '>= 1000 and <= 2000', 1050, true],
      ['lostWrites.durable', '<= 0', 1, false],
      ['writes.acknowledged', '>= 9', 8, false],
      ['rtoMs', '<= 5000', 2310, true],
    ]);
  });
});

describe('analysis when things did not happen', () => {
  it('no failover: failover, new primary and RTO are null, and expectations on them fail with a note', () => {
    const events = crashJournal().filter((e) => !(e.type === 'sentinel.event' && (e.channel === '+switch-master' || e.channel === '+slave-reconf-done')));
    const m = analyze(input(events, ledgerOf([[900, 5, Code.ok, 1, R1, Final.present], [1500, 1, Code.notConnected, 255, 255, Final.absent]])));
    expect(m.failoverMs).toBeNull();
    expect(m.newPrimary).toBeNull();
    expect(m.rtoMs).toBeNull();
    expect(m.failovers).toBe(0);
    // no ack after the fault: unavailable from the last ack (905) to the end of the load (6000)
    expect(m.writeUnavailableMs).toBe(5095);
    const [r] = evaluateExpectations({ failoverMs: { max: 5000 } }, m);
    expect(r).toMatchObject({ pass: false, actual: null, note: 'never happened during the drill' });
  });

  it('no verification: lost writes are unknown (null), not zero', () => {
    const events = crashJournal().filter((e) => e.type !== 'verify.done');
    const m = analyze(input(events, ledgerOf([[900, 5, Code.ok, 1, R1, Final.unchecked]])));
    expect(m.lostWrites).toEqual({ total: null, durable: null, unconfirmed: null });
    const [r] = evaluateExpectations({ 'lostWrites.durable': { max: 0 } }, m);
    expect(r.pass).toBe(false);
    expect(r.note).toMatch(/not verified/);
  });

  it('no fault at all: nothing is timed', () => {
    const events = [ev(0, 'topology.nodes', { mode: 'sentinel', masterName: 'mymaster', nodes: NODES }), ev(6000, 'load.stop'), ev(6100, 'verify.done', { node: 'redis-1' })];
    const m = analyze(input(events, ledgerOf([[900, 5, Code.ok, 1, R1, Final.present]])));
    expect(m.detectionMs).toBeNull();
    expect(m.writeUnavailableMs).toBeNull();
    expect(m.lostWrites.total).toBe(0);
  });
});

describe('analysis of a split brain', () => {
  it('counts writes the old primary acknowledged after the promotion, and NOREPLICAS refusals', () => {
    const events = crashJournal().map((e) => (e.type === 'fault.inject' ? ({ ...e, kind: 'partition' } as JournalEvent) : e));
    const m = analyze(
      input(
        events,
        ledgerOf([
          [3000, 10, Code.ok, 0, R1, Final.absent], // before the switch (3200): lost, not split brain
          [3300, 10, Code.ok, 0, R1, Final.absent], // split brain
          [3900, 100, Code.ok, 0, R1, Final.absent], // split brain, last one at 4000
          [4100, 1, Code.noreplicas, WAIT_UNKNOWN, 255, Final.absent],
        ]),
      ),
    );
    expect(m.splitBrainWrites).toBe(2);
    expect(m.splitBrainWindowMs).toBe(800);
    expect(m.lostWrites).toEqual({ total: 3, durable: 0, unconfirmed: 3 });
    expect(m.writes.noreplicas).toBe(1);
    expect(m.writes.failed).toBe(1);
  });

  it('without WAIT (wait.replicas 0) nothing is durable: every lost write is unconfirmed, durable is null with the reason', () => {
    const events = crashJournal().map((e) => (e.type === 'fault.inject' ? ({ ...e, kind: 'partition' } as JournalEvent) : e));
    // WAIT replies are 0 when no WAIT was asked: the writer records 0 for a plain SET.
    const rows: [number, number, number, number, number, number][] = [
      [3300, 10, Code.ok, 0, R1, Final.absent],
      [3900, 100, Code.ok, 0, R1, Final.absent],
      [5000, 5, Code.ok, 0, R2, Final.present],
    ];
    const noWait = analyze(input(events, ledgerOf(rows), 0));
    expect(noWait.lostWrites).toEqual({ total: 2, durable: null, unconfirmed: 2 });
    expect(noWait.durableNote).toMatch(/no WAIT/);
    expect(noWait.durableRtoMs).toBeNull();
    expect(noWait.rtoMs).toBe(4005);
    expect(noWait.lostSample.every((l) => l.durable === null)).toBe(true);
    const [r] = evaluateExpectations({ 'lostWrites.durable': { max: 0 } }, noWait);
    expect(r.pass).toBe(false);
    expect(r.note).toMatch(/no WAIT/);
    // The same writes with WAIT 1 asked: the split is what the replies say (1 reached, 1 did not).
    const withWait = analyze(input(events, ledgerOf(rows.map((row, i) => (i === 0 ? [...row.slice(0, 3), 1, ...row.slice(4)] : row) as typeof row)), 1));
    expect(withWait.lostWrites).toEqual({ total: 2, durable: 1, unconfirmed: 1 });
    expect(withWait.durableNote).toBeNull();
  });

  it('prefers the sentinels\' own log lines over the live tap', () => {
    const events = [
      ...crashJournal(),
      ev(1990, 'sentinel.log', { node: 'sentinel-3', event: '+sdown', detail: M }),
      ev(3150, 'sentinel.log', { node: 'sentinel-3', event: '+switch-master', detail: 'mymaster 10.0.0.2 6379 10.0.0.4 6379' }),
    ];
    const m = analyze(input(events, ledgerOf([])));
    expect(m.detectionMs).toBe(990);
    expect(m.newPrimary).toBe('redis-3');
  });
});

describe('replica resync', () => {
  it('reports catch-up time and full vs partial resyncs after a replica heal', () => {
    const events = [
      ev(0, 'topology.nodes', { mode: 'sentinel', masterName: 'mymaster', nodes: NODES }),
      ev(50, 'replication.sync', { node: 'redis-1', syncFull: 2, syncPartialOk: 0 }),
      ev(1000, 'fault.inject', { key: 'k#1', kind: 'kill', role: 'replica', node: 'redis-2' }),
      ev(4000, 'fault.heal', { key: 'k#1', kind: 'kill', node: 'redis-2' }),
      ev(4300, 'replication.sync', { node: 'redis-1', syncFull: 3, syncPartialOk: 0 }),
      ev(4200, 'replication.state', { node: 'redis-2', role: 'slave', link: 'down' }),
      ev(4700, 'replication.state', { node: 'redis-2', role: 'slave', link: 'up' }),
      ev(6000, 'load.stop'),
      ev(6100, 'verify.done', { node: 'redis-1' }),
    ];
    const m = analyze(input(events, ledgerOf([])));
    expect(m.resync).toEqual({ node: 'redis-2', catchUpMs: 700, full: 1, partial: 0 });
    expect(m.detectionMs).toBeNull(); // the fault did not hit a primary
  });
});

describe('longestGapOverlapping', () => {
  it('only counts gaps that overlap the fault window', () => {
    const acks = Float64Array.from([0, 100, 900, 1000, 1050]);
    expect(longestGapOverlapping(acks, 950, 2000)).toBe(100); // 900 -> 1000 overlaps; 100 -> 900 does not
    expect(longestGapOverlapping(acks, 150, 200)).toBe(800);
    expect(longestGapOverlapping(acks, 950, 2000, 3000)).toBe(1950); // 1050 -> end of load
    expect(longestGapOverlapping(new Float64Array(0), 10, 20)).toBeNull();
  });
});

describe('memory, disks and restarts', () => {
  const crashAll = (extra: JournalEvent[] = []) => [
    ev(0, 'topology.nodes', { mode: 'sentinel', masterName: 'mymaster', nodes: NODES }),
    ev(100, 'load.start'),
    ev(1000, 'fault.inject', { key: 'kill-1#1', kind: 'kill', signal: 'SIGKILL', role: 'primary', node: 'redis-1', nodes: ['redis-1'] }),
    ev(1002, 'fault.inject', { key: 'kill-2#1', kind: 'kill', signal: 'SIGKILL', role: 'replica', node: 'redis-2', nodes: ['redis-2', 'redis-3'] }),
    ev(3000, 'load.stop'),
    ev(3100, 'verify.done', { node: 'redis-1', checked: 5 }),
    ...extra,
  ];

  it('RPO: from the earliest lost acknowledgement to t0; 0 when nothing is lost; null unverified', () => {
    const lossy = ledgerOf([
      [200, 5, Code.ok, 1, R1, Final.present],
      [600, 10, Code.ok, 1, R1, Final.absent], // acknowledged at 610: 390 ms before the crash
      [900, 5, Code.ok, 1, R1, Final.absent],
      [1500, 5, Code.notConnected, WAIT_UNKNOWN, 255, Final.absent],
      [2000, 5, Code.ok, 1, R1, Final.present],
    ]);
    const m = analyze(input(crashAll(), lossy));
    expect(m.rpoMs).toBe(390);
    expect(m.lostWrites.total).toBe(2);
    const whole = ledgerOf([[200, 5, Code.ok, 1, R1, Final.present]]);
    expect(analyze(input(crashAll(), whole)).rpoMs).toBe(0);
    expect(analyze(input(crashAll().filter((e) => e.type !== 'verify.done'), lossy)).rpoMs).toBeNull();
  });

  it('a crash of every data node at once is said not to be a power loss', () => {
    const m = analyze(input(crashAll(), ledgerOf([[200, 5, Code.ok, 1, R1, Final.present]])));
    expect(m.findings.join('\n')).toMatch(/every data node was killed with SIGKILL.*0 acknowledged writes did not come back.*keeps the kernel's page cache.*not a power loss/);
    // Only the primary killed: no such finding.
    const one = crashAll().filter((e) => (e as { key?: string }).key !== 'kill-2#1');
    expect(analyze(input(one, ledgerOf([]))).findings.join('\n')).not.toMatch(/every data node/);
  });

  it('counts OOM and MISCONF refusals apart, and one kernel OOM kill per death however many oom events', () => {
    const rows = ledgerOf([
      [200, 5, Code.ok, 1, R1, Final.present],
      [1100, 1, Code.oom, WAIT_UNKNOWN, 255, Final.absent],
      [1101, 1, Code.oom, WAIT_UNKNOWN, 255, Final.absent],
      [1102, 1, Code.misconf, WAIT_UNKNOWN, 255, Final.absent],
    ]);
    const events = crashAll([
      ev(1200, 'container.die', { node: 'redis-1', action: 'oom' }),
      ev(1250, 'container.die', { node: 'redis-1', action: 'oom' }),
      ev(1290, 'container.die', { node: 'redis-1', action: 'die', exitCode: '137' }),
      ev(1300, 'container.die', { node: 'redis-2', action: 'die', exitCode: '137' }),
      ev(1400, 'fault.fill', { node: 'redis-1', bytes: 3 * 1024 * 1024, values: 3, stoppedBy: 'connection-lost', error: 'Connection is closed.', ms: 180, oomKilled: true }),
    ]);
    const m = analyze(input(events, rows));
    expect(m.writes).toMatchObject({ failed: 3, oom: 2, misconf: 1 });
    expect(m.oomKills).toBe(1);
    expect(m.fills).toEqual([{ node: 'redis-1', bytes: 3 * 1024 * 1024, values: 3, stoppedBy: 'connection-lost', error: 'Connection is closed.', ms: 180, oomKilled: true }]);
    expect(m.findings.join('\n')).toMatch(/memory-fill wrote 3\.0 MB \(3 values\) to redis-1 in 180 ms, then the kernel OOM-killed redis-1/);
    expect(m.findings.join('\n')).toMatch(/1 writes were refused with MISCONF.*Sentinel did not fail over/);
  });
});
