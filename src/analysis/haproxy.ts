/**
 * What HAProxy did, from its own log (pure): when it marked each backend server DOWN or UP after the
 * fault, as failure-timeline steps, and, when it was left with no server, a finding that says so in words
 * (the RTO of clients behind it is then never, whatever Sentinel did).
 */
import { ofType, type JournalEvent } from '../record/events.ts';
import type { FailoverStep } from '../record/metrics.ts';
import { round1 } from './writes.ts';

export function haproxySteps(events: readonly JournalEvent[], t0: number | null): FailoverStep[] {
  if (t0 === null) return [];
  return ofType(events, 'haproxy.log')
    .filter((e) => e.t >= t0)
    .map((e) => ({ label: e.state === 'NOSRV' ? 'HAProxy: no server available' : `HAProxy: ${e.server} ${e.state}`, ms: round1(e.t - t0) }));
}

export function haproxyFindings(events: readonly JournalEvent[], t0: number | null, failover: { newPrimary: string | null; ms: number | null }): string[] {
  const config = ofType(events, 'haproxy.config')[0];
  if (!config || t0 === null) return [];
  const after = ofType(events, 'haproxy.log').filter((e) => e.t >= t0);
  const lastNoServer = after.filter((e) => e.state === 'NOSRV').at(-1);
  if (!lastNoServer || after.some((e) => e.state === 'UP' && e.t > lastNoServer.t)) return [];
  const servers = config.servers.map((s) => `${s.name} (${s.node ?? s.address})`).join(', ');
  const docs = config.backend === 'docs' ? " — the HA docs' configuration as written, whose one server is the primary as it was at setup" : '';
  const promoted = failover.newPrimary && failover.ms !== null ? `Sentinel promoted ${failover.newPrimary} ${Math.round(failover.ms)} ms after the fault, but` : 'So';
  return [
    `HAProxy had no server UP from ${Math.round(lastNoServer.t - t0)} ms after the fault to the end of the drill: its backend lists only ${servers}${docs}; none passed its health check (${config.check}) again. ${promoted} clients behind this HAProxy could not write again: RTO never.`,
  ];
}
