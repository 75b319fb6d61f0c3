/**
 * The drill's preflight phase: after the topology is ready, before observers, load and faults. A drill
 * whose required checks fail stops here with the finding as its error (verdict error, exit 3) and still
 * tears down and writes its report; `--skip-preflight` goes on without it and says so.
 */
import type { DrillResult } from '../record/result.ts';
import { preflightFailure, runPreflight, type PreflightContext } from '../preflight/run.ts';
import { describeIdentity } from '../topology/profiles/identity.ts';
import type { Progress } from './progress.ts';

/** The server lacks what the drill relies on: a finding about the server, not a harness crash. */
export class PreflightFailedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PreflightFailedError';
  }
}

export async function preflightPhase(ctx: PreflightContext, result: DrillResult, progress: Progress, phase: (name: string) => void, skip = false): Promise<void> {
  if (skip) {
    const reason = '--skip-preflight: the HA conformance checks were not run';
    ctx.journal.append('preflight.skipped', { reason });
    result.preflight = { passed: true, skipped: reason, checks: [], missing: [], warnings: [], ms: 0 };
    progress.info(`preflight skipped (${reason})`);
    return;
  }
  phase('preflight');
  const report = await runPreflight(ctx);
  result.preflight = report;
  result.timings.preflightMs = report.ms;
  for (const c of report.checks) {
    if (c.status === 'skipped') continue;
    const mark = c.status === 'pass' ? 'pass' : c.required ? c.status.toUpperCase() : `${c.status} (not needed by this drill)`;
    progress.info(`preflight ${c.id}: ${mark}${c.status === 'pass' ? '' : ` — ${c.reason ?? c.evidence[0] ?? ''}`}`);
  }
  progress.info(report.passed ? `preflight passed in ${report.ms} ms` : `preflight failed in ${report.ms} ms: missing ${report.missing.join(', ')}`);
  if (!report.passed) throw new PreflightFailedError(preflightFailure(report, describeIdentity(result.server)));
}
