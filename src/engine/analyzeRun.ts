/** After the run: metrics and expectation verdicts from the journal and ledger, and the charts' series. */
import type { Journal } from '../record/journal.ts';
import type { Ledger } from '../record/ledger.ts';
import type { DrillResult } from '../record/result.ts';
import type { Scenario } from '../scenario/schema.ts';
import { analyze } from '../analysis/analyze.ts';
import { evaluateExpectations, type StatExpectations } from '../analysis/expectations.ts';
import { computeSeries, type Series } from '../analysis/series.ts';
import type { WriteLatency } from '../record/metrics.ts';

export function analyzeRun(result: DrillResult, journal: Journal, ledger: Ledger, scenario: Scenario, opts: { seriesOnly?: boolean; stats?: StatExpectations } = {}): void {
  result.series = computeSeries(journal.events, ledger);
  if (!opts.seriesOnly) {
    result.metrics = { ...analyze({ events: journal.events, ledger, requiredReplicas: scenario.load.wait.replicas }), latency: writeLatency(result.series) };
    result.expectations = evaluateExpectations(scenario.expect, result.metrics, opts.stats);
    result.verdict = result.expectations.every((e) => e.pass) ? 'pass' : 'fail';
  }
}

/** The per-phase medians the series computed, as metrics an expectation can bound. */
export function writeLatency(series: Series): WriteLatency {
  const before = series.latency.before.p50;
  const during = series.latency.during.p50;
  const rise = before !== null && during !== null && before > 0 ? Math.round((during / before) * 10) / 10 : null;
  return { beforeP50Ms: before, duringP50Ms: during, riseP50: rise };
}
