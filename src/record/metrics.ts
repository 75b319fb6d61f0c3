/**
 * The metrics a drill reports, what each one means, and which of them an expectation may put a limit on.
 * One list, shared by the scenario schema (an expectation on an unknown metric is rejected before
 * anything starts), by analysis, and by the reports (the definitions are shown next to the numbers,
 * because these definitions are the product).
 */

export interface LostWrite {
  key: string;
  ackedAtMs: number;
  node: string | null;
  wait: number | null;
  /** null when the drill did not ask WAIT for any replica (nothing could be confirmed). */
  durable: boolean | null;
  shard?: number | null;
}

/** One step of a failover as the report's timeline shows it, ms after t0 (null: never happened). */
export interface FailoverStep {
  label: string;
  ms: number | null;
  /** Cluster mode: the shard the step belongs to. */
  shard?: number;
}

export interface WriteCounts {
  attempted: number;
  acknowledged: number;
  failed: number;
  indeterminate: number;
  noreplicas: number;
  /** Refused with OOM (maxmemory reached, noeviction). */
  oom: number;
  /** Refused with MISCONF (the server cannot write its AOF or RDB). */
  misconf: number;
}

/** Acknowledged writes missing from the final state; each part null when it could not be known. */
export interface LostCounts {
  total: number | null;
  durable: number | null;
  unconfirmed: number | null;
}

/** Cluster mode: the same numbers for one shard (its slots). */
export interface ShardMetrics {
  shard: number;
  oldPrimary: string | null;
  newPrimary: string | null;
  /** Whether a fault hit this shard's primary. */
  faulted: boolean;
  pfailMs: number | null;
  detectionMs: number | null;
  failoverMs: number | null;
  rtoMs: number | null;
  durableRtoMs: number | null;
  writeUnavailableMs: number | null;
  writes: WriteCounts;
  lostWrites: LostCounts;
}

/**
 * Each headline time observed a second, independent way: the servers' own logs (what the metrics use)
 * against what the harness saw live (Sentinel's pub/sub, or polling CLUSTER NODES), and the fault's own
 * effect as the container runtime reported it. A large gap means one of the clocks or parsers is wrong.
 */
export interface CrossCheck {
  /** Detection from the logs (= detectionMs) and as seen live, ms after t0, and live minus logged. */
  detection: { loggedMs: number | null; liveMs: number | null; deltaMs: number | null; live: string } | null;
  /** Failover from the logs and as seen live. */
  failover: { loggedMs: number | null; liveMs: number | null; deltaMs: number | null; live: string } | null;
  /** When the runtime reported the fault's effect (a container's death), ms after t0; null for faults without one. */
  faultEffectMs: number | null;
  faultEffect: string | null;
}

/** What a memory-fill fault did to its node. */
export interface FillRecord {
  node: string;
  bytes: number;
  values: number;
  /** done (wrote all it was asked), refused (an error reply: OOM, MISCONF, ...), connection-lost, stopped (healed first). */
  stoppedBy: 'done' | 'refused' | 'connection-lost' | 'stopped';
  error: string | null;
  /** ms from the fill's start to its end. */
  ms: number;
  /** The runtime said the kernel OOM-killed the node (null when it was not asked: the node did not die). */
  oomKilled: boolean | null;
}

/** The load's own pace: what the writers achieved over the load phase (all writers together). */
export interface Throughput {
  /** From load start to load stop, ms. */
  loadMs: number;
  /** Writes attempted per second of the load phase. */
  attemptedPerSecond: number;
  /** Writes acknowledged per second of the load phase. */
  acknowledgedPerSecond: number;
}

export interface Metrics {
  /** How HA worked in this drill: Sentinel or Redis Cluster. */
  mode: 'sentinel' | 'cluster';
  detectionMs: number | null;
  odownMs: number | null;
  failoverMs: number | null;
  rtoMs: number | null;
  durableRtoMs: number | null;
  writeUnavailableMs: number | null;
  writes: WriteCounts;
  /** null when the run could not verify (no converged primary to read from): unknown, not zero. */
  lostWrites: LostCounts;
  /** Why `lostWrites.durable` is null although the writes were verified (no WAIT: nothing was confirmed). */
  durableNote: string | null;
  recoveredWrites: number | null;
  /** Where verification read the final state, or null when it could not. */
  verifiedAgainst: string | null;
  /** Writes that failed definitely but are present anyway (should be 0; a harness or server bug otherwise). */
  unexpectedWrites: number;
  splitBrainWrites: number;
  splitBrainWindowMs: number | null;
  failovers: number;
  sdownEvents: number;
  /** For the first replica brought back by a heal: how it resynced and how long it took. */
  resync: { node: string; catchUpMs: number | null; full: number; partial: number } | null;
  /**
   * Every resync the data nodes served from the first fault or runbook step to the end (a rolling
   * upgrade's restarts and switchover): full and partial, in all and per serving node. null without any
   * (absent in results written before it existed).
   */
  resyncs?: { full: number; partial: number; byNode: Record<string, { full: number; partial: number }> } | null;
  /** Was the promoted replica the one with the highest offset when the fault hit? null when unknown. */
  promotedMostUpToDate: boolean | null;
  oldPrimary: string | null;
  newPrimary: string | null;
  /** The failover's steps, ms after t0, by the mode's own names. */
  phases: Record<string, number | null>;
  /** The same steps labelled for the report's failure timeline, in order. */
  steps: FailoverStep[];
  /** Sentinel mode, per sentinel: its own +sdown and +odown, ms after t0. */
  perSentinel: Record<string, { sdownMs: number | null; odownMs: number | null }>;
  /** Cluster mode: first node that flagged the faulted primary PFAIL (polled), ms after t0. */
  pfailMs: number | null;
  /** Cluster mode: how long, from t0, any node reported cluster_state:fail (to the end of the load if it never recovered). */
  clusterDownMs: number | null;
  /** Cluster mode: the numbers per shard. */
  shards: ShardMetrics[];
  /** What the drill found, in words, where a number alone would mislead (e.g. why RTO is never). */
  findings: string[];
  /** The headline times checked against independent observations (see CrossCheck). */
  crossCheck: CrossCheck | null;
  failuresByReason: Record<string, number>;
  lostSample: LostWrite[];
  /** See METRIC_DEFINITIONS.rpoMs. */
  rpoMs: number | null;
  /** Kernel OOM kills the runtime reported (Docker's oom event). */
  oomKills: number;
  /** memory-fill faults: how much each wrote and what stopped it. */
  fills: FillRecord[];
  /** The load's pace over its whole phase; null when the load never ran. */
  throughput: Throughput | null;
  /** Acknowledged-write latency (SET and its WAIT) before the fault and while it lasted (from the series). */
  latency?: WriteLatency;
}

/** p50 latency of acknowledged writes per phase, ms; riseP50 = during / before (null when a phase had none). */
export interface WriteLatency {
  beforeP50Ms: number | null;
  duringP50Ms: number | null;
  riseP50: number | null;
}

export const METRIC_NAMES = [
  'detectionMs',
  'odownMs',
  'failoverMs',
  'rtoMs',
  'durableRtoMs',
  'writeUnavailableMs',
  'writes.attempted',
  'writes.acknowledged',
  'writes.failed',
  'writes.indeterminate',
  'lostWrites.total',
  'lostWrites.durable',
  'lostWrites.unconfirmed',
  'recoveredWrites',
  'splitBrainWrites',
  'splitBrainWindowMs',
  'writes.noreplicas',
  'writes.oom',
  'writes.misconf',
  'rpoMs',
  'oomKills',
  'failovers',
  'sdownEvents',
  'resync.catchUpMs',
  'resync.full',
  'resync.partial',
  'resyncs.full',
  'resyncs.partial',
  'pfailMs',
  'clusterDownMs',
  'latency.beforeP50Ms',
  'latency.duringP50Ms',
  'latency.riseP50',
] as const;

export type MetricName = (typeof METRIC_NAMES)[number];

export const METRIC_DEFINITIONS: Record<MetricName, string> = {
  detectionMs: 'Sentinel: first +sdown of the faulted primary from any sentinel. Cluster: first node that marked it FAIL. ms after the fault was injected (t0).',
  odownMs: 'Sentinel: first +odown of the faulted primary (quorum agreed it is down), ms after t0.',
  failoverMs: 'Sentinel: first +switch-master (a new primary announced). Cluster: its replica won the election. A manual failover (no Sentinel): the operator\'s promotion took effect (the node reports ROLE master). ms after t0.',
  rtoMs: 'Client view: first write acknowledged by the new primary, ms after t0 (cluster: of the faulted shard; the slowest when several were faulted).',
  durableRtoMs: 'First write after t0 acknowledged by the new primary and WAIT-confirmed by the required replica count (null without WAIT).',
  writeUnavailableMs: 'Longest span without any acknowledged write that overlaps the fault (cluster: writes to the faulted shard; a runbook drill with timeline actions: that overlaps the whole procedure, from its first fault or step to the end of the load).',
  'writes.attempted': 'Writes the load issued.',
  'writes.acknowledged': 'Writes the server answered OK.',
  'writes.failed': 'Writes with a definite error (READONLY, NOREPLICAS, MOVED, CLUSTERDOWN, OOM, MISCONF, no connection): not applied.',
  'writes.indeterminate': 'Writes whose outcome is unknown (timeout, connection lost): may or may not be applied.',
  'lostWrites.total': 'Acknowledged writes absent from (or different in) the converged final state.',
  'lostWrites.durable': 'Lost writes whose WAIT had reached the required replica count: replication did not protect them. null without WAIT (nothing was confirmed).',
  'lostWrites.unconfirmed': 'Lost writes that no replica had confirmed: WAIT fell short, never answered, or was not asked.',
  recoveredWrites: 'Indeterminate writes found present in the final state (applied after all).',
  splitBrainWrites: 'Writes acknowledged by the old primary after another node was promoted.',
  splitBrainWindowMs: 'From the promotion of a new primary to the last write the old primary acknowledged (two primaries took writes).',
  'writes.noreplicas': 'Writes refused with NOREPLICAS (min-replicas-to-write not met).',
  'writes.oom': 'Writes refused with OOM (maxmemory reached under maxmemory-policy noeviction).',
  'writes.misconf': 'Writes refused with MISCONF (the server could not write its AOF or RDB, e.g. a full disk).',
  oomKills: 'Kernel OOM kills the container runtime reported during the drill (a container reached its memory limit).',
  rpoMs: 'Recovery point: from the acknowledgement of the earliest lost write to t0 — how far back before the fault acknowledged data was lost (0: nothing lost; null: not verified).',
  failovers: 'Failovers during the drill (Sentinel: distinct +switch-master announcements; cluster: elections won).',
  sdownEvents: 'Sentinel: +sdown events for the primary across all sentinels (flapping shows as many).',
  'resync.catchUpMs': 'For a replica brought back by a heal: from the heal until its replication link is up again.',
  'resync.full': 'Full resynchronizations the primary served after the heal.',
  'resync.partial': 'Partial resynchronizations (PSYNC continue) the primary served after the heal.',
  'resyncs.full': 'Full resynchronizations served from the first fault or runbook step to the end, all data nodes together (a restarted replica without persistence, a switchover whose history diverged).',
  'resyncs.partial': 'Partial resynchronizations (PSYNC continue) served from the first fault or runbook step to the end, all data nodes together.',
  pfailMs: 'Cluster: first node that flagged the faulted primary PFAIL (seen by polling CLUSTER NODES every 100 ms), ms after t0.',
  'latency.beforeP50Ms': 'Median latency of acknowledged writes (the SET and its WAIT, one round trip) started before t0, ms.',
  'latency.duringP50Ms': 'Median latency of acknowledged writes started while the fault lasted (t0 to its heal, or to the new primary\'s first ack), ms.',
  'latency.riseP50': 'latency.duringP50Ms / latency.beforeP50Ms: how many times slower the median acknowledged write was during the fault.',
  clusterDownMs: 'Cluster: from t0, the total time during which at least one node reported cluster_state:fail (to the end of the load when it never recovered).',
};

/**
 * Repeats: every metric is summarised over the runs by these statistics (nearest-rank percentiles), and
 * an expectation may be written on one of them (`rtoMs.p95: { max: 8000 }`).
 */
export const SUMMARY_STATS = ['min', 'p50', 'p95', 'max'] as const;
export type SummaryStat = (typeof SUMMARY_STATS)[number];
export type StatName = `${MetricName}.${SummaryStat}`;

export const STAT_NAMES = METRIC_NAMES.flatMap((m) => SUMMARY_STATS.map((s) => `${m}.${s}` as StatName));

/** What an expectation may name: a metric of each run, or a statistic of a metric over the runs. */
export const EXPECTATION_NAMES = [...METRIC_NAMES, ...STAT_NAMES] as [ExpectationName, ...ExpectationName[]];
export type ExpectationName = MetricName | StatName;

/** `rtoMs.p95` -> { metric: 'rtoMs', stat: 'p95' }; a plain metric has stat null. */
export function splitStat(name: ExpectationName): { metric: MetricName; stat: SummaryStat | null } {
  const dot = name.lastIndexOf('.');
  const tail = name.slice(dot + 1);
  if (dot > 0 && (SUMMARY_STATS as readonly string[]).includes(tail)) return { metric: name.slice(0, dot) as MetricName, stat: tail as SummaryStat };
  return { metric: name as MetricName, stat: null };
}

/** The definition shown beside an expectation: the metric's own, and for a statistic what it is taken over. */
export function expectationDefinition(name: ExpectationName): string {
  const { metric, stat } = splitStat(name);
  const own = METRIC_DEFINITIONS[metric];
  if (!stat) return own;
  const what = stat === 'min' || stat === 'max' ? `The ${stat === 'min' ? 'smallest' : 'largest'} value over the runs` : `The nearest-rank ${stat} over the runs (the value at rank ceil(${stat.slice(1)}/100 x runs) of the sorted values)`;
  return `${what} of: ${own}`;
}
