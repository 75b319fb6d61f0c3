/**
 * The drill runner: phases in order, each with a deadline, and teardown that always happens — on
 * success, on failure, on Ctrl-C. It talks to the deployment only through the provisioner, the
 * runtime and the HA mode, and returns the record of the run ({ result, journal, ledger, logs });
 * writing files is the caller's job (the CLI, a suite, repeats).
 */
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { Journal } from '../record/journal.ts';
import type { Ledger } from '../record/ledger.ts';
import { t0Of } from '../record/anchors.ts';
import { describeClient, type DrillResult } from '../record/result.ts';
import type { LoadedScenario } from '../scenario/loader.ts';
import { faultsOf } from '../scenario/schema.ts';
import type { Deployment } from '../topology/deployment.ts';
import type { PreparedImage, Provisioner } from '../topology/provision/provisioner.ts';
import { CreateProvisioner } from '../topology/provision/create.ts';
import { AttachProvisioner } from '../topology/provision/attach/provisioner.ts';
import { describeLeft } from '../record/attach.ts';
import type { AttachTarget } from '../topology/provision/attach/target.ts';
import { modeFor } from '../topology/modes/index.ts';
import type { Observer } from '../topology/modes/mode.ts';
import { resolveCredentials, type Credentials } from '../topology/secrets.ts';
import { ReplicationPoller } from '../observe/replicationPoller.ts';
import { DeathWatch } from '../observe/deathWatch.ts';
import { WriteLoad } from '../workload/writers.ts';
import { writerFactory } from '../workload/writerFactory.ts';
import { journalProxyLogs } from '../observe/haproxyLog.ts';
import { verifyLedger } from '../workload/verify.ts';
import { faultKind } from '../faults/registry.ts';
import { LinkProxies } from '../faults/links.ts';
import { latencyMechanism } from '../faults/kinds/latency.ts';
import { TimelineRunner } from './timeline.ts';
import { emptyResult, faultRecords, round } from './resultOf.ts';
import { composeDirectives } from '../topology/serverConfig.ts';
import { analyzeRun } from './analyzeRun.ts';
import { preflightPhase } from './preflightPhase.ts';
import { keepForNextRun } from './keep.ts';
import { describeIdentity, probeServerIdentity } from '../topology/profiles/identity.ts';
import { InfrastructureError, InputError } from '../util/errors.ts';
import { configurationOf } from '../topology/provision/configCheck.ts';
import { describeClientSettings, writerSettings } from '../workload/clientOptions.ts';
import { ofType } from '../record/events.ts';
import { sleep, throwIfAborted } from '../util/time.ts';
import type { Progress } from './progress.ts';

export interface RunOptions {
  signal: AbortSignal;
  progress: Progress;
  /** Experts only: go straight to the faults without the HA conformance preflight. */
  skipPreflight?: boolean;
  /** Drill a deployment the user runs instead of creating one (its topology section is then ignored). */
  attach?: { target: AttachTarget; restorePrimary: boolean };
  /** Repeats (`--repeat N`): this run's place in the series, and the topology it reuses or hands on. */
  repeat?: RepeatStep;
}

/** One run of a repeated drill. */
export interface RepeatStep {
  run: number;
  of: number;
  /** The previous run's topology, reset and ready; absent: this run creates one. */
  kept?: KeptTopology;
  /** Reset this run's topology for the next run when it can be, instead of tearing it down (not for the last run). */
  keep: boolean;
}

/** A topology handed from one repeated run to the next, with what the next one would otherwise learn at bring-up. */
export interface KeptTopology {
  provisioner: Provisioner;
  dep: Deployment;
  image: PreparedImage;
  /** The run that created it. */
  createdBy: string;
  credentials: Credentials | undefined;
  /** Its preflight (the same nodes: not checked again). */
  preflight: DrillResult['preflight'];
  identity: Pick<DrillResult, 'server' | 'sentinelServer' | 'serverVersion'>;
  /** Removes it (the series ended early, e.g. on Ctrl-C, with it still kept). */
  release(): Promise<void>;
}

/** Everything a run leaves: the result, and the record it was computed from. */
export interface DrillOutcome {
  result: DrillResult;
  journal: Journal;
  ledger: Ledger | undefined;
  /** Each node's log (secrets scrubbed), by node name. */
  logs: Record<string, string>;
  /** For scrubbing secrets from every file written. */
  credentials: Credentials | undefined;
  /** Repeats: the topology, reset for the next run (absent: it was torn down). */
  kept?: KeptTopology;
}

export function newRunId(): string {
  return randomBytes(4).toString('hex');
}

/**
 * What every run starts with: its id, its journal, the credentials (resolved first: a missing variable
 * or file is bad input, found before anything starts), and a signal that fires on the user's Ctrl-C or
 * on an infrastructure failure a watcher reports through `failure`.
 */
export function startRun(loaded: LoadedScenario, userSignal: AbortSignal): { failure: AbortController; signal: AbortSignal; runId: string; credentials: Credentials | undefined; journal: Journal } {
  const failure = new AbortController();
  return { failure, signal: AbortSignal.any([userSignal, failure.signal]), runId: newRunId(), credentials: resolveCredentials(loaded.scenario, loaded.file), journal: new Journal() };
}

export function defaultOutDir(scenario: string, when = new Date()): string {
  const stamp = when.toISOString().replace(/[:]/g, '').replace(/\..*$/, '');
  return resolve('reports', `${scenario}-${stamp}`);
}

/** The run's moving parts, as far as they exist (teardown works on whatever was started). */
export interface RunState {
  provisioner?: Provisioner;
  dep?: Deployment;
  load?: WriteLoad;
  timeline?: TimelineRunner;
  observers: Observer[];
  deaths?: DeathWatch;
  image?: PreparedImage;
  /** A reused topology's logs hold earlier runs too: this run's start. */
  logsSince?: Date;
  /** Repeats: the topology, reset for the next run. */
  kept?: KeptTopology;
  /** Faults whose heal failed at teardown (the topology is then not reused). */
  unhealed?: string[];
  links?: LinkProxies;
  logs: Record<string, string>;
}

export async function runDrill(loaded: LoadedScenario, opts: RunOptions): Promise<DrillOutcome> {
  // Attached: the scenario as the drill runs it, with the discovered topology (set once it is found).
  let scenario = loaded.scenario;
  const { progress } = opts;
  const started = startRun(loaded, opts.signal);
  const { failure, signal, runId, journal } = started;
  const kept = opts.repeat?.kept;
  // A reused topology runs with the secrets it was created with (a generated password is made once).
  const credentials = kept ? kept.credentials : started.credentials;
  const result = emptyResult(loaded, runId, new Date(journal.originWall));
  journal.append('run.start', { runId, scenario: scenario.name });
  progress.info(`run ${runId}: scenario ${scenario.name} (${loaded.file})`);
  for (const line of credentials?.origin ?? []) progress.info(`auth ${line}`);

  const state: RunState = { observers: [], logs: {}, logsSince: kept ? new Date(journal.originWall) : undefined };
  let badInput: InputError | undefined;
  const phase = (name: string) => {
    journal.append('phase', { name });
    progress.phase(name);
  };
  const fail = (reason: string) => {
    if (!failure.signal.aborted) failure.abort(reason);
  };
  try {
    phase('prepare');
    const usesFault = (name: string) => faultsOf(scenario.timeline).some((e) => e.fault === name);
    const client = writerSettings(scenario);
    result.client = { settings: describeClientSettings(client), overridden: client.overridden, mayResend: client.mayResend };
    progress.info(`client: ${describeClient(result.client)}`);
    let provisioner: Provisioner;
    if (opts.attach) {
      // The user's deployment: its configuration is theirs, discovered, never composed by the harness.
      provisioner = new AttachProvisioner({ runId, scenario, journal, credentials, ...opts.attach });
    } else {
      // Repeats: a kept topology is the one the first run created from the same scenario.
      const mode = kept ? kept.dep.mode : modeFor(scenario, credentials);
      result.configuration = configurationOf({ scenario, mode, enableDebugCommand: usesFault('stall') });
      provisioner = kept?.provisioner ?? new CreateProvisioner({ runId, scenario, journal, mode, credentials, enableDebugCommand: usesFault('stall'), scenarioFile: loaded.file, warmScratch: !opts.skipPreflight });
      // The same composition the provisioner writes into each data node's config, kept for the reports.
      result.topology.appliedConfig = Object.fromEntries(composeDirectives({ topology: scenario.topology, tls: false, enableDebugCommand: usesFault('stall') }));
    }
    state.provisioner = provisioner;
    const image = kept?.image ?? (await provisioner.prepare(progress.info));
    state.image = image;
    if (provisioner instanceof AttachProvisioner) {
      scenario = provisioner.scenario;
      result.attach = { target: opts.attach!.target.spec, found: journal.filter('attach.found')[0], left: null };
      result.topology = { ...result.topology, replicas: scenario.topology.replicas, sentinels: scenario.topology.sentinels, quorum: scenario.topology.sentinel.quorum, downAfterMs: scenario.topology.sentinel.downAfter, failoverTimeoutMs: scenario.topology.sentinel.failoverTimeout, serverConfig: scenario.topology.serverConfig };
    }
    result.image = image.image;
    result.imageSource = image.how;
    progress.info(`image: ${image.how}`);
    if (image.sentinel) {
      result.sentinelImage = image.sentinel.image;
      progress.info(`sentinel image: ${image.sentinel.how}`);
    }
    if (usesFault('netem')) {
      const missing = await provisioner.runtime.probeNetem();
      if (missing) {
        throw new InfrastructureError(
          `this scenario needs tc netem (latency, jitter, duplication, corruption), and this machine's kernel has no sch_netem ("${missing}"); run it on a kernel with netem, or use the loss/bandwidth faults, which work without it.`,
        );
      }
    }
    const latencies = faultsOf(scenario.timeline).flatMap((e) => (e.fault === 'latency' ? [e] : []));
    if (latencies.length > 0) {
      const links = (state.links = new LinkProxies(runId));
      // Probed once here, not when the fault fires: the probe starts a container (~1 s).
      links.netemMissing = latencies.every((e) => e.mechanism === 'proxy') ? 'not probed (mechanism: proxy)' : await provisioner.runtime.probeNetem();
      progress.info(`latency faults: ${links.netemMissing === null ? 'this kernel has sch_netem' : `no netem (${links.netemMissing}); slow links go through ${links.where}`}`);
    }
    throwIfAborted(signal);

    phase('topology');
    const upStart = journal.now();
    state.deaths = new DeathWatch(provisioner.runtime, journal, fail);
    await state.deaths.start();
    const dep = kept ? reuseTopology(kept, journal, opts.repeat!, progress) : await provisioner.bringUp(signal);
    state.dep = dep;
    const mode = dep.mode;
    result.timings.topologyReadyMs = round(journal.now() - upStart);
    result.clientPath = dep.access.path;
    Object.assign(result, kept ? kept.identity : await identifyServers(dep, journal));
    progress.info(`ready in ${result.timings.topologyReadyMs} ms: ${describeDeployment(dep)} (server ${describeIdentity(result.server)}${dep.sentinels.length ? `; sentinels ${describeIdentity(result.sentinelServer)}` : ''}); clients connect ${dep.access.path}: ${dep.access.reason}`);

    if (kept) {
      // The same nodes the first run checked: their capabilities did not change with a reset.
      result.preflight = kept.preflight;
      journal.append('preflight.skipped', { reason: `same topology as run ${kept.createdBy}, whose preflight ${kept.preflight?.skipped ? 'was skipped' : 'passed'}` });
    } else {
      await preflightPhase({ dep, scenario, runId, journal, scratch: provisioner.scratch, expectDeath: (n) => state.deaths?.expectDeath(n), signal }, result, progress, phase, opts.skipPreflight);
    }

    phase('observe');
    const replication = new ReplicationPoller(dep, journal);
    state.observers = [replication, ...mode.observers(dep, journal)];
    for (const o of state.observers) await o.start();
    journal.onEvent((e) => {
      const line = mode.progressLine(e, t0Of(journal.events));
      if (line) progress.info(line);
    });
    const networkNodes = faultsOf(scenario.timeline).some((e) => {
      if (e.fault === 'heal') return false;
      const network = faultKind(e.fault).network;
      return typeof network === 'function' ? network(e) : Boolean(network);
    });
    if (networkNodes) await dep.runtime.prepareNet(dep.nodes);
    const links = state.links;
    if (links && latencies.some((e) => e.link === 'client' && latencyMechanism(e, links.netemMissing) === 'proxy')) {
      await links.routeClients(dep);
      progress.info(`writers reach the servers through ${links.where} (idle until a client-link latency fault)`);
    }

    phase('load');
    const load = new WriteLoad(scenario.load, dep, journal, runId, writerFactory(dep, scenario, journal));
    state.load = load;
    await load.connect(signal);
    const loadStart = journal.now();
    journal.append('load.start', { writers: scenario.load.writers, ...(load.writerShards ? { writerShards: load.writerShards } : {}) });
    load.start();
    progress.status(() => ({
      phase: 'load',
      elapsedMs: journal.now() - loadStart,
      plannedMs: scenario.duration,
      acknowledged: load.counts.acknowledged,
      errors: load.counts.failed + load.counts.indeterminate,
      activeFaults: [...(state.timeline?.active.keys() ?? [])],
    }));
    const timeline = new TimelineRunner(scenario, { dep, journal, runId, expectDeath: (node) => state.deaths?.expectDeath(node), links: state.links }, progress);
    state.timeline = timeline;
    await timeline.run(loadStart, signal);
    await sleepUntil(journal, loadStart + scenario.duration, signal);
    // The load ends when it was told to; writes still in flight finish (or end indeterminate) after.
    const loadStop = journal.now();
    await load.stop();
    progress.status(null);
    journal.append('load.stop', { writes: load.ledger.size, ...(writerSettings(scenario).mayResend ? { acrossDrops: { ...load.acrossDrops } } : {}) }, loadStop);
    progress.info(`load stopped: ${load.ledger.size} writes attempted`);
    await timeline.healDue();

    phase('recover');
    const convergence = await mode.converge(dep, journal, scenario.recovery.timeout, signal);
    result.timings.recovery = { ...convergence, ms: round(convergence.ms) };
    progress.info(convergence.converged ? `converged: ${describeConvergence(convergence)} (${round(convergence.ms)} ms)` : `did not converge: ${convergence.reason}`);
    await replication.sampleAll();

    phase('verify');
    const reader = await mode.finalReader(dep, convergence);
    if (reader) {
      try {
        const v = await verifyLedger(load.ledger, reader);
        result.timings.verifyMs = round(v.ms);
        journal.append('verify.done', { node: reader.source, checked: v.checked, ms: v.ms });
        progress.info(`verified ${v.checked} writes against ${reader.source} in ${round(v.ms)} ms`);
      } finally {
        reader.close();
      }
    } else {
      journal.append('verify.skipped', { reason: 'no converged primary to read from' });
      progress.info('verification skipped: no converged primary to read from');
    }
  } catch (err) {
    // Bad input found by the servers themselves (a rejected directive) or a refusal to attach: nothing of
    // the drill started; thrown after teardown (exit 2, no report).
    if (err instanceof InputError) badInput = err;
    result.verdict = 'error';
    result.error = (err as Error).message;
    journal.append('run.error', { message: result.error });
    progress.info(`error: ${result.error}`);
  } finally {
    await tearDown(state, journal, result, progress, opts.repeat && { step: opts.repeat, runId, credentials, signal: opts.signal });
  }
  if (badInput) throw badInput;
  if (state.provisioner instanceof AttachProvisioner && state.provisioner.left && result.attach) {
    result.attach.left = state.provisioner.left;
    progress.info(describeLeft(result.attach.target, state.provisioner.left));
  }

  if (opts.repeat && !result.repeat) {
    result.repeat = { run: opts.repeat.run, of: opts.repeat.of, topologyReused: Boolean(kept), afterwards: 'torn down', why: result.error ?? 'nothing was brought up' };
  }
  // Repeats judge statistics (rtoMs.p95) over all the runs, in the summary; a single run over itself.
  const stats = opts.repeat ? 'summary' : 'single';
  if (state.load && result.error === null) analyzeRun(result, journal, state.load.ledger, scenario, { stats });
  else if (state.load) analyzeRun(result, journal, state.load.ledger, scenario, { seriesOnly: true });
  result.faults = faultRecords(journal.events);
  const acrossDrops = ofType(journal.events, 'load.stop')[0]?.acrossDrops;
  if (result.client && acrossDrops) result.client.acrossDrops = acrossDrops;
  const finished = new Date();
  result.finishedAt = finished.toISOString();
  result.durationMs = finished.getTime() - Date.parse(result.startedAt);
  journal.append('run.end', { verdict: result.verdict });
  return { result, journal, ledger: state.load?.ledger, logs: state.logs, credentials, ...(state.kept ? { kept: state.kept } : {}) };
}

/** Repeats: the previous run's topology, now recording into this run's journal. */
function reuseTopology(kept: KeptTopology, journal: Journal, step: RepeatStep, progress: Progress): Deployment {
  kept.dep.useJournal(journal);
  journal.append('topology.reused', { createdBy: kept.createdBy, run: step.run });
  kept.dep.record();
  progress.info(`run ${step.run}/${step.of}: reusing the topology of run ${kept.createdBy} (reset after the previous run)`);
  return kept.dep;
}

/** What teardown needs to keep a repeated run's topology for the next run. */
export interface KeepRequest {
  step: RepeatStep;
  runId: string;
  credentials: Credentials | undefined;
  /** The user's signal (Ctrl-C): a reset stops on it and the topology is torn down. */
  signal: AbortSignal;
}

/**
 * Teardown always: stop load and observers, heal what is active, keep the logs, remove what was created
 * (repeats: or reset it for the next run, when that can be done).
 */
async function tearDown(state: RunState, journal: Journal, result: DrillResult, progress: Progress, keep?: KeepRequest): Promise<void> {
  state.deaths?.stop();
  progress.status(null);
  if (state.load) await state.load.stop().catch(() => {});
  // Every fault still active is healed before anything is removed (iptables chains, paused nodes).
  const timeline = state.timeline;
  if (timeline && timeline.active.size > 0) {
    const toHeal = [...timeline.active.values()].filter((f) => f.healAtTeardown).length;
    if (toHeal > 0) progress.info(`healing ${toHeal} active fault(s)`);
    state.unhealed = await timeline.healAll();
  }
  // After the heals (which remove their own proxies): whatever proxy is left, and the proxy server.
  await state.links?.close().catch((err) => progress.info(`link proxies: ${(err as Error).message}`));
  for (const o of state.observers) o.stop();
  const dep = state.provisioner?.deployment;
  if (dep) {
    state.logs = await dep.collectLogs(state.logsSince);
    // The nodes' own logs carry the authoritative event times.
    dep.mode.journalLogs(dep, state.logs, journal);
    journalProxyLogs(dep, state.logs, journal);
  }
  if (keep && state.provisioner && dep) {
    state.kept = await keepForNextRun(state, dep, journal, result, progress, keep);
    if (state.kept) return;
  }
  if (state.provisioner) {
    const downStart = journal.now();
    await state.provisioner.tearDown().catch((err) => progress.info(`teardown problem: ${(err as Error).message}; run "ferrite-drill clean"`));
    result.timings.teardownMs = round(journal.now() - downStart);
    progress.info(`torn down in ${result.timings.teardownMs} ms`);
  }
}

async function sleepUntil(journal: Journal, t: number, signal: AbortSignal): Promise<void> {
  const delay = t - journal.now();
  if (delay > 0) await sleep(delay, signal);
  throwIfAborted(signal);
}

function describeDeployment(dep: Deployment): string {
  const sentinels = dep.sentinels.length > 0 ? `, ${dep.sentinels.length} sentinels` : '';
  const shards = dep.mode.name === 'cluster' ? ` in ${new Set(dep.dataNodes.map((n) => n.shard)).size} shards` : '';
  return `${dep.dataNodes.length} data nodes${shards}${sentinels}`;
}

function describeConvergence(c: { primary: string | null; primaries?: Record<string, string> }): string {
  if (c.primaries) return `primaries ${Object.entries(c.primaries).map(([shard, node]) => `shard ${shard}: ${node}`).join(', ')}`;
  return `primary ${c.primary}`;
}

/** What the data nodes and sentinels really run (INFO server), journalled; serverVersion is the server's own version. */
async function identifyServers(dep: Deployment, journal: Journal): Promise<Pick<DrillResult, 'server' | 'sentinelServer' | 'serverVersion'>> {
  const [server, sentinelServer] = await Promise.all([probeServerIdentity(dep, dep.dataNodes[0]), dep.sentinels[0] ? probeServerIdentity(dep, dep.sentinels[0]) : null]);
  for (const [node, id] of [[dep.dataNodes[0], server], [dep.sentinels[0], sentinelServer]] as const) {
    if (node && id) journal.append('server.identity', { node: node.name, ...id });
  }
  return { server, sentinelServer, serverVersion: server?.version ?? null };
}
