/** What the replication poller's records say, in any HA mode: resync after a heal, and the promoted replica's standing. */
import { ofType, type JournalEvent, type NodeRef } from '../record/events.ts';
import { healOf } from '../record/anchors.ts';
import type { Metrics } from '../record/metrics.ts';
import { round1 } from './writes.ts';

/**
 * For the first data node that a heal brought back as a replica: time from the heal until its link to
 * the primary is up, and the resyncs the primaries served meanwhile.
 */
export function resyncAfterHeal(events: readonly JournalEvent[], nodes: NodeRef[]): Metrics['resync'] {
  const dataNames = new Set(nodes.filter((n) => n.kind === 'data').map((n) => n.name));
  const inject = ofType(events, 'fault.inject').find((e) => e.role === 'replica' && e.node !== null && dataNames.has(e.node));
  const heal = inject && healOf(events, inject.key);
  if (!inject || !heal || !inject.node) return null;
  const node = inject.node;
  const up = ofType(events, 'replication.state').find((e) => e.node === node && e.t >= heal.t && e.role === 'slave' && e.link === 'up');
  const before = lastSyncCounters(events, heal.t);
  const after = lastSyncCounters(events, up?.t ?? Infinity);
  return {
    node,
    catchUpMs: up ? round1(up.t - heal.t) : null,
    full: Math.max(0, after.full - before.full),
    partial: Math.max(0, after.partial - before.partial),
  };
}

/** Sum over nodes of their latest resync counters at time t. */
function lastSyncCounters(events: readonly JournalEvent[], t: number): { full: number; partial: number } {
  const latest = new Map<string, { syncFull: number; syncPartialOk: number }>();
  for (const e of ofType(events, 'replication.sync')) if (e.t <= t) latest.set(e.node, e);
  let full = 0;
  let partial = 0;
  for (const e of latest.values()) {
    full += Number(e.syncFull);
    partial += Number(e.syncPartialOk);
  }
  return { full, partial };
}

/** Whether the promoted replica had the highest offset among its peers when the fault hit (null: unknown). */
export function promotedWasMostUpToDate(events: readonly JournalEvent[], newPrimary: string | null, peers?: string[]): boolean | null {
  const offsets = ofType(events, 'replication.snapshot')[0]?.offsets;
  if (!newPrimary || !offsets || !(newPrimary in offsets)) return null;
  const considered = Object.entries(offsets).filter(([n]) => !peers || peers.includes(n)).map(([, o]) => o);
  return offsets[newPrimary] >= Math.max(...considered);
}
