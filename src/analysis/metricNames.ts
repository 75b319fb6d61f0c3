/**
 * The metrics an expectation may put a limit on. One list, shared by the scenario schema (so an
 * expectation on an unknown metric is rejected before anything starts) and by analysis.
 */
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
  'failovers',
  'sdownEvents',
  'resync.catchUpMs',
  'resync.full',
  'resync.partial',
] as const;

export type MetricName = (typeof METRIC_NAMES)[number];

/** What each metric means; shown next to the numbers in reports, because these definitions are the product. */
export const METRIC_DEFINITIONS: Record<MetricName, string> = {
  detectionMs: 'First +sdown of the faulted primary from any sentinel, ms after the fault was injected (t0).',
  odownMs: 'First +odown of the faulted primary (quorum agreed it is down), ms after t0.',
  failoverMs: 'First +switch-master (a new primary announced), ms after t0.',
  rtoMs: 'Client view: first write acknowledged by the new primary, ms after t0.',
  durableRtoMs: 'First write after t0 acknowledged by the new primary and WAIT-confirmed by the required replica count.',
  writeUnavailableMs: 'Longest span without any acknowledged write that overlaps the fault.',
  'writes.attempted': 'Writes the load issued.',
  'writes.acknowledged': 'Writes the server answered OK.',
  'writes.failed': 'Writes with a definite error (READONLY, NOREPLICAS, no connection): not applied.',
  'writes.indeterminate': 'Writes whose outcome is unknown (timeout, connection lost): may or may not be applied.',
  'lostWrites.total': 'Acknowledged writes absent from (or different in) the converged final primary.',
  'lostWrites.durable': 'Lost writes whose WAIT had reached the required replica count: replication did not protect them.',
  'lostWrites.unconfirmed': 'Lost writes whose WAIT fell short of the required replica count.',
  recoveredWrites: 'Indeterminate writes found present in the final state (applied after all).',
  splitBrainWrites: 'Writes acknowledged by the old primary after another node was promoted.',
  splitBrainWindowMs: 'From the promotion of a new primary to the last write the old primary acknowledged (two primaries took writes).',
  'writes.noreplicas': 'Writes refused with NOREPLICAS (min-replicas-to-write not met).',
  failovers: 'Failovers during the drill (distinct +switch-master announcements).',
  sdownEvents: '+sdown events for the primary across all sentinels (flapping shows as many).',
  'resync.catchUpMs': 'For a replica brought back by a heal: from the heal until its replication link is up again.',
  'resync.full': 'Full resynchronizations the primary served after the heal.',
  'resync.partial': 'Partial resynchronizations (PSYNC continue) the primary served after the heal.',
};
