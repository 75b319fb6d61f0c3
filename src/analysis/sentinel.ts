/**
 * The Sentinel checker: detection, odown, failover and its steps from the sentinels' own events, the new
 * primary from +switch-master, and the client's view (writes) measured against them. Pure.
 */
import type { JournalEvent, NodeRef } from '../record/events.ts';
import { ofType } from '../record/events.ts';
import { anchorFault, deploymentOf, healOf, loadWindow, nodeAtAddress, nodeIndex, nodesOf, procedureStart } from '../record/anchors.ts';
import { manualPromotion, runbookFindings, runbookSteps, snapshotBeforePromotion, switchoverFinding } from './runbook.ts';
import type { Metrics } from '../record/metrics.ts';
import type { AnalysisInput, ModeMetrics } from './analyze.ts';
import { longestGapOverlapping, round1, tallyWrites } from './writes.ts';
import { promotedWasMostUpToDate, resyncAfterHeal } from './replication.ts';
import { sentinelCrossCheck } from './crossCheck.ts';
import { haproxyFindings, haproxySteps } from './haproxy.ts';

/** A Sentinel event with its time: from the sentinels' logs when the run saved them, else the live tap. */
export interface SentinelEvent {
  t: number;
  wall: number;
  node: string;
  channel: string;
  message: string;
  source: 'log' | 'tap';
}

/**
 * Sentinel events, from the sentinels' own logs when the run saved them (authoritative, and complete even
 * when a partition cut the harness's pub/sub connections), else from the live pub/sub tap.
 */
export function sentinelEventsOf(events: readonly JournalEvent[]): SentinelEvent[] {
  const fromLogs = ofType(events, 'sentinel.log');
  if (fromLogs.length > 0) return fromLogs.map((e) => ({ t: e.t, wall: e.wall, node: e.node, channel: e.event, message: e.detail, source: 'log' }));
  return ofType(events, 'sentinel.event').map((e) => ({ t: e.t, wall: e.wall, node: e.node, channel: e.channel, message: e.message, source: 'tap' }));
}

export function analyzeSentinel(input: AnalysisInput): ModeMetrics {
  const events = [...input.events].sort((a, b) => a.t - b.t);
  const nodes = nodesOf(events);
  const masterName = deploymentOf(events)?.masterName ?? 'mymaster';
  const anchor = anchorFault(events);
  const t0 = anchor?.t ?? null;
  const oldPrimary = anchor?.role === 'primary' ? anchor.node : null;
  const oldPrimaryIp = oldPrimary ? nodes.find((n) => n.name === oldPrimary)?.ip : undefined;
  const rel = (t: number | undefined) => (t === undefined || t0 === null ? null : round1(t - t0));

  const sentinelEvents = sentinelEventsOf(events).filter((e) => t0 === null || e.t >= t0);
  const aboutOldPrimaryText = (message: string) => {
    const words = message.split(' ');
    return words[0] === 'master' && words[1] === masterName && words[2] === oldPrimaryIp;
  };
  const aboutOldPrimary = (e: SentinelEvent) => aboutOldPrimaryText(e.message);
  const first = (channel: string, pred: (e: SentinelEvent) => boolean = () => true) => sentinelEvents.find((e) => e.channel === channel && pred(e));

  const switchMaster = first('+switch-master', (e) => e.message.split(' ')[1] === oldPrimaryIp);
  let newPrimary: string | null = null;
  let switchAt: number | undefined;
  if (switchMaster && oldPrimaryIp) {
    const [, , , newIp, newPort] = switchMaster.message.split(' ');
    newPrimary = nodeAtAddress(nodes, newIp, Number(newPort))?.name ?? `${newIp}:${newPort}`;
    switchAt = switchMaster.t;
  }
  // Without Sentinel doing it (a manual failover), the operator's promotion names the new primary.
  const manual = switchMaster ? null : manualPromotion(events, t0);
  if (manual && oldPrimary) {
    newPrimary = manual.node;
    switchAt = manual.t;
  }
  const reconfDone = sentinelEvents.filter((e) => e.channel === '+slave-reconf-done');
  const phases: Record<string, number | null> = {
    sdown: rel(first('+sdown', aboutOldPrimary)?.t),
    odown: rel(first('+odown', aboutOldPrimary)?.t),
    tryFailover: rel(first('+try-failover', aboutOldPrimary)?.t),
    electedLeader: rel(first('+elected-leader', aboutOldPrimary)?.t),
    selectedReplica: rel(first('+selected-slave')?.t),
    promotedReplica: rel(first('+promoted-slave')?.t),
    switchMaster: rel(switchAt),
    replicasReconfigured: rel(reconfDone.at(-1)?.t),
  };

  const perSentinel: Metrics['perSentinel'] = {};
  for (const s of nodes.filter((n) => n.kind === 'sentinel')) {
    const mine = (channel: string) => sentinelEvents.find((e) => e.node === s.name && e.channel === channel && aboutOldPrimary(e));
    perSentinel[s.name] = { sdownMs: rel(mine('+sdown')?.t), odownMs: rel(mine('+odown')?.t) };
  }

  const verified = events.some((e) => e.type === 'verify.done');
  const tally = tallyWrites({
    ledger: input.ledger,
    nodes,
    t0,
    requiredReplicas: input.requiredReplicas,
    newPrimaries: new Set(newPrimary ? [nodeIndex(nodes, newPrimary)] : []),
    oldPrimary: nodeIndex(nodes, oldPrimary),
    promotedAt: switchAt,
    verified,
  });
  const window = loadWindow(events);
  // A runbook (timeline actions) is one procedure: its outage is measured over all of it.
  const runbook = ofType(events, 'action.send').length > 0;
  const faultEnd = runbook ? (window?.stop ?? Infinity) : ((anchor && healOf(events, anchor.key)?.t) ?? window?.stop ?? Infinity);
  const gapFrom = runbook ? (procedureStart(events) ?? t0) : t0;
  const gap = t0 === null || gapFrom === null ? null : longestGapOverlapping(tally.acks, gapFrom, faultEnd, window?.stop);
  const rtoMs = tally.rtoAt === null || t0 === null ? null : round1(tally.rtoAt - t0);
  const durableRtoMs = tally.durableRtoAt === null || t0 === null ? null : round1(tally.durableRtoAt - t0);

  return {
    mode: 'sentinel',
    detectionMs: phases.sdown,
    odownMs: phases.odown,
    failoverMs: phases.switchMaster,
    rtoMs,
    durableRtoMs,
    writeUnavailableMs: gap === null ? null : round1(gap),
    writes: tally.writes,
    lostWrites: tally.lost,
    durableNote: tally.durableNote,
    recoveredWrites: tally.recovered,
    verifiedAgainst: ofType(events, 'verify.done')[0]?.node ?? null,
    unexpectedWrites: tally.unexpected,
    splitBrainWrites: tally.splitBrain,
    splitBrainWindowMs: tally.splitBrainWindowMs,
    failovers: countFailovers(sentinelEvents),
    sdownEvents: sentinelEvents.filter((e) => e.channel === '+sdown' && isMasterEvent(e, masterName)).length,
    resync: resyncAfterHeal(events, nodes),
    promotedMostUpToDate: promotedWasMostUpToDate(manual ? snapshotBeforePromotion(events, { t: manual.sentAt }) : events, newPrimary),
    oldPrimary,
    newPrimary,
    phases,
    steps: sentinelSteps(anchor?.type === 'action.send' ? `step (t0): ${anchor.description}` : `fault injected (t0): ${anchor?.description ?? ''}`, perSentinel, phases, rtoMs, durableRtoMs, [...runbookSteps(events, t0), ...haproxySteps(events, t0)], nodes.some((n) => n.kind === 'sentinel')),
    findings: [
      ...haproxyFindings(events, t0, { newPrimary, ms: phases.switchMaster }),
      ...runbookFindings(events),
      ...switchoverFinding(anchor, newPrimary, { writes: tally.splitBrain, windowMs: tally.splitBrainWindowMs, durableLost: tally.lost.durable }),
    ],
    perSentinel,
    crossCheck: sentinelCrossCheck(events, anchor, { detectionMs: phases.sdown, failoverMs: phases.switchMaster }, aboutOldPrimaryText, oldPrimaryIp),
    pfailMs: null,
    clusterDownMs: null,
    shards: [],
    failuresByReason: tally.failuresByReason,
    lostSample: tally.lostSample,
  };
}

/** The failover's steps in their logical order; a proxy's own steps (HAProxy) come just before the client's view. */
function sentinelSteps(first: string, perSentinel: Metrics['perSentinel'], phases: Record<string, number | null>, rtoMs: number | null, durableRtoMs: number | null, otherSteps: Metrics['steps'], sentinels: boolean): Metrics['steps'] {
  // Without sentinels (a manual failover) Sentinel's steps would all read "never": leave them out.
  const sentinelSide = sentinels
    ? [
        ...Object.entries(perSentinel).map(([node, v]) => ({ label: `${node} +sdown`, ms: v.sdownMs })),
        { label: '+odown (quorum agrees)', ms: phases.odown },
        { label: '+elected-leader', ms: phases.electedLeader },
        { label: '+selected-slave', ms: phases.selectedReplica },
        { label: '+promoted-slave', ms: phases.promotedReplica },
        { label: '+switch-master (failover)', ms: phases.switchMaster },
        { label: 'replicas reconfigured', ms: phases.replicasReconfigured },
      ]
    : [];
  return [
    { label: first, ms: 0 },
    ...sentinelSide,
    ...otherSteps,
    { label: 'first write on the new primary (RTO)', ms: rtoMs },
    { label: 'first durable write (WAIT met)', ms: durableRtoMs },
  ];
}

function isMasterEvent(e: SentinelEvent, masterName: string): boolean {
  const words = e.message.split(' ');
  return words[0] === 'master' && words[1] === masterName;
}

/** Each sentinel announces the same switch; count distinct announcements (a switch back counts again). */
function countFailovers(sentinelEvents: SentinelEvent[]): number {
  let count = 0;
  let last: { message: string; t: number } | undefined;
  for (const e of sentinelEvents) {
    if (e.channel !== '+switch-master') continue;
    // The same announcement from other sentinels arrives within their hello period (~2 s).
    if (!last || last.message !== e.message || e.t - last.t > 5000) count++;
    last = { message: e.message, t: e.t };
  }
  return count;
}

export type { NodeRef };
