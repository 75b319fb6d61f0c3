/**
 * `ferrite-drill preflight <scenario>`: bring the scenario's topology up, run the HA conformance
 * preflight on it, tear it down. No load, no fault. Teardown always happens (also on Ctrl-C).
 */
import { InputError } from '../util/errors.ts';
import type { PreflightReport, ServerIdentity } from '../record/result.ts';
import type { LoadedScenario } from '../scenario/loader.ts';
import { CreateProvisioner } from '../topology/provision/create.ts';
import { modeFor } from '../topology/modes/index.ts';
import { probeServerIdentity } from '../topology/profiles/identity.ts';
import { DeathWatch } from '../observe/deathWatch.ts';
import { runPreflight } from '../preflight/run.ts';
import { startRun } from './run.ts';
import { round } from './resultOf.ts';
import type { Progress } from './progress.ts';

export interface PreflightOnlyResult {
  scenario: string;
  scenarioFile: string;
  runId: string;
  image: string;
  imageSource: string;
  sentinelImage: string | null;
  server: ServerIdentity | null;
  sentinelServer: ServerIdentity | null;
  /** null when the topology never came up (see error). */
  preflight: PreflightReport | null;
  error: string | null;
  timings: { topologyReadyMs: number | null; teardownMs: number | null };
}

export async function runPreflightOnly(loaded: LoadedScenario, opts: { signal: AbortSignal; progress: Progress }): Promise<PreflightOnlyResult> {
  const { scenario } = loaded;
  const { progress } = opts;
  const { failure, signal, runId, credentials, journal } = startRun(loaded, opts.signal);
  const out: PreflightOnlyResult = {
    scenario: scenario.name,
    scenarioFile: loaded.file,
    runId,
    image: '',
    imageSource: '',
    sentinelImage: null,
    server: null,
    sentinelServer: null,
    preflight: null,
    error: null,
    timings: { topologyReadyMs: null, teardownMs: null },
  };
  progress.info(`run ${runId}: preflight of scenario ${scenario.name} (${loaded.file})`);
  const mode = modeFor(scenario, credentials);
  const provisioner = new CreateProvisioner({ runId, scenario, journal, mode, credentials, enableDebugCommand: false, scenarioFile: loaded.file, warmScratch: true });
  let badInput: InputError | undefined;
  const deaths = new DeathWatch(provisioner.runtime, journal, (why) => failure.abort(why));
  try {
    const image = await provisioner.prepare(progress.info);
    Object.assign(out, { image: image.image, imageSource: image.how, sentinelImage: image.sentinel?.image ?? null });
    progress.info(`image: ${image.how}${image.sentinel ? `; sentinels: ${image.sentinel.how}` : ''}`);
    const upStart = journal.now();
    await deaths.start();
    const dep = await provisioner.bringUp(signal);
    out.timings.topologyReadyMs = round(journal.now() - upStart);
    out.server = await probeServerIdentity(dep, dep.dataNodes[0]);
    out.sentinelServer = dep.sentinels[0] ? await probeServerIdentity(dep, dep.sentinels[0]) : null;
    progress.info(`ready in ${out.timings.topologyReadyMs} ms; checking`);
    out.preflight = await runPreflight({ dep, scenario, runId, journal, scratch: provisioner.scratch, expectDeath: (n) => deaths.expectDeath(n), signal });
  } catch (err) {
    if (err instanceof InputError) badInput = err; // a directive the server rejects: exit 2 (after teardown)
    out.error = signal.aborted ? String(signal.reason ?? (err as Error).message) : (err as Error).message;
    progress.info(`error: ${out.error}`);
  } finally {
    deaths.stop();
    const downStart = journal.now();
    await provisioner.tearDown().catch((err) => progress.info(`teardown problem: ${(err as Error).message}; run "ferrite-drill clean"`));
    out.timings.teardownMs = round(journal.now() - downStart);
    progress.info(`torn down in ${out.timings.teardownMs} ms`);
  }
  if (badInput) throw badInput;
  return out;
}
