/**
 * Repeats (`--repeat N`): the same drill N times, each run in its own folder (run-01/, run-02/, ...) with
 * its usual files, and summary.json / summary.html beside them: every metric as min / p50 / p95 / max
 * over the runs (nearest rank) with the count of runs behind each, and the expectations on statistics
 * (rtoMs.p95) judged over them. Between runs the topology is reset and reused where the mode and the
 * faults allow (see engine/keep.ts), else created again. The summary is rewritten after every run, so
 * an interrupted series still leaves a true account of the runs that finished.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import type { Comparison } from '../record/comparison.ts';
import { join, relative, resolve } from 'node:path';
import type { LoadedScenario } from '../scenario/loader.ts';
import { runDrill, type KeptTopology } from '../engine/run.ts';
import type { Progress } from '../engine/progress.ts';
import type { DrillResult, ExpectationResult, Verdict } from '../record/result.ts';
import type { MetricName } from '../record/metrics.ts';
import { summarizeMetrics, type MetricStats } from '../analysis/stats.ts';
import { evaluateStatExpectations } from '../analysis/expectations.ts';
import { writeRunOutputs } from '../report/write.ts';
import { renderRepeatSummary } from '../report/repeatSummary.ts';

/** One run as the summary lists it. */
export interface RepeatRun {
  run: number;
  dir: string;
  verdict: Verdict;
  error: string | null;
  topologyReused: boolean;
  /** What became of its topology: kept for the next run, or torn down (and why). */
  afterwards: string;
  durationMs: number;
  failedExpectations: string[];
}

/** summary.json. The first fields are the contract other tools (baselines) read. */
export interface RepeatSummary {
  kind: 'repeat-summary';
  scenario: string;
  /** Runs that finished (N, unless the series was interrupted). */
  runs: number;
  /** fail: a run did not pass, or an expectation on a statistic did not hold, or the series did not finish. */
  verdict: 'pass' | 'fail';
  /** Each finished run's folder, relative to the summary. */
  runDirs: string[];
  /** Every metric over the runs: how many runs produced a number, and min / p50 / p95 / max of those (null when none did). */
  metrics: Record<MetricName, MetricStats>;
  requested: number;
  percentiles: 'nearest-rank';
  /** Expectations on statistics (rtoMs.p95), judged over the runs; each run's own expectations are in its result.json. */
  expectations: ExpectationResult[];
  /** Runs that ended in error (no measurement: infrastructure, preflight). */
  errors: number;
  interrupted: boolean;
  scenarioFile: string;
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  outDir: string;
  runList: RepeatRun[];
  /** Against --baseline: the series' p50/p95 (or the baseline's single run) metric by metric; absent without one. */
  comparison?: Comparison | null;
}

export interface RepeatOptions {
  runs: number;
  outDir: string;
  signal: AbortSignal;
  progress: Progress;
  skipPreflight?: boolean;
  /** Told when each run ends (for the terminal). */
  onRun?: (run: RepeatRun, of: number, result: DrillResult) => void;
  /** --baseline: compares the series with it, each time the summary is written (so an interrupted series is compared too). */
  compare?: (summary: RepeatSummary) => Comparison;
}

export function runFolder(i: number, of: number): string {
  return `run-${String(i).padStart(Math.max(2, String(of).length), '0')}`;
}

export async function runRepeats(loaded: LoadedScenario, opts: RepeatOptions): Promise<RepeatSummary> {
  const started = new Date();
  const outDir = resolve(opts.outDir);
  await mkdir(outDir, { recursive: true });
  const results: DrillResult[] = [];
  const summary: RepeatSummary = {
    kind: 'repeat-summary', scenario: loaded.scenario.name, runs: 0, verdict: 'fail', runDirs: [], metrics: summarizeMetrics([]),
    requested: opts.runs, percentiles: 'nearest-rank', expectations: [], errors: 0, interrupted: false, scenarioFile: loaded.file,
    startedAt: started.toISOString(), finishedAt: started.toISOString(), durationMs: 0, outDir, runList: [],
  };
  const save = async () => {
    summary.finishedAt = new Date().toISOString();
    summary.durationMs = Date.now() - started.getTime();
    summary.runs = results.length;
    summary.metrics = summarizeMetrics(results.map((r) => r.metrics));
    summary.expectations = evaluateStatExpectations(loaded.scenario.expect, summary.metrics, results.length);
    summary.errors = results.filter((r) => r.verdict === 'error').length;
    const allPassed = results.length === opts.runs && results.every((r) => r.verdict === 'pass');
    summary.verdict = allPassed && !summary.interrupted && summary.expectations.every((e) => e.pass) ? 'pass' : 'fail';
    if (opts.compare) summary.comparison = opts.compare(summary);
    await writeFile(join(outDir, 'summary.json'), JSON.stringify(summary, null, 2) + '\n');
    await writeFile(join(outDir, 'summary.html'), renderRepeatSummary(summary));
  };

  let kept: KeptTopology | undefined;
  try {
    for (let i = 1; i <= opts.runs; i++) {
      if (opts.signal.aborted) break;
      opts.progress.info(`run ${i}/${opts.runs}: ${loaded.scenario.name}${kept ? ' (on the topology of the previous run)' : ''}`);
      const outcome = await runDrill(loaded, { signal: opts.signal, progress: opts.progress, skipPreflight: opts.skipPreflight, repeat: { run: i, of: opts.runs, kept, keep: i < opts.runs } });
      kept = outcome.kept;
      const dir = join(outDir, runFolder(i, opts.runs));
      await writeRunOutputs(dir, outcome);
      const r = outcome.result;
      // A run cut short by Ctrl-C keeps its folder (its report says why) but measured nothing to summarise.
      if (opts.signal.aborted && r.verdict === 'error') {
        summary.interrupted = true;
        break;
      }
      results.push(r);
      const run: RepeatRun = {
        run: i,
        dir: relative(outDir, dir),
        verdict: r.verdict,
        error: r.error,
        topologyReused: r.repeat?.topologyReused ?? false,
        afterwards: r.repeat ? `${r.repeat.afterwards}: ${r.repeat.why}` : 'torn down',
        durationMs: r.durationMs,
        failedExpectations: r.expectations.filter((e) => !e.pass).map((e) => `${e.metric} ${e.limit}: ${e.actual ?? 'never happened'}`),
      };
      summary.runList.push(run);
      summary.runDirs.push(run.dir);
      opts.onRun?.(run, opts.runs, r);
      await save();
    }
    if (opts.signal.aborted && results.length < opts.runs) summary.interrupted = true;
  } finally {
    // Stopped with a topology still kept for a next run that will not come (Ctrl-C between runs).
    if (kept) await kept.release().catch((err) => opts.progress.info(`teardown problem: ${(err as Error).message}; run "ferrite-drill clean"`));
  }
  await save();
  return summary;
}

/** The exit code's verdict: error when a run could not measure (or the series was cut short), else the summary's. */
export function repeatVerdict(s: RepeatSummary): Verdict {
  if (s.interrupted || s.errors > 0) return 'error';
  return s.verdict;
}
