/** Building the result record: its empty shape at the start of a run, and the faults as the journal has them. */
import type { LoadedScenario } from '../scenario/loader.ts';
import type { DrillResult, FaultRecord } from '../record/result.ts';
import { healOf, loadWindow } from '../record/anchors.ts';
import { ofType, type JournalEvent } from '../record/events.ts';
import { profileFor } from '../topology/profiles/index.ts';

/** Times in results are reported to 0.1 ms. */
export function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}

export function faultRecords(events: JournalEvent[]): FaultRecord[] {
  const loadStart = loadWindow(events)?.start ?? 0;
  return ofType(events, 'fault.inject')
    .sort((a, b) => a.t - b.t)
    .map((e) => {
      const heal = healOf(events, e.key);
      return {
        key: e.key,
        kind: e.kind,
        description: e.description,
        target: e.target ?? e.description,
        node: e.node ?? '',
        nodes: e.nodes,
        role: e.role,
        ...(e.signal ? { signal: e.signal } : {}),
        ...(e.shards ? { shards: e.shards } : {}),
        ...(e.mechanism ? { mechanism: e.mechanism } : {}),
        injectedAt: new Date(e.wall).toISOString(),
        atMs: round(e.t - loadStart),
        healedAt: heal ? new Date(heal.wall).toISOString() : null,
        healedAtMs: heal ? round(heal.t - loadStart) : null,
      };
    });
}

export function emptyResult(loaded: LoadedScenario, runId: string, startedAt: Date): DrillResult {
  const s = loaded.scenario;
  const t = s.topology;
  const cluster = t.mode === 'cluster';
  return {
    scenario: s.name,
    scenarioFile: loaded.file,
    description: s.description,
    verdict: 'error',
    error: null,
    runId,
    startedAt: startedAt.toISOString(),
    finishedAt: '',
    durationMs: 0,
    image: '',
    imageSource: '',
    serverVersion: null,
    server: null,
    knownDifferences: profileFor(t.server).knownDifferences,
    preflight: null,
    clientPath: null,
    topology: {
      mode: t.mode,
      server: t.server,
      replicas: t.replicas,
      sentinels: t.sentinels,
      quorum: t.sentinel.quorum,
      downAfterMs: t.sentinel.downAfter,
      failoverTimeoutMs: t.sentinel.failoverTimeout,
      ...(cluster ? { shards: t.shards, replicasPerShard: t.replicas, nodeTimeoutMs: t.cluster.nodeTimeout } : {}),
      serverConfig: t.serverConfig,
      auth: t.auth ? { user: t.auth.user ?? null, sentinelPassword: Boolean(t.auth.sentinelPassword) } : null,
      tls: t.tls?.enabled ? { clientAuth: t.tls.clientAuth } : null,
    },
    load: { writers: s.load.writers, rate: s.load.rate, waitReplicas: s.load.wait.replicas, waitTimeoutMs: s.load.wait.timeout },
    timings: { topologyReadyMs: null, recovery: null, verifyMs: null, teardownMs: null },
    faults: [],
    metrics: null,
    series: null,
    expectations: [],
    outDir: '',
    files: {},
  };
}
