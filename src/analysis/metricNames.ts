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
};
