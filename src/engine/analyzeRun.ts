/** After the run: metrics and expectation verdicts from the journal and ledger, and the charts' series. */
import type { Journal } from '../record/journal.ts';
import type { Ledger } from '../record/ledger.ts';
import type { DrillResult } from '../record/result.ts';
import type { Scenario } from '../scenario/schema.ts';
import { analyze } from '../analysis/analyze.ts';
import { evaluateExpectations, type StatExpectations } from '../analysis/expectations.ts';
import { computeSeries } from '../analysis/series.ts';

export function analyzeRun(result: DrillResult, journal: Journal, ledger: Ledger, scenario: Scenario, opts: { seriesOnly?: boolean; stats?: StatExpectations } = {}): void {
  if (!opts.seriesOnly) {
    result.metrics = analyze({ events: journal.events, ledger, requiredReplicas: scenario.load.wait.replicas });
    result.expectations = evaluateExpectations(scenario.expect, result.metrics, opts.stats);
    result.verdict = result.expectations.every((e) => e.pass) ? 'pass' : 'fail';
  }
  result.series = computeSeries(journal.events, ledger);
}
