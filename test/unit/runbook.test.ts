/**
 * Runbook actions without containers: their validation and defaults, where they sit in the timeline,
 * and what the analysis makes of a journal with operator steps — a manual promotion names the new
 * primary, a switchover is measured from like a fault on the primary, resyncs are counted over the whole
 * procedure (a restarted node's counters start again at 0), failed steps become findings.
 */
import { describe, it, expect } from 'vitest';
import { parseScenarioText, ScenarioError } from '../../src/scenario/loader.ts';
import { planTimeline } from '../../src/engine/timeline.ts';
import { analyze } from '../../src/analysis/analyze.ts';
import { procedureResyncs, runbookFindings } from '../../src/analysis/runbook.ts';
import { anchorFault } from '../../src/record/anchors.ts';
import { requirementsOf } from '../../src/preflight/requirements.ts';
import { Code, Final, Ledger } from '../../src/record/ledger.ts';
import type { JournalEvent } from '../../src/record/journal.ts';

const scenario = (timeline: string, topology = '') => parseScenarioText(`name: t\nduration: 10s\n${topology}timeline:\n${timeline}`, 't.yaml');

function rejection(text: string): string {
  try {
    parseScenarioText(text, 'r.yaml');
  } catch (err) {
    expect(err).toBeInstanceOf(ScenarioError);
    return (err as Error).message.split('\n')[0];
  }
  throw new Error('expected the loader to reject this scenario');
}

describe('timeline actions: validation and defaults', () => {
  it('fills each action\'s defaults', () => {
    const s = scenario('  - { at: 1s, action: promote }\n  - { at: 2s, action: repoint }\n  - { at: 3s, action: switchover }\n  - { at: 4s, action: verify-write }\n');
    expect(s.timeline).toEqual([
      { at: 1000, action: 'promote', target: 'replica:most-up-to-date' },
      { at: 2000, action: 'repoint', target: 'replicas', to: 'primary' },
      { at: 3000, action: 'switchover', target: 'sentinel' },
      { at: 4000, action: 'verify-write', target: 'primary' },
    ]);
  });

  it('refuses what a step cannot act on, naming the field', () => {
    expect(rejection('name: t\nduration: 10s\ntimeline:\n  - { at: 1s, action: promote, target: replicas }\n')).toBe(
      'r.yaml:4:40: timeline[0].target: target must name one data node (a role such as primary, replica:most-up-to-date, or a node name such as redis-2), not "replicas"',
    );
    expect(rejection('name: t\nduration: 10s\ntimeline:\n  - { at: 1s, action: switchover, target: redis-2 }\n')).toContain('timeline[0].target: a switchover is asked of one sentinel');
    expect(rejection('name: t\nduration: 10s\ntimeline:\n  - { at: 1s, action: verify-write, target: redis-9 }\n')).toContain('timeline[0].target: no node "redis-9": this topology has redis-1 to redis-3');
    // A heal names a fault, never a step.
    expect(rejection('name: t\nduration: 10s\ntimeline:\n  - { at: 1s, action: promote, id: p }\n  - { at: 2s, fault: heal, of: p }\n')).toContain('timeline[1].of: no earlier fault has id "p"');
    // A fault's own errors still come from the fault's schema, not from the action branch.
    expect(rejection('name: t\nduration: 10s\ntimeline:\n  - { at: 1s, fault: kill, signal: SIGHUP }\n')).toContain('timeline[0].signal: Invalid option: expected one of "SIGKILL"');
  });

  it('a promote or repoint makes REPLICAOF a capability the drill relies on, even without sentinels', () => {
    const manual = scenario('  - { at: 1s, fault: stop, target: primary }\n  - { at: 2s, action: promote }\n', 'topology: { sentinels: 0 }\n');
    expect(requirementsOf(manual).replicaof.required).toBe(true);
    const noRunbook = scenario('  - { at: 1s, fault: stop, target: primary }\n', 'topology: { sentinels: 0 }\n');
    expect(requirementsOf(noRunbook).replicaof.required).toBe(false);
  });

  it('steps are planned in time order among faults and heals, keyed by id or by kind and position', () => {
    const s = scenario('  - { at: 3s, action: promote, id: promote-redis-3 }\n  - { at: 1s, fault: stop, target: primary, duration: 5s }\n  - { at: 4s, action: repoint }\n');
    expect(planTimeline(s.timeline).map((p) => [p.at, p.kind, p.key])).toEqual([
      [1000, 'inject', 'stop-2#1'],
      [3000, 'action', 'promote-redis-3'],
      [4000, 'action', 'repoint-3'],
      [6000, 'heal', 'stop-2#1'],
    ]);
  });
});

const NODES = [
  { name: 'redis-1', kind: 'data', ip: '10.0.0.2', port: 6379 },
  { name: 'redis-2', kind: 'data', ip: '10.0.0.3', port: 6379 },
  { name: 'redis-3', kind: 'data', ip: '10.0.0.4', port: 6379 },
];
const ev = (t: number, type: string, fields: Record<string, unknown> = {}): JournalEvent => ({ t, wall: 1_700_000_000_000 + t, type, ...fields }) as unknown as JournalEvent;
const sync = (t: number, node: string, syncFull: number, syncPartialOk: number) => ev(t, 'replication.sync', { node, syncFull, syncPartialOk });

describe('the analysis of a runbook', () => {
  /** Stop redis-1 at 1000; promote redis-3 (sent 2000, master at 2010); repoint redis-2 (2100, linked 2150). */
  const manual = (extra: JournalEvent[] = []) => [
    ev(0, 'topology.nodes', { mode: 'sentinel', masterName: 'mymaster', nodes: NODES }),
    ev(100, 'load.start'),
    ev(1000, 'fault.inject', { key: 'stop-1#1', kind: 'stop', role: 'primary', node: 'redis-1', nodes: ['redis-1'], description: 'stop primary' }),
    ev(1990, 'replication.snapshot', { primary: '', offsets: { 'redis-2': 500, 'redis-3': 800 } }),
    ev(2000, 'action.send', { key: 'promote-2', kind: 'promote', role: 'replica', node: 'redis-3', nodes: ['redis-3'], description: 'promote redis-3' }),
    ev(2010, 'action.effect', { key: 'promote-2', kind: 'promote', node: 'redis-3', afterMs: 10, ok: true, detail: 'redis-3 reports role master' }),
    ev(2100, 'action.send', { key: 'repoint-3', kind: 'repoint', role: 'replica', node: 'redis-2', nodes: ['redis-2'], description: 'repoint replicas' }),
    ev(2150, 'action.effect', { key: 'repoint-3', kind: 'repoint', node: 'redis-3', afterMs: 50, ok: true, detail: 'redis-2 linked to redis-3' }),
    ev(5000, 'load.stop'),
    ev(5100, 'verify.done', { node: 'redis-3', checked: 3 }),
    ...extra,
  ];
  const [R1, R3] = [0, 2];
  function ledger(): Ledger {
    const l = new Ledger(1, 'run', 16);
    const w = l.writers[0];
    for (const [start, latency, code, node] of [[900, 5, Code.ok, R1], [990, 5, Code.ok, R1], [2030, 5, Code.ok, R3], [3000, 5, Code.ok, R3], [4000, 5, Code.ok, R3], [4980, 5, Code.ok, R3]]) {
      const i = w.push(start, latency, code, 1, node);
      w.final[i] = Final.present;
    }
    return l;
  }

  it('a manual promotion names the new primary; failover is when it took effect; the stall runs from the last write before the stop to the first on redis-3', () => {
    const m = analyze({ events: manual(), ledger: ledger(), requiredReplicas: 1 });
    expect(m.oldPrimary).toBe('redis-1');
    expect(m.newPrimary).toBe('redis-3');
    expect(m.failoverMs).toBe(1010);
    expect(m.rtoMs).toBe(1035);
    expect(m.writeUnavailableMs).toBe(2035 - 995);
    expect(m.promotedMostUpToDate).toBe(true);
    expect(m.failovers).toBe(0);
    // No sentinels: the failure timeline has the operator's steps, not a column of Sentinel "never"s.
    expect(m.steps.map((s) => [s.label.split(':')[0], s.ms])).toEqual([
      ['fault injected (t0)', 0],
      ['step promote-2 sent', 1000],
      ['step promote-2 took effect', 1010],
      ['step repoint-3 sent', 1100],
      ['step repoint-3 took effect', 1150],
      ['first write on the new primary (RTO)', 1035],
      ['first durable write (WAIT met)', 1035],
    ]);
  });

  it('promoting the replica that was behind is judged on the offsets seen when the operator chose', () => {
    const events = manual().map((e) => (e.type === 'replication.snapshot' ? ev(1990, 'replication.snapshot', { primary: '', offsets: { 'redis-2': 900, 'redis-3': 800 } }) : e));
    expect(analyze({ events, ledger: ledger(), requiredReplicas: 1 }).promotedMostUpToDate).toBe(false);
  });

  it('a switchover with no fault is t0: the old primary is the one it moved away from', () => {
    const events = [
      ev(0, 'topology.nodes', { mode: 'sentinel', masterName: 'mymaster', nodes: NODES }),
      ev(500, 'fault.inject', { key: 'restart-1#1', kind: 'restart', role: 'replica', node: 'redis-2', nodes: ['redis-2'] }),
      ev(3000, 'action.send', { key: 'switchover-2', kind: 'switchover', role: 'primary', node: 'redis-1', nodes: ['redis-1'] }),
    ];
    expect(anchorFault(events)).toMatchObject({ type: 'action.send', key: 'switchover-2', node: 'redis-1' });
    // A step that does not move the primary never outranks a fault.
    const verify = [events[0], events[1], ev(3000, 'action.send', { key: 'verify-write-2', kind: 'verify-write', role: 'none', node: 'redis-1', nodes: ['redis-1'] })];
    expect(anchorFault(verify)).toMatchObject({ type: 'fault.inject', key: 'restart-1#1' });
  });

  it('resyncs over the procedure: increases per node from the first step on; a restarted node counts again from 0', () => {
    const events = [
      sync(50, 'redis-1', 1, 0), // bring-up: before the procedure
      sync(60, 'redis-2', 0, 0),
      ev(1000, 'fault.inject', { key: 'restart-1#1', kind: 'restart', role: 'replica', node: 'redis-2', nodes: ['redis-2'] }),
      sync(1500, 'redis-1', 1, 1), // redis-2 came back and continued
      sync(3000, 'redis-1', 1, 2),
      sync(4000, 'redis-3', 0, 0),
      sync(4500, 'redis-3', 1, 0), // the new primary served a full resync
      sync(6000, 'redis-1', 0, 0), // redis-1 restarted: its counters start again
      sync(6500, 'redis-1', 0, 1),
    ];
    expect(procedureResyncs(events)).toEqual({ full: 1, partial: 3, byNode: { 'redis-1': { full: 0, partial: 3 }, 'redis-3': { full: 1, partial: 0 } } });
    expect(procedureResyncs(events.filter((e) => e.type !== 'fault.inject'))).toBeNull();
  });

  it('a step refused or never seen to take effect is a finding, in words', () => {
    const findings = runbookFindings([
      ev(1000, 'action.send', { key: 'verify-write-3', kind: 'verify-write', description: 'verify a write on primary' }),
      ev(1010, 'action.effect', { key: 'verify-write-3', kind: 'verify-write', afterMs: 10, ok: false, detail: 'SET on redis-2 -> READONLY You can\'t write against a read only replica.' }),
      ev(2000, 'action.send', { key: 'repoint-4', kind: 'repoint', description: 'repoint replicas to primary (REPLICAOF)' }),
      ev(12000, 'action.effect', { key: 'repoint-4', kind: 'repoint', afterMs: null, ok: false, detail: 'repoint-4 to take effect: timed out after 10000 ms' }),
      ev(13000, 'action.effect', { key: 'promote-5', kind: 'promote', afterMs: 5, ok: true, detail: 'redis-3 reports role master' }),
    ]);
    expect(findings).toEqual([
      "step verify-write-3 (verify a write on primary) failed: SET on redis-2 -> READONLY You can't write against a read only replica.",
      'step repoint-4 (repoint replicas to primary (REPLICAOF)) did not take effect: repoint-4 to take effect: timed out after 10000 ms',
    ]);
  });
});
