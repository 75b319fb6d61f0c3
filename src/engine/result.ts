/** The result contract (result.json): stable camelCase fields that CI jobs and the report read. */
import type { Metrics } from '../analysis/analyze.ts';
import type { ExpectationResult } from '../analysis/expectations.ts';
import type { Convergence } from './recovery.ts';
import type { Series } from '../analysis/series.ts';

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
  /** Wall clock of t0, ISO with ms. */
  injectedAt: string;
  /** ms from the start of the load. */
  atMs: number;
  /** When it was healed (null: never, e.g. a crash left in place). */
  healedAt: string | null;
  healedAtMs: number | null;
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
  topology: { server: string; replicas: number; sentinels: number; quorum: number; downAfterMs: number; failoverTimeoutMs: number; serverConfig: Record<string, unknown>; auth?: { user: string | null; sentinelPassword: boolean } | null; tls?: { clientAuth: string } | null };
  load: { writers: number; rate: number | 'unlimited'; waitReplicas: number; waitTimeoutMs: number };
  timings: { topologyReadyMs: number | null; recovery: Convergence | null; verifyMs: number | null; teardownMs: number | null };
  faults: FaultRecord[];
  metrics: Metrics | null;
  /** Bucketed load and latency over time, latency percentiles, fault bands (for charts). */
  series: Series | null;
  expectations: ExpectationResult[];
  /** Folder holding this run's files. */
  outDir: string;
  files: Record<string, string>;
}
