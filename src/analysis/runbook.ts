/**
 * What a runbook drill's operator steps (journal `action.send` / `action.effect`) say, pure: the node a
 * manual promotion made primary (no Sentinel announces it), the steps for the failure timeline (sent and
 * took effect, ms after t0), findings for steps that failed or never took effect, and the resyncs the
 * whole procedure caused — every node's full and partial resync counters, from the first step on.
 */
import { ofType, type JournalEvent } from '../record/events.ts';
import { procedureStart } from '../record/anchors.ts';
import type { FailoverStep, Metrics } from '../record/metrics.ts';
import { round1 } from './writes.ts';

/** The first manual promotion that took effect at or after t0: its node and when ROLE said master. */
export function manualPromotion(events: readonly JournalEvent[], t0: number | null): { node: string; t: number; sentAt: number } | null {
  if (t0 === null) return null;
  const sent = new Map(ofType(events, 'action.send').map((e) => [e.key, e]));
  const effect = ofType(events, 'action.effect')
    .filter((e) => e.kind === 'promote' && e.ok && e.node !== null && (sent.get(e.key)?.t ?? -Infinity) >= t0)
    .sort((a, b) => a.t - b.t)[0];
  return effect?.node ? { node: effect.node, t: effect.t, sentAt: sent.get(effect.key)!.t } : null;
}

/**
 * The journal as it stood for judging a manual promotion: the last offsets snapshot taken before the
 * promotion was sent (the step takes one), so "was the promoted replica the most up to date" is judged
 * when the operator chose — not when the primary was stopped, when a frozen replica could not answer.
 */
export function snapshotBeforePromotion(events: readonly JournalEvent[], promotion: { t: number }): JournalEvent[] {
  const before = ofType(events, 'replication.snapshot').filter((e) => e.t <= promotion.t).at(-1);
  return before ? [before as JournalEvent] : [];
}

/** Each step twice on the failure timeline: when it was sent, and when it took effect (null: never). */
export function runbookSteps(events: readonly JournalEvent[], t0: number | null): FailoverStep[] {
  if (t0 === null) return [];
  const effects = ofType(events, 'action.effect');
  return ofType(events, 'action.send')
    .sort((a, b) => a.t - b.t)
    .flatMap((s) => {
      const effect = effects.find((e) => e.key === s.key);
      return [
        { label: `step ${s.key} sent: ${s.description} -> ${s.nodes.join(', ')}`, ms: round1(s.t - t0) },
        { label: `step ${s.key} took effect${effect?.ok ? `: ${effect.detail}` : ''}`, ms: effect?.ok ? round1(effect.t - t0) : null },
      ];
    });
}

/** In words: every step whose command was refused or whose effect never came. */
export function runbookFindings(events: readonly JournalEvent[]): string[] {
  const sent = new Map(ofType(events, 'action.send').map((e) => [e.key, e]));
  return ofType(events, 'action.effect')
    .filter((e) => !e.ok)
    .map((e) => {
      const what = sent.get(e.key)?.description ?? e.kind;
      return e.afterMs === null ? `step ${e.key} (${what}) did not take effect: ${e.detail}` : `step ${e.key} (${what}) failed: ${e.detail}`;
    });
}

/**
 * Resyncs served from the procedure's first fault or step to the end of the record, summed over the
 * data nodes: each node's increases of sync_full / sync_partial_ok (a restarted node's counters start
 * again from 0, and what it serves after counts). Null without a fault or step.
 */
export function procedureResyncs(events: readonly JournalEvent[]): Metrics['resyncs'] {
  const start = procedureStart(events);
  if (start === null) return null;
  const last = new Map<string, { full: number; partial: number }>();
  const byNode: Record<string, { full: number; partial: number }> = {};
  let full = 0;
  let partial = 0;
  for (const e of ofType(events, 'replication.sync').sort((a, b) => a.t - b.t)) {
    const now = { full: Number(e.syncFull), partial: Number(e.syncPartialOk) };
    const before = last.get(e.node);
    last.set(e.node, now);
    if (e.t < start) continue;
    const base = before ?? now;
    // A counter that went down belongs to a restarted server: everything it shows now is new.
    const dFull = now.full >= base.full ? now.full - base.full : now.full;
    const dPartial = now.partial >= base.partial ? now.partial - base.partial : now.partial;
    if (dFull === 0 && dPartial === 0) continue;
    const mine = (byNode[e.node] ??= { full: 0, partial: 0 });
    mine.full += dFull;
    mine.partial += dPartial;
    full += dFull;
    partial += dPartial;
  }
  return { full, partial, byNode };
}

/**
 * After a switchover the old primary may stay up and a primary (Sentinel turns a reachable old primary
 * into a replica only after its own wait), acknowledging the writes of clients still connected to it;
 * every one of them is lost. Says so in words, with the numbers, when it happened.
 */
export function switchoverFinding(anchor: { type: string; node: string | null } | undefined, newPrimary: string | null, split: { writes: number; windowMs: number | null; durableLost: number | null }): string[] {
  if (anchor?.type !== 'action.send' || !anchor.node || !newPrimary || split.writes === 0) return [];
  const confirmed = split.durableLost ? `; ${split.durableLost} lost writes had been WAIT-confirmed (by a replica still following the old primary until it was repointed)` : '';
  return [
    `after the switchover ${anchor.node} stayed a primary and acknowledged ${split.writes} writes for ${Math.round(split.windowMs ?? 0)} ms after ${newPrimary} was promoted: clients connected to it kept writing there (Sentinel turns a reachable old primary into a replica only after its own wait, and these clients do not follow +switch-master); such writes are lost${confirmed}`,
  ];
}
