/** The result contract (result.json): stable camelCase fields that CI jobs and the report read. */
import type { MetricName, Metrics } from './metrics.ts';

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
  metric: MetricName;
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
  auth?: { user: string | null; sentinelPassword: boolean } | null;
  tls?: { clientAuth: string } | null;
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
  serverVersion: string | null;
  /** How the harness's clients reached the nodes: "direct" (their own addresses) or "published" (127.0.0.1 ports). */
  clientPath: 'direct' | 'published' | null;
  topology: TopologySummary;
  load: { writers: number; rate: number | 'unlimited'; waitReplicas: number; waitTimeoutMs: number };
  timings: { topologyReadyMs: number | null; recovery: Convergence | null; verifyMs: number | null; teardownMs: number | null };
  faults: FaultRecord[];
  metrics: Metrics | null;
  /** Bucketed load and latency over time, latency percentiles, fault bands (for charts). */
  series: Series | null;
  expectations: ExpectationResult[];
  /** Folder holding this run's files (set by whoever writes them). */
  outDir: string;
  files: Record<string, string>;
}
