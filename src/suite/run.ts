/**
 * Runs a suite's drills one after another, each in its own numbered folder under the suite's, and keeps
 * the suite's summary (suite.json, junit.xml, index.html) current after every drill, so an interrupted
 * or crashed suite still leaves a true account of what ran.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import type { LoadedSuite } from './loader.ts';
import { defaultOutDir, runDrill } from '../engine/run.ts';
import type { Progress } from '../engine/progress.ts';
import type { DrillResult, Verdict } from '../record/result.ts';
import { writeRunOutputs } from '../report/write.ts';
import { renderJunit } from '../report/junit.ts';
import { repeatVerdict, runRepeats, type RepeatSummary } from '../repeat/run.ts';
import { baselineFor, type Baseline } from '../regression/baseline.ts';
import { compareResult, compareSummary } from '../regression/compare.ts';
import { writeSuiteSummary, writeSuitePdf } from '../report/suiteOutputs.ts';
import { harnessVersion } from '../util/version.ts';
import { describeHost, type HostInfo } from './host.ts';

export interface SuiteDrill {
  scenario: string;
  /** The checklist item this drill checks, in words (the suite's `checklist` entry, else the scenario's description's first sentence, else its name). */
  item: string;
  scenarioFile: string;
  /** "skipped": not run (the suite was interrupted, or stopped after a failure). */
  verdict: Verdict | 'skipped';
  reason: string | null;
  /** Run folder relative to the suite's folder. */
  dir: string | null;
  durationMs: number | null;
  detectionMs: number | null;
  failoverMs: number | null;
  rtoMs: number | null;
  lostWrites: number | null;
  lostDurable: number | null;
  failedExpectations: string[];
  /** The page to open for this drill, relative to the suite's folder (its report, or with repeats its summary). */
  report?: string | null;
  /**
   * With --repeat: the drill ran this many times; its folder holds run-01/ ... and summary.json. The
   * times above are then the p50 over the runs, the lost writes the max.
   */
  repeat?: { runs: number; requested: number; summary: string } | null;
  /** Against --baseline: the metrics that regressed (null: not compared). */
  regressions?: string[] | null;
}

export interface SuiteResult {
  suite: string;
  suiteFile: string;
  description: string;
  verdict: Verdict;
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  outDir: string;
  /** The ferrite-drill version that ran the suite. */
  harnessVersion: string;
  /** The machine it ran on (null: not recorded). */
  host: HostInfo | null;
  drills: SuiteDrill[];
  /** With --baseline: what it was, and every regression as "drill: metric". */
  baseline?: string | null;
  regressions?: string[];
  /** The sign-off report printed as PDF beside index.html (null: not written, see pdfReason). */
  pdf: string | null;
  /** Why there is no report.pdf (no Chromium here, --no-pdf, the print failed, or the suite is still running). */
  pdfReason: string | null;
}

export interface SuiteOptions {
  outDir?: string;
  signal: AbortSignal;
  progress: Progress;
  /** Compare each drill with the baseline's run of the same scenario (the n-th run with the n-th). */
  baseline?: Baseline | null;
  /** Print the sign-off report to report.pdf at the end (default true; --no-pdf turns it off). */
  pdf?: boolean;
  /** Where to say that report.pdf could not be written (default: the progress lines). */
  warn?: (message: string) => void;
  /** Told when each drill ends (for the terminal). */
  onDrill?: (drill: SuiteDrill, result: DrillResult | null) => void;
  /** Run each drill this many times (see repeat/run.ts). */
  repeat?: number;
}

/** The checklist item a drill stands for: the first sentence of its scenario's description, else its name. */
export function checklistItem(name: string, description: string): string {
  const first = /^(.+?[.!?])(\s|$)/s.exec(description.trim())?.[1] ?? description.trim();
  return first.replace(/\s+/g, ' ') || name;
}

function summarize(result: DrillResult, outDir: string, item: string): SuiteDrill {
  const m = result.metrics;
  return {
    scenario: result.scenario,
    item,
    scenarioFile: result.scenarioFile,
    verdict: result.verdict,
    reason: result.error,
    dir: relative(outDir, result.outDir),
    durationMs: result.durationMs,
    detectionMs: m?.detectionMs ?? null,
    failoverMs: m?.failoverMs ?? null,
    rtoMs: m?.rtoMs ?? null,
    lostWrites: m?.verifiedAgainst ? m.lostWrites.total : null,
    lostDurable: m?.verifiedAgainst ? m.lostWrites.durable : null,
    failedExpectations: result.expectations.filter((e) => !e.pass).map((e) => `${e.metric} ${e.limit}: ${e.actual ?? 'never happened'}`),
    regressions: result.comparison ? result.comparison.regressions : null,
    report: join(relative(outDir, result.outDir), 'report.html'),
  };
}

/** A repeated drill's line: p50 of the times, max of the lost writes, what failed in which run. */
function summarizeRepeats(s: RepeatSummary, outDir: string, item: string): SuiteDrill {
  const m = s.metrics;
  const dir = relative(outDir, s.outDir);
  const verdict = repeatVerdict(s);
  return {
    scenario: s.scenario,
    item,
    scenarioFile: s.scenarioFile,
    verdict,
    reason: verdict === 'error' ? (s.interrupted ? 'interrupted' : `${s.errors} of ${s.runs} runs could not measure`) : null,
    dir,
    durationMs: s.durationMs,
    detectionMs: m.detectionMs.p50,
    failoverMs: m.failoverMs.p50,
    rtoMs: m.rtoMs.p50,
    lostWrites: m['lostWrites.total'].max,
    lostDurable: m['lostWrites.durable'].max,
    failedExpectations: [
      ...s.expectations.filter((e) => !e.pass).map((e) => `${e.metric} ${e.limit}: ${e.actual ?? 'no run produced it'}`),
      ...s.runList.flatMap((r) => r.failedExpectations.map((f) => `${r.dir}: ${f}`)),
    ],
    report: join(dir, 'summary.html'),
    repeat: { runs: s.runs, requested: s.requested, summary: join(dir, 'summary.json') },
    regressions: null,
  };
}

/**
 * Worst verdict wins: error > fail > pass. Drills skipped after a failure do not change it; an
 * interrupted suite did not finish, which is an error.
 */
function overallVerdict(drills: SuiteDrill[], interrupted: boolean): Verdict {
  if (interrupted || drills.some((d) => d.verdict === 'error')) return 'error';
  if (drills.some((d) => d.verdict === 'fail')) return 'fail';
  return 'pass';
}

export async function runSuite(loaded: LoadedSuite, opts: SuiteOptions): Promise<SuiteResult> {
  const started = new Date();
  const outDir = resolve(opts.outDir ?? defaultOutDir(`suite-${loaded.suite.name}`, started));
  await mkdir(outDir, { recursive: true });
  const items = loaded.drills.map((d) => loaded.suite.checklist[d.scenario.name] ?? checklistItem(d.scenario.name, d.scenario.description));
  const drills: SuiteDrill[] = loaded.drills.map((d, i) => ({
    scenario: d.scenario.name, item: items[i], scenarioFile: d.file, verdict: 'skipped', reason: 'not run yet', dir: null, durationMs: null,
    detectionMs: null, failoverMs: null, rtoMs: null, lostWrites: null, lostDurable: null, failedExpectations: [],
  }));
  const results: DrillResult[] = [];
  /** Each drill's result by its place in the suite, for the sign-off report (null: not run). */
  const byDrill: (DrillResult | null)[] = loaded.drills.map(() => null);
  const result: SuiteResult = {
    suite: loaded.suite.name, suiteFile: loaded.file, description: loaded.suite.description, verdict: 'pass',
    startedAt: started.toISOString(), finishedAt: started.toISOString(), durationMs: 0, outDir,
    harnessVersion: harnessVersion(), host: await describeHost(), drills, pdf: null, pdfReason: 'the suite is still running',
    ...(opts.baseline ? { baseline: opts.baseline.source, regressions: [] } : {}),
  };
  /** Set when a signal stopped the suite: it did not finish, whatever the drills that ran said. */
  let interrupted = false;
  const save = async () => {
    result.finishedAt = new Date().toISOString();
    result.durationMs = Date.now() - started.getTime();
    result.verdict = overallVerdict(drills, interrupted);
    if (opts.baseline) result.regressions = drills.flatMap((d) => (d.regressions ?? []).map((m) => `${d.scenario}: ${m}`));
    const skipped = drills.filter((d) => d.verdict === 'skipped').map((d) => ({ scenario: d.scenario, reason: d.reason ?? 'not run' }));
    await writeFile(join(outDir, 'junit.xml'), renderJunit(results, `ferrite-drill suite ${loaded.suite.name}`, skipped));
    await writeSuiteSummary(result, byDrill);
  };

  let stopReason: string | null = null;
  const interruption = () => {
    interrupted = true;
    return `interrupted (${String(opts.signal.reason ?? 'signal')})`;
  };
  for (const [i, drill] of loaded.drills.entries()) {
    if (!stopReason && opts.signal.aborted) stopReason = interruption();
    if (stopReason) {
      drills[i].reason = stopReason;
      continue;
    }
    opts.progress.info(`suite ${loaded.suite.name}: drill ${i + 1}/${loaded.drills.length}: ${drill.scenario.name}`);
    const dir = join(outDir, `${String(i + 1).padStart(2, '0')}-${drill.scenario.name}`);
    let verdict: Verdict;
    if (opts.repeat) {
      // Repeated drills are summarised over their runs; against --baseline their p50/p95 are compared.
      const runs: DrillResult[] = [];
      const baseline = opts.baseline;
      const occurrence = loaded.drills.slice(0, i).filter((d) => d.scenario.name === drill.scenario.name).length;
      const compare = baseline ? (s: RepeatSummary) => compareSummary(s, baselineFor(baseline, drill.scenario.name, occurrence), drill.scenario.regression, baseline.source) : undefined;
      const s = await runRepeats(drill, { runs: opts.repeat, outDir: dir, signal: opts.signal, progress: opts.progress, onRun: (_run, _of, r) => runs.push(r), compare });
      results.push(...runs);
      byDrill[i] = runs.at(-1) ?? null;
      drills[i] = summarizeRepeats(s, outDir, items[i]);
      if (s.comparison) drills[i].regressions = s.comparison.regressions;
      verdict = drills[i].verdict as Verdict;
      opts.onDrill?.(drills[i], runs.at(-1) ?? null);
    } else {
      const outcome = await runDrill(drill, { signal: opts.signal, progress: opts.progress });
      const r = outcome.result;
      if (opts.baseline) {
        const occurrence = loaded.drills.slice(0, i).filter((d) => d.scenario.name === drill.scenario.name).length;
        r.comparison = compareResult(r, baselineFor(opts.baseline, drill.scenario.name, occurrence), drill.scenario.regression, opts.baseline.source);
      }
      await writeRunOutputs(dir, outcome);
      results.push(r);
      byDrill[i] = r;
      drills[i] = summarize(r, outDir, items[i]);
      verdict = r.verdict;
      opts.onDrill?.(drills[i], r);
    }
    if (opts.signal.aborted && verdict === 'error') stopReason = interruption();
    else if (loaded.suite.stopOnFailure && verdict !== 'pass') stopReason = `stopOnFailure: ${drill.scenario.name} ended ${verdict}`;
    await save();
  }
  await save();
  await writeSuitePdf(result, {
    skip: opts.pdf === false ? 'not asked for (--no-pdf)' : interrupted ? `the suite was interrupted; "ferrite-drill report ${outDir}" prints it` : null,
    warn: opts.warn ?? ((m) => opts.progress.info(m)),
  });
  return result;
}
