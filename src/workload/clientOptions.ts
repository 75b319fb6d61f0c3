/**
 * The ioredis settings the writers use: the scenario's `client:` section over its base. "strict" (the
 * default) sends a write once, on the connection it was issued on, with no offline queue and no
 * re-send, so every outcome is known or honestly indeterminate, and a disconnected client retries
 * quickly (asking Sentinel again). "ioredis-defaults" is what an application that sets nothing gets.
 * Either way a write is one ledger row: a write ioredis may have sent twice (offline queue, re-send
 * after a reconnect) is `ok` when acknowledged, and never a definite failure (see outcome.ts).
 */
import type { Scenario } from '../scenario/schema.ts';

/** How often a disconnected client retries (connect, and ask Sentinel or the cluster for the primary). */
export const RECONNECT_INTERVAL_MS = 25;

export type Backoff = NonNullable<Scenario['client']['retryStrategy']>;

export interface WriterSettings {
  /** Where these settings came from: the base and the fields the scenario set. */
  base: Scenario['client']['base'];
  overridden: string[];
  /** undefined: no timeout (ioredis's default: a write waits for ever). */
  commandTimeout: number | undefined;
  connectTimeout: number;
  maxRetriesPerRequest: number | null;
  enableOfflineQueue: boolean;
  autoResendUnfulfilledCommands: boolean;
  reconnectOnReadonly: boolean;
  retry: Backoff;
  sentinelRetry: Backoff;
  failoverDetector: boolean;
  retryStrategy: (times: number) => number | null;
  sentinelRetryStrategy: (times: number) => number | null;
  /** Whether ioredis may send a write twice (re-send after a drop, retries): outcomes then need care. */
  mayResend: boolean;
}

type Settable = Omit<WriterSettings, 'base' | 'overridden' | 'retryStrategy' | 'sentinelRetryStrategy' | 'mayResend'>;

function baseSettings(base: Scenario['client']['base'], load: Scenario['load']): Settable {
  if (base === 'ioredis-defaults') {
    // ioredis 5's DEFAULT_REDIS_OPTIONS (RedisOptions.ts): retryStrategy min(n x 50, 2000), sentinelRetryStrategy min(n x 10, 1000).
    return {
      commandTimeout: undefined,
      connectTimeout: 10_000,
      maxRetriesPerRequest: 20,
      enableOfflineQueue: true,
      autoResendUnfulfilledCommands: true,
      reconnectOnReadonly: false,
      retry: { kind: 'linear', stepMs: 50, maxMs: 2000 },
      sentinelRetry: { kind: 'linear', stepMs: 10, maxMs: 1000 },
      failoverDetector: false,
    };
  }
  return {
    commandTimeout: load.commandTimeout,
    connectTimeout: 1000,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    autoResendUnfulfilledCommands: false,
    reconnectOnReadonly: true,
    retry: { kind: 'constant', ms: RECONNECT_INTERVAL_MS },
    sentinelRetry: { kind: 'constant', ms: RECONNECT_INTERVAL_MS },
    failoverDetector: false,
  };
}

/** The delay before reconnection `times` (1-based), or null to give up. */
export function backoffDelay(b: Backoff, times: number): number | null {
  if (b.kind === 'none') return null;
  if (b.kind === 'constant') return b.ms;
  if (b.kind === 'linear') return Math.min(times * b.stepMs, b.maxMs);
  return Math.min(b.baseMs * b.factor ** Math.max(0, times - 1), b.maxMs);
}

export function describeBackoff(b: Backoff): string {
  if (b.kind === 'none') return 'none (give up)';
  if (b.kind === 'constant') return `every ${b.ms} ms`;
  if (b.kind === 'linear') return `n x ${b.stepMs} ms, at most ${b.maxMs} ms`;
  return `${b.baseMs} ms x ${b.factor}^(n-1), at most ${b.maxMs} ms`;
}

export function writerSettings(scenario: Pick<Scenario, 'load' | 'client'>): WriterSettings {
  const c = scenario.client;
  const s = baseSettings(c.base, scenario.load);
  const overridden: string[] = [];
  const set = <K extends keyof Settable>(key: K, value: Settable[K] | undefined, name: string = key) => {
    if (value === undefined) return;
    s[key] = value;
    overridden.push(name);
  };
  if (c.commandTimeout !== undefined) {
    s.commandTimeout = c.commandTimeout === 'none' ? undefined : c.commandTimeout;
    overridden.push('commandTimeout');
  }
  set('connectTimeout', c.connectTimeout);
  set('maxRetriesPerRequest', c.maxRetriesPerRequest === 'unlimited' ? null : c.maxRetriesPerRequest, 'maxRetriesPerRequest');
  set('enableOfflineQueue', c.enableOfflineQueue);
  set('autoResendUnfulfilledCommands', c.autoResendUnfulfilledCommands);
  set('reconnectOnReadonly', c.reconnectOnReadonly);
  set('retry', c.retryStrategy, 'retryStrategy');
  set('sentinelRetry', c.sentinelRetryStrategy, 'sentinelRetryStrategy');
  set('failoverDetector', c.failoverDetector);
  return {
    ...s,
    base: c.base,
    overridden,
    retryStrategy: (times) => backoffDelay(s.retry, times),
    sentinelRetryStrategy: (times) => backoffDelay(s.sentinelRetry, times),
    // A command can outlive its connection when ioredis re-sends it or retries it over reconnections.
    mayResend: s.autoResendUnfulfilledCommands || s.maxRetriesPerRequest !== 0,
  };
}

/** The settings as result.json and the report state them (what produced the RTO). */
export function describeClientSettings(s: WriterSettings): Record<string, string | number | boolean | null> {
  return {
    base: s.base,
    commandTimeout: s.commandTimeout ?? 'none',
    connectTimeout: s.connectTimeout,
    maxRetriesPerRequest: s.maxRetriesPerRequest ?? 'unlimited',
    enableOfflineQueue: s.enableOfflineQueue,
    autoResendUnfulfilledCommands: s.autoResendUnfulfilledCommands,
    reconnectOnReadonly: s.reconnectOnReadonly,
    retryStrategy: describeBackoff(s.retry),
    sentinelRetryStrategy: describeBackoff(s.sentinelRetry),
    failoverDetector: s.failoverDetector,
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
