/**
 * The drill runner: phases in order, each with a deadline, and teardown that always happens — on
 * success, on failure, on Ctrl-C. Whatever happens, the run folder gets a result and a report.
 */
import { mkdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Journal } from '../journal/journal.ts';
import type { LoadedScenario } from '../scenario/loader.ts';
import type { Scenario } from '../scenario/schema.ts';
import { Topology } from '../topology/topology.ts';
import { assertDockerAvailable } from '../topology/docker.ts';
import { resolveServerImage, ensureNettoolsImage } from '../topology/images.ts';
import { cleanLeftovers } from '../topology/cleanup.ts';
import { SentinelTap, parseSentinelLog } from '../observe/sentinelTap.ts';
import { ReplicationPoller } from '../observe/replicationPoller.ts';
import { ContainerWatch } from '../observe/containerWatch.ts';
import { WriteLoad } from '../workload/writers.ts';
import { verifyLedger } from '../workload/verify.ts';
import { NetTools, probeNetem } from '../faults/nettools.ts';
import { TimelineRunner } from './timeline.ts';
import { InfrastructureError } from '../util/errors.ts';
import { resolveCredentials } from '../topology/secrets.ts';
import type { JournalEvent } from '../journal/journal.ts';
import { waitForConvergence, type Convergence } from './recovery.ts';
import { analyze } from '../analysis/analyze.ts';
import { evaluateExpectations } from '../analysis/expectations.ts';
import { computeSeries } from '../analysis/series.ts';
import type { DrillResult, FaultRecord } from './result.ts';
import type { Progress } from './progress.ts';
import { writeRunOutputs } from '../report/write.ts';
import { sleep, throwIfAborted } from '../util/time.ts';

export interface RunOptions {
  outDir?: string;
  signal: AbortSignal;
  progress: Progress;
}

export function newRunId(): string {
  return randomBytes(4).toString('hex');
}

export function defaultOutDir(scenario: string, when = new Date()): string {
  const stamp = when.toISOString().replace(/[:]/g, '').replace(/\..*$/, '');
  return resolve('reports', `${scenario}-${stamp}`);
}

export async function runDrill(loaded: LoadedScenario, opts: RunOptions): Promise<DrillResult> {
  const { scenario } = loaded;
  const { progress } = opts;
  // The run stops on the user's signal (Ctrl-C) or on an infrastructure failure noticed by a watcher.
  const failure = new AbortController();
  const signal = AbortSignal.any([opts.signal, failure.signal]);
  const runId = newRunId();
  // Secrets first: a missing environment variable or file is bad input, found before anything starts.
  const credentials = resolveCredentials(scenario, loaded.file);
  const journal = new Journal();
  const startedAt = new Date(journal.originWall);
  const outDir = resolve(opts.outDir ?? defaultOutDir(scenario.name, startedAt));
  await mkdir(outDir, { recursive: true });
  const result = emptyResult(loaded, runId, startedAt);
  result.outDir = outDir;
  journal.append('run.start', { runId, scenario: scenario.name });
  progress.info(`run ${runId}: scenario ${scenario.name} (${loaded.file}); output in ${outDir}`);
  for (const line of credentials?.origin ?? []) progress.info(`auth ${line}`);

  let topology: Topology | undefined;
  let load: WriteLoad | undefined;
  let tap: SentinelTap | undefined;
  let timeline: TimelineRunner | undefined;
  let poller: ReplicationPoller | undefined;
  let tools: NetTools | undefined;
  let watch: ContainerWatch | undefined;
  const phase = (name: string) => {
    journal.append('phase', { name });
    progress.phase(name);
  };
  try {
    phase('prepare');
    const engine = await assertDockerAvailable();
    progress.info(`Docker engine ${engine.version}`);
    const stale = await cleanLeftovers({ all: false });
    if (stale.containers.length + stale.networks.length > 0) {
      progress.info(`removed what dead runs left: ${stale.containers.length} containers, ${stale.networks.length} networks`);
    }
    for (const f of stale.failures) progress.info(`could not remove what a dead run left: ${f}`);
    const image = await resolveServerImage(scenario.topology, progress.info);
    result.image = image.image;
    result.imageSource = image.how;
    progress.info(`image: ${image.how}`);
    await ensureNettoolsImage(progress.info);
    if (scenario.timeline.some((e) => e.fault === 'netem')) {
      const missing = await probeNetem(runId);
      if (missing) {
        throw new InfrastructureError(
          `this scenario needs tc netem (latency, jitter, duplication, corruption), and this machine's kernel has no sch_netem ("${missing}"); run it on a kernel with netem, or use the loss/bandwidth faults, which work without it.`,
        );
      }
    }
    throwIfAborted(signal);

    phase('topology');
    topology = new Topology(runId, scenario.topology, image.image, journal, {
      enableDebugCommand: scenario.timeline.some((e) => e.fault === 'stall'),
      credentials,
    });
    const upStart = journal.now();
    watch = new ContainerWatch(runId, journal, (reason) => {
      if (!failure.signal.aborted) failure.abort(reason);
    });
    await watch.start();
    await topology.up(signal);
    result.timings.topologyReadyMs = round(journal.now() - upStart);
    result.serverVersion = await serverVersion(topology);
    progress.info(
      `ready in ${result.timings.topologyReadyMs} ms: ${topology.dataNodes.length} data nodes, ${topology.sentinels.length} sentinels (server ${result.serverVersion ?? '?'})`,
    );

    phase('observe');
    tap = new SentinelTap(topology, journal);
    await tap.start();
    poller = new ReplicationPoller(topology, journal);
    poller.start();
    journal.onEvent((e) => {
      if (e.type === 'sentinel.event' && isKeyEvent(String(e.channel))) {
        const fault = journal.find('fault.inject');
        const when = fault ? `after ${Math.round(e.t - fault.t)} ms` : 'before any fault';
        progress.info(`${e.node}: ${e.channel} ${when}: ${e.message}`);
      }
    });

    tools = new NetTools(topology);
    if (scenario.timeline.some((e) => NETWORK_FAULTS.has(e.fault))) await tools.prepare(topology.nodes);

    phase('load');
    load = new WriteLoad(scenario.load, topology, journal, runId);
    await load.connect(signal);
    const loadStart = journal.now();
    journal.append('load.start', { writers: scenario.load.writers });
    load.start();
    const running = load;
    progress.status(() => ({
      phase: 'load',
      elapsedMs: journal.now() - loadStart,
      plannedMs: scenario.duration,
      acknowledged: running.counts.acknowledged,
      errors: running.counts.failed + running.counts.indeterminate,
      activeFaults: [...(timeline?.active.keys() ?? [])],
    }));
    timeline = new TimelineRunner(scenario, { topology, journal, tools, runId, expectDeath: (node) => watch?.expectDeath(node) }, progress);
    await timeline.run(loadStart, signal);
    await sleepUntil(journal, loadStart + scenario.duration, signal);
    await load.stop();
    progress.status(null);
    journal.append('load.stop', { writes: load.ledger.size });
    progress.info(`load stopped: ${load.ledger.size} writes attempted`);
    await timeline.healDue();

    phase('recover');
    const convergence: Convergence = await waitForConvergence(topology, journal, scenario.recovery.timeout, signal);
    result.timings.recovery = { ...convergence, ms: round(convergence.ms) };
    progress.info(convergence.converged ? `converged: primary ${convergence.primary} (${round(convergence.ms)} ms)` : `did not converge: ${convergence.reason}`);

    phase('verify');
    const finalPrimary = convergence.primary ? topology.node(convergence.primary) : undefined;
    if (finalPrimary) {
      const v = await verifyLedger(load.ledger, topology.endpoint(finalPrimary));
      result.timings.verifyMs = round(v.ms);
      journal.append('verify.done', { node: finalPrimary.name, checked: v.checked, ms: v.ms });
      progress.info(`verified ${v.checked} writes against ${finalPrimary.name} in ${round(v.ms)} ms`);
    } else {
      journal.append('verify.skipped', { reason: 'no converged primary to read from' });
      progress.info('verification skipped: no converged primary to read from');
    }
  } catch (err) {
    result.verdict = 'error';
    result.error = (err as Error).message;
    journal.append('run.error', { message: result.error });
    progress.info(`error: ${result.error}`);
  } finally {
    // Teardown always: stop load and observers, keep the logs, remove containers and network.
    watch?.stop();
    progress.status(null);
    if (load) await load.stop().catch(() => {});
    // Every fault still active is healed before anything is removed (iptables chains, paused containers).
    if (timeline && timeline.active.size > 0) {
      const toHeal = [...timeline.active.values()].filter((f) => f.healAtTeardown).length;
      if (toHeal > 0) progress.info(`healing ${toHeal} active fault(s)`);
      await timeline.healAll();
    }
    tap?.stop();
    poller?.stop();
    tools?.close();
    if (topology) {
      result.files.logs = 'logs/';
      const logs = await topology.saveLogs(join(outDir, 'logs')).catch(() => ({}) as Record<string, string>);
      for (const s of topology.sentinels) {
        const path = (logs as Record<string, string>)[s.name];
        if (!path) continue;
        for (const ev of parseSentinelLog(await readFile(path, 'utf8'))) {
          journal.append('sentinel.log', { node: s.name, event: ev.event, detail: ev.detail, logWall: ev.wall }, ev.wall - journal.originWall);
        }
      }
      const downStart = journal.now();
      await topology.down().catch((err) => progress.info(`teardown problem: ${(err as Error).message}; run "ferrite-drill clean"`));
      result.timings.teardownMs = round(journal.now() - downStart);
      progress.info(`torn down in ${result.timings.teardownMs} ms`);
    }
  }

  if (load && result.error === null) {
    result.metrics = analyze({
      events: journal.events,
      ledger: load.ledger,
      masterName: scenario.topology.sentinel.masterName,
      requiredReplicas: scenario.load.wait.replicas,
    });
    result.expectations = evaluateExpectations(scenario.expect, result.metrics);
    result.verdict = result.expectations.every((e) => e.pass) ? 'pass' : 'fail';
  }
  if (load) result.series = computeSeries(journal.events, load.ledger);
  result.faults = faultRecords(journal.events);
  const finished = new Date();
  result.finishedAt = finished.toISOString();
  result.durationMs = finished.getTime() - startedAt.getTime();
  journal.append('run.end', { verdict: result.verdict });
  await writeRunOutputs(outDir, result, journal, load?.ledger, credentials);
  return result;
}

const NETWORK_FAULTS = new Set(['partition', 'loss', 'bandwidth', 'netem']);

const KEY_EVENTS = new Set(['+sdown', '+odown', '+try-failover', '+elected-leader', '+selected-slave', '+promoted-slave', '+switch-master', '+slave-reconf-done', '-odown', '-sdown']);
function isKeyEvent(channel: string): boolean {
  return KEY_EVENTS.has(channel);
}

function faultRecords(events: JournalEvent[]): FaultRecord[] {
  const loadStart = events.find((e) => e.type === 'load.start')?.t ?? 0;
  const heals = events.filter((e) => e.type === 'fault.heal');
  return events
    .filter((e) => e.type === 'fault.inject')
    .sort((a, b) => a.t - b.t)
    .map((e) => {
      const heal = heals.find((h) => h.key === e.key && !h.skipped);
      return {
        key: String(e.key),
        kind: String(e.kind),
        description: String(e.description ?? e.kind),
        target: String(e.target ?? e.description ?? ''),
        node: String(e.node ?? ''),
        nodes: (e.nodes as string[]) ?? [],
        role: String(e.role),
        ...(e.signal ? { signal: String(e.signal) } : {}),
        injectedAt: new Date(e.wall).toISOString(),
        atMs: round(e.t - loadStart),
        healedAt: heal ? new Date(heal.wall).toISOString() : null,
        healedAtMs: heal ? round(heal.t - loadStart) : null,
      };
    });
}

async function sleepUntil(journal: Journal, t: number, signal: AbortSignal): Promise<void> {
  const delay = t - journal.now();
  if (delay > 0) await sleep(delay, signal);
  throwIfAborted(signal);
}

async function serverVersion(topology: Topology): Promise<string | null> {
  try {
    const info = String(await topology.command(topology.dataNodes[0], 'INFO', 'server'));
    return /redis_version:(\S+)/.exec(info)?.[1] ?? null;
  } catch {
    return null;
  }
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}

function emptyResult(loaded: LoadedScenario, runId: string, startedAt: Date): DrillResult {
  const s = loaded.scenario;
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
    topology: {
      server: s.topology.server,
      replicas: s.topology.replicas,
      sentinels: s.topology.sentinels,
      quorum: s.topology.sentinel.quorum,
      downAfterMs: s.topology.sentinel.downAfter,
      failoverTimeoutMs: s.topology.sentinel.failoverTimeout,
      serverConfig: s.topology.serverConfig,
      auth: s.topology.auth ? { user: s.topology.auth.user ?? null, sentinelPassword: Boolean(s.topology.auth.sentinelPassword) } : null,
      tls: s.topology.tls?.enabled ? { clientAuth: s.topology.tls.clientAuth } : null,
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
