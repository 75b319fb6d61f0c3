/** The result contract (result.json): stable camelCase fields that CI jobs and the report read. */
import type { ExpectationName, Metrics } from './metrics.ts';
import type { Comparison } from './comparison.ts';
import type { AttachLeft, EventFields } from './events.ts';

export type Verdict = 'pass' | 'fail' | 'error';

export interface FaultRecord {
  /** Unique per injection, e.g. "cut#1". */
  key: string;
  kind: string;
  description: string;
  /** All nodes it hit (node is the first). */
  nodes: string[];
  target: string;
  node: string;
  role: string;
  signal?: string;
  /** Cluster mode: the shards whose primary it hit. */
  shards?: number[];
  /** How it was applied, where there is a choice (latency: netem or a proxy in the TCP path). */
  mechanism?: 'netem' | 'proxy';
  /** Wall clock of t0, ISO with ms. */
  injectedAt: string;
  /** ms from the start of the load. */
  atMs: number;
  /** When it was healed (null: never, e.g. a crash left in place). */
  healedAt: string | null;
  healedAtMs: number | null;
}

export interface Convergence {
  converged: boolean;
  primary: string | null;
  /** Cluster mode: the primary of each shard. */
  primaries?: Record<string, string>;
  ms: number;
  reason?: string;
}

export interface ExpectationResult {
  /** A metric of the run, or a statistic over repeated runs (`rtoMs.p95`). */
  metric: ExpectationName;
  limit: string;
  min: number | null;
  max: number | null;
  actual: number | null;
  pass: boolean;
  note?: string;
}

export interface Bucket {
  /** Bucket start, ms after the load started. */
  t: number;
  ok: number;
  fail: number;
  indeterminate: number;
  /** Latency of acknowledged writes in the bucket (by completion time), ms; null when none. */
  p50: number | null;
  p99: number | null;
}

export interface LatencySummary {
  count: number;
  p50: number | null;
  p90: number | null;
  p99: number | null;
  p999: number | null;
  max: number | null;
  /** [percentile, ms] points for a percentile chart. */
  curve: [number, number][];
}

export interface FaultBand {
  key: string;
  label: string;
  /** ms after the load started. */
  from: number;
  to: number;
  healed: boolean;
}

export interface Series {
  bucketMs: number;
  /** ms after the load started. */
  loadMs: number;
  /** t0 (see record/anchors), ms after the load started; null without a fault. */
  t0: number | null;
  buckets: Bucket[];
  faults: FaultBand[];
  /** Acknowledged-write latency before t0, while the fault lasted, and after recovery. */
  latency: { before: LatencySummary; during: LatencySummary; after: LatencySummary };
  /** The "during" window, ms after the load started. */
  during: { from: number; to: number } | null;
}

export interface TopologySummary {
  mode: 'sentinel' | 'cluster';
  server: string;
  replicas: number;
  sentinels: number;
  quorum: number;
  downAfterMs: number;
  failoverTimeoutMs: number;
  /** Cluster mode. */
  shards?: number;
  replicasPerShard?: number;
  nodeTimeoutMs?: number;
  serverConfig: Record<string, unknown>;
  /**
   * What the harness wrote to every data node, in redis.conf names: its defaults (no persistence) with
   * the scenario's directives over them (the server profile renders these into its own format).
   */
  appliedConfig?: Record<string, string | number | boolean>;
  auth?: { user: string | null; sentinelPassword: boolean } | null;
  tls?: { clientAuth: string } | null;
}

/** Which server a node runs, from its own INFO server (not from the scenario). */
export interface ServerIdentity {
  /** "redis", "valkey", "ferrite", or whatever server_name says. */
  name: string;
  /** Its own version (Valkey: valkey_version, not the redis_version it reports). */
  version: string | null;
  /** The redis_version it reports when that is not its own (Valkey: 7.2.4). */
  redisVersion: string | null;
}

/** pass / fail: checked on the real nodes; unsupported: the server does not have it; skipped: not applicable here. */
export type PreflightStatus = 'pass' | 'fail' | 'unsupported' | 'skipped';

export interface PreflightCheck {
  /** Stable id: info-replication, role, replicaof, write-replicates, wait, offsets-advance, min-replicas, sentinel, shutdown, sigterm, persistence. */
  id: string;
  /** What is checked, in words. */
  title: string;
  status: PreflightStatus;
  /** Whether this drill relies on it: a required check that does not pass stops the drill before its faults. */
  required: boolean;
  /** Why it is required (or not, or skipped). */
  why: string;
  /** What was seen on the nodes: the replies, quoted. */
  evidence: string[];
  /** The one evidence line that shows the problem (checks that did not pass). */
  reason?: string;
  ms: number;
}

/** The HA conformance preflight: what the drill relies on, checked on the real nodes before any fault. */
export interface PreflightReport {
  /** Every required check passed (or the preflight was skipped). */
  passed: boolean;
  /** Why it did not run (--skip-preflight). */
  skipped?: string;
  checks: PreflightCheck[];
  /** Required checks that did not pass: the capabilities this server lacks for this drill. */
  missing: string[];
  /** Checks that did not pass but this drill does not rely on. */
  warnings: string[];
  ms: number;
}

/** A line of the user's config file the harness replaced or removed (see topology/serverConfig.ts). */
export interface ConfigChangeRecord {
  file: string;
  line: number;
  directive: string;
  was: string;
  now: string | null;
  why: string;
}

/** The servers' configuration as the drill gave it: preset, the user's files, each line of them changed. */
export interface ConfigurationSummary {
  /** "balanced (appendonly yes, ...)", or null. */
  preset: string | null;
  files: { server: string | null; sentinel: string | null };
  serverConfig: Record<string, string | number | boolean>;
  changes: { server: ConfigChangeRecord[]; sentinel: ConfigChangeRecord[] };
}

/** The writers' client settings: what produced the RTO and the indeterminate writes. */
export interface ClientSummary {
  /** ioredis options as set ("none", "unlimited", backoffs in words). */
  settings: Record<string, string | number | boolean | null>;
  /** The fields the scenario set over the base. */
  overridden: string[];
  /** Whether ioredis may send a write twice (offline queue retries, re-send after a reconnect). */
  mayResend: boolean;
  /** Writes that outlived a connection with such a client, by outcome (each one ledger row; never a definite failure). */
  acrossDrops?: { ok: number; fail: number; indeterminate: number };
}

/** One line: the client's base and the fields that decide failover behaviour. */
export function describeClient(c: ClientSummary): string {
  const s = c.settings;
  return `${s.base}${c.overridden.length ? ` with ${c.overridden.join(', ')} set` : ''}: commandTimeout ${s.commandTimeout}, connectTimeout ${s.connectTimeout}, maxRetriesPerRequest ${s.maxRetriesPerRequest}, offline queue ${s.enableOfflineQueue ? 'on' : 'off'}, re-send ${s.autoResendUnfulfilledCommands ? 'on' : 'off'}, retry ${s.retryStrategy}`;
}

export interface DrillResult {
  scenario: string;
  scenarioFile: string;
  description: string;
  verdict: Verdict;
  /** Why the drill ended in error (verdict "error"). */
  error: string | null;
  runId: string;
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  image: string;
  imageSource: string;
  /** The server's own version (Valkey: valkey_version; see `server`). */
  serverVersion: string | null;
  /** The data nodes' server, as their INFO says (name, own version, the redis_version it claims). */
  server?: ServerIdentity | null;
  /** The sentinels' server (Ferrite's nodes are watched by Redis Sentinel). */
  sentinelServer?: ServerIdentity | null;
  /** The sentinels' image when it is not the data nodes'. */
  sentinelImage?: string;
  /** What the scenario's server profile knows this server does differently from Redis. */
  knownDifferences?: string[];
  /** The servers' configuration: preset, the user's config files and what the harness changed in them. */
  configuration?: ConfigurationSummary;
  /** The writers' client settings (the `client:` section over its base). */
  client?: ClientSummary;
  /** The HA conformance preflight (null: the run ended before it). */
  preflight?: PreflightReport | null;
  /** How the harness's clients reached the nodes: "direct" (their own addresses) or "published" (127.0.0.1 ports). */
  clientPath: 'direct' | 'published' | null;
  topology: TopologySummary;
  /** --attach: the deployment that was found (before anything was touched) and the state it was left in. */
  attach?: { target: string; found: EventFields['attach.found'] | undefined; left: AttachLeft | null };
  load: { writers: number; rate: number | 'unlimited'; waitReplicas: number; waitTimeoutMs: number };
  timings: { topologyReadyMs: number | null; preflightMs?: number | null; recovery: Convergence | null; verifyMs: number | null; teardownMs: number | null; resetMs?: number | null };
  /**
   * Repeats (`--repeat N`): this run's place in the series, whether it ran on the previous run's topology
   * (reset instead of created again), and what became of its topology afterwards (kept for the next run,
   * or torn down, and why).
   */
  repeat?: { run: number; of: number; topologyReused: boolean; afterwards: 'kept' | 'torn down'; why: string };
  faults: FaultRecord[];
  metrics: Metrics | null;
  /** Bucketed load and latency over time, latency percentiles, fault bands (for charts). */
  series: Series | null;
  expectations: ExpectationResult[];
  /** Against the --baseline run, metric by metric (absent without --baseline). */
  comparison?: Comparison | null;
  /** Folder holding this run's files (set by whoever writes them). */
  outDir: string;
  files: Record<string, string>;
}
