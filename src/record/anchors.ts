/**
 * The one definition of each reference point that analysis, series and reports share: t0 (which fault
 * times are measured from), a fault's heal, the load window, and node lookup by name or address.
 */
import { firstOf, ofType, type EventOf, type JournalEvent, type NodeRef } from './events.ts';

/** What times can be measured from: a fault, or an operator's step that moved the primary (a switchover). */
export type Anchor = EventOf<'fault.inject'> | EventOf<'action.send'>;

/**
 * The fault every time is measured from: the first fault — or runbook step moving the primary away (a
 * switchover) — that hit a primary, else the first fault of the run, else its first step. t0 is its
 * `t`: the harness's clock just before the command was issued.
 */
export function anchorFault(events: readonly JournalEvent[]): Anchor | undefined {
  const injects = ofType(events, 'fault.inject');
  const actions = ofType(events, 'action.send');
  const hits = [...injects, ...actions].filter((e) => e.role === 'primary').sort((a, b) => a.t - b.t);
  const byTime = <T extends { t: number }>(list: T[]) => [...list].sort((a, b) => a.t - b.t)[0];
  return hits[0] ?? byTime(injects) ?? byTime(actions);
}

/**
 * Where a runbook's procedure starts: its first fault or step (the anchor may come later, e.g. a
 * rolling upgrade's switchover after the replicas' restarts). Null without either.
 */
export function procedureStart(events: readonly JournalEvent[]): number | null {
  const ts = [...ofType(events, 'fault.inject'), ...ofType(events, 'action.send')].map((e) => e.t);
  return ts.length === 0 ? null : Math.min(...ts);
}

/** t0 on the journal's clock, or null when the run injected no fault. */
export function t0Of(events: readonly JournalEvent[]): number | null {
  return anchorFault(events)?.t ?? null;
}

/** The heal that ended an injected fault (not a teardown that skipped it), if any. */
export function healOf(events: readonly JournalEvent[], key: string): EventOf<'fault.heal'> | undefined {
  return ofType(events, 'fault.heal').find((h) => h.key === key && !h.skipped);
}

/** Start and end of the load on the journal's clock (end = start when the load never stopped). */
export function loadWindow(events: readonly JournalEvent[]): { start: number; stop: number } | null {
  const start = firstOf(events, 'load.start')?.t;
  if (start === undefined) return null;
  return { start, stop: firstOf(events, 'load.stop')?.t ?? start };
}

/** The deployment as recorded when it was ready. */
export function deploymentOf(events: readonly JournalEvent[]): EventOf<'topology.nodes'> | undefined {
  return firstOf(events, 'topology.nodes');
}

export function nodesOf(events: readonly JournalEvent[]): NodeRef[] {
  return deploymentOf(events)?.nodes ?? [];
}

/** The node at an address on the deployment's network, or undefined. */
export function nodeAtAddress(nodes: readonly NodeRef[], ip: string, port: number): NodeRef | undefined {
  return nodes.find((n) => n.ip === ip && Number(n.port) === port);
}

/** The node's index in the recorded node order (what the ledger stores), or -1. */
export function nodeIndex(nodes: readonly NodeRef[], name: string | null | undefined): number {
  return name ? nodes.findIndex((n) => n.name === name) : -1;
}
