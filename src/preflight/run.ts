/**
 * The HA conformance preflight: before any fault, on the real nodes, check what the drill relies on —
 * replication as INFO and ROLE report it, a write reaching every replica, WAIT, offsets, min-replicas,
 * the sentinels' view, SHUTDOWN and SIGTERM, persistence — each pass / fail / unsupported / skipped with
 * the replies seen. The drill's nodes are only read (one probe key per group is written and deleted);
 * what would disturb them runs on two throwaway nodes of the same image at the same time.
 */
import type { Deployment } from '../topology/deployment.ts';
import type { ScratchNodes } from '../topology/provision/provisioner.ts';
import type { Scenario } from '../scenario/schema.ts';
import type { Journal } from '../record/journal.ts';
import type { PreflightCheck, PreflightReport } from '../record/result.ts';
import { profileFor } from '../topology/profiles/index.ts';
import { Probe } from './probe.ts';
import { InfrastructureError } from '../util/errors.ts';
import { checkInfoReplication, checkRole, checkWritePath, mergeOutcomes, replicationGroups, type Outcome } from './replication.ts';
import { checkPersistence, checkSentinels } from './nodeChecks.ts';
import { scratchChecks, type ScratchOutcomes } from './scratch.ts';
import { CHECK_IDS, CHECK_TITLES, directiveOf, requirementsOf, type CheckId } from './requirements.ts';

export interface PreflightContext {
  dep: Deployment;
  scenario: Scenario;
  runId: string;
  journal: Journal;
  /** Throwaway nodes (absent: the checks that need them are skipped, saying why). */
  scratch?: ScratchNodes;
  /** Tells the run's death watch a throwaway node is about to stop. */
  expectDeath?: (node: string) => void;
  signal: AbortSignal;
}

type Timed = Outcome & { ms: number };

export async function runPreflight(ctx: PreflightContext): Promise<PreflightReport> {
  const started = performance.now();
  const { dep, scenario } = ctx;
  const req = requirementsOf(scenario);
  const probe = new Probe(dep);
  const outcomes = new Map<CheckId, Timed>();
  const skip = (id: CheckId) => req[id].skip === true;
  try {
    const onDrillNodes = async () => {
      const groups = skip('info-replication') ? [] : await replicationGroups(dep, ctx.runId);
      if (!skip('info-replication') && groups.length === 0) {
        const none: Timed = { status: 'fail', evidence: ['no primary could be determined (the HA mode names none)'], ms: 0 };
        for (const id of ['info-replication', 'role', 'write-replicates', 'wait', 'offsets-advance'] as const) outcomes.set(id, none);
      }
      if (groups.length > 0) {
        const timed = async (f: () => Promise<Outcome[]>): Promise<Timed> => {
          const t = performance.now();
          const results = await f();
          return { ...mergeOutcomes(results), ms: Math.round(performance.now() - t) };
        };
        outcomes.set('info-replication', await timed(() => Promise.all(groups.map((g) => checkInfoReplication(probe, g)))));
        outcomes.set('role', await timed(() => Promise.all(groups.map((g) => checkRole(probe, g)))));
        const writes = await Promise.all(groups.map((g) => checkWritePath(probe, g)));
        const sum = (k: 'write' | 'wait' | 'offsets') => Math.max(...writes.map((w) => w.ms[k]));
        outcomes.set('write-replicates', { ...mergeOutcomes(writes.map((w) => w.writeReplicates)), ms: sum('write') });
        outcomes.set('wait', { ...mergeOutcomes(writes.map((w) => w.wait)), ms: sum('wait') });
        outcomes.set('offsets-advance', { ...mergeOutcomes(writes.map((w) => w.offsetsAdvance)), ms: sum('offsets') });
        if (!skip('sentinel')) {
          const t = performance.now();
          const masterName = scenario.topology.sentinel.masterName;
          outcomes.set('sentinel', { ...(await checkSentinels(probe, dep, groups[0], masterName)), ms: Math.round(performance.now() - t) });
        }
      }
      const t = performance.now();
      outcomes.set('persistence', { ...(await checkPersistence(probe, dep, scenario)), ms: Math.round(performance.now() - t) });
    };
    const onScratchNodes = async (): Promise<ScratchOutcomes | null> => {
      if (!ctx.scratch) return null;
      return scratchChecks({
        dep,
        scratch: ctx.scratch,
        profile: profileFor(scenario.topology.server),
        requirements: req,
        minReplicas: Number(directiveOf(scenario, 'min-replicas-to-write') ?? 0),
        expectDeath: ctx.expectDeath ?? (() => {}),
        signal: ctx.signal,
        probe,
        runId: ctx.runId,
      }).catch((err: Error) => {
        throw new InfrastructureError(`the preflight's throwaway nodes (of the drill's image, for the REPLICAOF / SHUTDOWN / SIGTERM checks) did not work: ${err.message}`);
      });
    };
    const [, scratch] = await Promise.all([onDrillNodes(), onScratchNodes()]);
    for (const id of ['replicaof', 'min-replicas', 'shutdown', 'sigterm'] as const) {
      outcomes.set(id, scratch ? scratch[id] : { status: 'skipped', evidence: ['this deployment was not created by the harness: it cannot start a throwaway node of its image to check this without touching the drill\'s nodes'], ms: 0 });
    }
  } finally {
    probe.close();
  }

  const checks: PreflightCheck[] = CHECK_IDS.map((id) => {
    const o = outcomes.get(id) ?? { status: 'skipped' as const, evidence: [req[id].why], ms: 0 };
    return { id, title: CHECK_TITLES[id], status: o.status, required: req[id].required && o.status !== 'skipped', why: req[id].why, evidence: o.evidence, ...(o.status !== 'pass' && o.reason ? { reason: o.reason } : {}), ms: o.ms };
  });
  for (const c of checks) ctx.journal.append('preflight.check', { id: c.id, status: c.status, required: c.required, evidence: c.evidence, ms: c.ms });
  const notPassed = (c: PreflightCheck) => c.status === 'fail' || c.status === 'unsupported';
  const missing = checks.filter((c) => c.required && notPassed(c)).map((c) => c.id);
  const warnings = checks.filter((c) => !c.required && notPassed(c)).map((c) => c.id);
  const ms = Math.round(performance.now() - started);
  ctx.journal.append('preflight.done', { passed: missing.length === 0, missing, ms });
  return { passed: missing.length === 0, checks, missing, warnings, ms };
}

/** One sentence naming what the server lacks for this drill (the run's error when the preflight fails). */
export function preflightFailure(report: PreflightReport, server: string): string {
  const titles = report.checks.filter((c) => report.missing.includes(c.id)).map((c) => `${c.id} (${c.title})`);
  return `HA conformance preflight: ${server} does not do what this drill relies on, so no fault was injected: ${titles.join('; ')}`;
}
