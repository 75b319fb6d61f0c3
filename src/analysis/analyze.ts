/**
 * Journal + ledger -> metrics. Pure: no I/O, no clocks, so it runs the same on a live drill, on a saved
 * run, and on synthetic journals in tests. The HA mode recorded in the journal picks the checker; every
 * time is ms relative to t0 (record/anchors); null when the event never happened.
 */
import type { JournalEvent } from '../record/events.ts';
import { deploymentOf } from '../record/anchors.ts';
import type { Ledger } from '../record/ledger.ts';
import type { Metrics } from '../record/metrics.ts';
import { analyzeSentinel } from './sentinel.ts';
import { analyzeCluster } from './cluster.ts';

export interface AnalysisInput {
  events: readonly JournalEvent[];
  ledger: Ledger;
  /** WAIT's replica count: a write is durable when its WAIT reply reached it (0: no WAIT, nothing is durable). */
  requiredReplicas: number;
}

export function analyze(input: AnalysisInput): Metrics {
  return deploymentOf(input.events)?.mode === 'cluster' ? analyzeCluster(input) : analyzeSentinel(input);
}
