/**
 * Repeats: after a run, its topology is reset for the next run instead of torn down, when the run and its
 * faults allow; otherwise it is torn down and the next run creates a fresh one. Either way the run's
 * result says which, and why (result.repeat, and a `topology.reset` journal event).
 */
import type { Journal } from '../record/journal.ts';
import type { DrillResult } from '../record/result.ts';
import type { Deployment } from '../topology/deployment.ts';
import { waitForHaproxy } from '../topology/haproxyReady.ts';
import type { KeepRequest, KeptTopology, RunState } from './run.ts';
import type { Progress } from './progress.ts';
import { round } from './resultOf.ts';

/** Bound on one reset (restarts, the failover back, readiness). */
const RESET_TIMEOUT_MS = 30_000;

/** Why this run's topology cannot be handed on (null: it may be, once the reset succeeds). */
function refusal(state: RunState, dep: Deployment, result: DrillResult, keep: KeepRequest): string | null {
  if (!keep.step.keep) return keep.step.run === keep.step.of ? 'the last run' : 'not asked to keep it';
  if (keep.signal.aborted) return 'interrupted';
  if (result.error !== null) return `the run ended in error (${result.error})`;
  if (state.unhealed?.length) return `faults that could not be healed may have left it changed: ${state.unhealed.join(', ')}`;
  if (state.provisioner?.kind !== 'create') return 'the harness did not create it';
  if (state.links) return 'its latency faults route the clients through proxies of this run';
  if (!dep.mode.reset) return `${dep.mode.name} mode cannot be reset: each run creates its own topology`;
  return null;
}

export async function keepForNextRun(state: RunState, dep: Deployment, journal: Journal, result: DrillResult, progress: Progress, keep: KeepRequest): Promise<KeptTopology | undefined> {
  const started = journal.now();
  const steps: string[] = [];
  const record = (kept: boolean, why: string) => {
    const ms = round(journal.now() - started);
    journal.append('topology.reset', { kept, why, steps, ms });
    result.timings.resetMs = kept ? ms : null;
    result.repeat = { run: keep.step.run, of: keep.step.of, topologyReused: Boolean(keep.step.kept), afterwards: kept ? 'kept' : 'torn down', why };
    progress.info(kept ? `topology reset for the next run in ${ms} ms: ${steps.join('; ') || 'nothing to undo'}` : `topology not kept (${why}): tearing it down`);
  };
  const why = refusal(state, dep, result, keep);
  if (why) {
    record(false, why);
    return undefined;
  }
  try {
    await dep.mode.reset!(dep, keep.signal, RESET_TIMEOUT_MS, (s) => steps.push(s));
    if (dep.proxy) await waitForHaproxy(dep, dep.proxy, keep.signal, RESET_TIMEOUT_MS);
  } catch (err) {
    record(false, keep.signal.aborted ? 'interrupted during the reset' : `the reset failed (${(err as Error).message}); the next run creates a fresh topology`);
    return undefined;
  }
  record(true, 'reset: nodes running, data flushed, original primary restored, monitors ready');
  const provisioner = state.provisioner!;
  return {
    provisioner,
    dep,
    image: state.image!,
    createdBy: keep.step.kept?.createdBy ?? keep.runId,
    credentials: keep.credentials,
    preflight: keep.step.kept?.preflight ?? result.preflight,
    identity: { server: result.server, sentinelServer: result.sentinelServer, serverVersion: result.serverVersion },
    release: () => provisioner.tearDown(),
  };
}
