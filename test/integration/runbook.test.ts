/**
 * The runbook drills, for real through the CLI: a manual failover without Sentinel (and the variant that
 * promotes a replica that was behind), a planned switchover, and a rolling upgrade. Each is checked for
 * what the operator's procedure really did, read from the run's own journal — the step the journal says
 * was promoted is the primary the topology converged on — not only for its expectations passing.
 */
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { dockerMissingReason } from './docker-available.ts';
import { runPassingDrill } from './run-cli.ts';
import { parseNdjson } from '../../src/record/journal.ts';
import { ofType, type EventOf } from '../../src/record/events.ts';
import type { DrillResult } from '../../src/record/result.ts';

const DRILL_TIMEOUT = 240_000;

interface Run {
  result: DrillResult;
  sent: EventOf<'action.send'>[];
  effects: EventOf<'action.effect'>[];
  html: string;
  /** The anchor fault's journal time (the stop of the primary, in the manual failovers). */
  t0: number;
}

async function drill(name: string): Promise<Run> {
  const { result, out } = await runPassingDrill(name);
  const events = parseNdjson(readFileSync(join(out, 'journal.ndjson'), 'utf8'));
  return {
    result,
    sent: ofType(events, 'action.send'),
    effects: ofType(events, 'action.effect'),
    html: readFileSync(join(out, 'report.html'), 'utf8'),
    t0: ofType(events, 'fault.inject').find((e) => e.role === 'primary')?.t ?? NaN,
  };
}

/** Every step was sent, took effect after it was sent, and the report's event table shows both. */
function expectStepsTookEffect(run: Run, kinds: string[]): void {
  expect(run.sent.map((s) => s.kind)).toEqual(kinds);
  for (const s of run.sent) {
    const effect = run.effects.find((e) => e.key === s.key);
    expect(effect, `no effect journalled for ${s.key}`).toBeDefined();
    expect(effect!.ok, `${s.key}: ${effect!.detail}`).toBe(true);
    expect(effect!.t).toBeGreaterThanOrEqual(s.t);
    expect(run.html).toContain(`step ${s.key} sent: `);
    expect(run.html).toContain(`step ${s.key} took effect `);
  }
}

describe.skipIf(dockerMissingReason !== null)('runbook drills against real Redis (and Sentinel)', () => {
  it('manual-failover: stop, promote, repoint, verify; writes stall until the promotion; nothing WAIT-confirmed lost', async () => {
    const run = await drill('manual-failover');
    const m = run.result.metrics!;
    expectStepsTookEffect(run, ['promote', 'repoint', 'verify-write']);
    const promoted = run.sent.find((s) => s.kind === 'promote')!.node;
    expect(m.oldPrimary).toBe('redis-1');
    expect(promoted).not.toBe('redis-1');
    expect(m.newPrimary).toBe(promoted);
    expect(run.result.timings.recovery?.primary).toBe(promoted);
    expect(run.effects.find((e) => e.kind === 'verify-write')!.node).toBe(promoted);
    expect(m.promotedMostUpToDate).toBe(true);
    // The stall is real (no Sentinel, no promotion for about a second) and ends on the promoted node.
    expect(m.writeUnavailableMs).toBeGreaterThan(0);
    expect(m.rtoMs).not.toBeNull();
    // No write can have been acknowledged by the new primary before REPLICAOF NO ONE was sent to it.
    expect(m.rtoMs!).toBeGreaterThanOrEqual(run.sent[0].t - run.t0);
    expect(m.lostWrites.durable).toBe(0);
    expect(m.failovers).toBe(0); // no Sentinel announced anything
  }, DRILL_TIMEOUT);

  it('manual-failover-behind: promoting the replica that was behind loses WAIT-confirmed writes, and the report counts them', async () => {
    const run = await drill('manual-failover-behind');
    const m = run.result.metrics!;
    expectStepsTookEffect(run, ['promote', 'repoint', 'verify-write']);
    expect(m.newPrimary).toBe('redis-3');
    expect(run.result.timings.recovery?.primary).toBe('redis-3');
    expect(m.promotedMostUpToDate).toBe(false);
    expect(m.lostWrites.durable!).toBeGreaterThan(0);
    // redis-2 had the writes redis-3 missed: repointed, it could not continue and copied redis-3 whole.
    expect(m.resyncs!.full).toBeGreaterThanOrEqual(1);
    expect(m.writeUnavailableMs).toBeGreaterThan(0);
  }, DRILL_TIMEOUT);

  it('planned-switchover: Sentinel moves the primary under load; the stall is measured, nothing WAIT-confirmed is lost', async () => {
    const run = await drill('planned-switchover');
    const m = run.result.metrics!;
    expectStepsTookEffect(run, ['switchover', 'verify-write']);
    const switchover = run.sent[0];
    expect(switchover.role).toBe('primary');
    expect(m.oldPrimary).toBe(switchover.node);
    expect(m.failovers).toBe(1);
    expect(m.newPrimary).not.toBe(m.oldPrimary);
    expect(m.newPrimary).toBe(run.effects[0].node);
    expect(run.result.timings.recovery?.primary).toBe(m.newPrimary);
    expect(m.failoverMs).not.toBeNull();
    expect(m.writeUnavailableMs).toBeGreaterThan(0);
    expect(m.lostWrites.durable).toBe(0);
    // The old primary stays a primary for a while and takes writes that are then lost; the report says so.
    expect(m.splitBrainWrites).toBeGreaterThan(0);
    expect(m.findings.join('\n')).toContain(`after the switchover ${m.oldPrimary} stayed a primary`);
  }, DRILL_TIMEOUT);

  it('rolling-upgrade: replicas restarted in turn continue with partial resyncs; switchover; old primary restarted; nothing WAIT-confirmed lost', async () => {
    const run = await drill('rolling-upgrade');
    const r = run.result;
    const m = r.metrics!;
    expectStepsTookEffect(run, ['switchover']);
    expect(r.faults.map((f) => [f.kind, f.node])).toEqual([
      ['restart', 'redis-2'],
      ['restart', 'redis-3'],
      ['restart', 'redis-1'],
    ]);
    // The replicas were restarted as replicas (the old primary's role at its restart depends on how far
    // the sentinels had agreed on the switchover by then).
    expect(r.faults.slice(0, 2).map((f) => f.role)).toEqual(['replica', 'replica']);
    expect(m.failovers).toBe(1);
    expect(m.oldPrimary).toBe('redis-1');
    expect(m.newPrimary).not.toBe('redis-1');
    expect(r.timings.recovery?.primary).toBe(m.newPrimary);
    // With RDB persistence each restarted replica continues where it was (PSYNC): the two replica restarts.
    expect(m.resyncs!.partial).toBeGreaterThanOrEqual(2);
    expect(m.resyncs!.full + m.resyncs!.partial).toBeGreaterThanOrEqual(3);
    expect(m.writeUnavailableMs).toBeGreaterThan(0);
    expect(m.lostWrites.durable).toBe(0);
  }, DRILL_TIMEOUT);
});
