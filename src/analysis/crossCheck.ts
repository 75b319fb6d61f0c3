/**
 * The headline times against independent observations (pure). Metrics take event times from the
 * servers' own logs; here the same moments are taken from what the harness saw live — Sentinel's
 * pub/sub as it arrived, or the cluster poller's samples — and the fault's effect from the container
 * runtime's event stream. Shown in the report beside the numbers; the tests bound the differences.
 */
import { ofType, type EventOf, type JournalEvent } from '../record/events.ts';
import type { CrossCheck } from '../record/metrics.ts';
import type { Anchor } from '../record/anchors.ts';
import { round1 } from './writes.ts';

type Pair = NonNullable<CrossCheck['detection']>;

function pair(loggedMs: number | null, liveMs: number | null, live: string): Pair {
  return { loggedMs, liveMs, deltaMs: loggedMs === null || liveMs === null ? null : round1(liveMs - loggedMs), live };
}

/** When the runtime reported the faulted node's death (kill / stop / OOM), ms after t0. */
function faultEffect(events: readonly JournalEvent[], anchor: Anchor): Pick<CrossCheck, 'faultEffectMs' | 'faultEffect'> {
  const died = ofType(events, 'container.die').find((e) => e.t >= anchor.t - 50 && e.node === anchor.node);
  if (died) return { faultEffectMs: round1(died.t - anchor.t), faultEffect: `${anchor.node} reported dead by the container runtime (${died.action})` };
  return { faultEffectMs: null, faultEffect: null };
}

export function sentinelCrossCheck(
  events: readonly JournalEvent[],
  anchor: Anchor | undefined,
  logged: { detectionMs: number | null; failoverMs: number | null },
  aboutOldPrimary: (message: string) => boolean,
  oldPrimaryIp: string | undefined,
): CrossCheck | null {
  if (!anchor || anchor.role !== 'primary') return null;
  const tap = ofType(events, 'sentinel.event').filter((e) => e.t >= anchor.t);
  const sdown = tap.find((e) => e.channel === '+sdown' && aboutOldPrimary(e.message));
  const switched = tap.find((e) => e.channel === '+switch-master' && e.message.split(' ')[1] === oldPrimaryIp);
  const rel = (e: { t: number } | undefined) => (e ? round1(e.t - anchor.t) : null);
  return {
    detection: pair(logged.detectionMs, rel(sdown), 'Sentinel pub/sub (arrival at the harness)'),
    failover: pair(logged.failoverMs, rel(switched), 'Sentinel pub/sub (arrival at the harness)'),
    ...faultEffect(events, anchor),
  };
}

export function clusterCrossCheck(
  events: readonly JournalEvent[],
  anchor: Anchor | undefined,
  logged: { detectionMs: number | null; failoverMs: number | null },
  oldPrimary: string | null,
  newPrimary: string | null,
): CrossCheck | null {
  if (!anchor || !oldPrimary) return null;
  const views = ofType(events, 'cluster.view').filter((e) => e.t >= anchor.t);
  const fail = views.find((e) => e.subject === oldPrimary && e.flags.split(',').includes('fail'));
  const promoted = newPrimary ? views.find((e) => e.subject === newPrimary && e.flags.split(',').includes('master')) : undefined;
  const rel = (e: { t: number } | undefined) => (e ? round1(e.t - anchor.t) : null);
  return {
    detection: pair(logged.detectionMs, rel(fail), 'CLUSTER NODES polled every 100 ms'),
    failover: pair(logged.failoverMs, rel(promoted), 'CLUSTER NODES polled every 100 ms'),
    ...faultEffect(events, anchor),
  };
}
