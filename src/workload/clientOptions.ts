/**
 * The ioredis settings the writers use. Today's default is strict: a write is sent once, on the
 * connection it was issued on, with no offline queue and no re-send, so every outcome is known or
 * honestly indeterminate, and a disconnected client retries quickly (asking Sentinel again).
 */
import type { Scenario } from '../scenario/schema.ts';

/** How often a disconnected client retries (connect, and ask Sentinel or the cluster for the primary). */
export const RECONNECT_INTERVAL_MS = 25;

export interface WriterSettings {
  commandTimeout: number;
  connectTimeout: number;
  maxRetriesPerRequest: number | null;
  enableOfflineQueue: boolean;
  autoResendUnfulfilledCommands: boolean;
  retryStrategy: (times: number) => number | null;
  sentinelRetryStrategy: (times: number) => number | null;
  /** Whether ioredis may send a write twice (re-send after a drop, retries): outcomes then need care. */
  mayResend: boolean;
}

export function writerSettings(load: Scenario['load']): WriterSettings {
  return {
    commandTimeout: load.commandTimeout,
    connectTimeout: 1000,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    autoResendUnfulfilledCommands: false,
    retryStrategy: () => RECONNECT_INTERVAL_MS,
    sentinelRetryStrategy: () => RECONNECT_INTERVAL_MS,
    mayResend: false,
  };
}

/**
 * ioredis Cluster's own retries, set so a writer rides out a 3–9 s failover instead of giving up after
 * its default 16 redirections x 100 ms ≈ 1.6 s: 64 redirections at 200 ms ≈ 13 s. A retried write is
 * still one ledger row; a definite error after a dropped connection counts as indeterminate.
 */
export const CLUSTER_RETRIES = {
  maxRedirections: 64,
  retryDelayOnFailover: 200,
  retryDelayOnClusterDown: 200,
  retryDelayOnTryAgain: 200,
  retryDelayOnMoved: 0,
  /** Learn a new slot map within 1 s even when no command fails (ioredis's default is 5 s). */
  slotsRefreshInterval: 1000,
  slotsRefreshTimeout: 1000,
} as const;
