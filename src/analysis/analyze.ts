/**
 * Journal + ledger -> metrics. Pure: no I/O, no clocks, so it runs the same on a live drill, on a saved
 * run, and on synthetic journals in tests. The HA mode recorded in the journal picks the checker; every
 * time is ms relative to t0 (record/anchors); null when the event never happened.
 */
import type { JournalEvent } from '../record/events.ts';
import { deploymentOf, loadWindow } from '../record/anchors.ts';
import type { Ledger } from '../record/ledger.ts';
import type { Metrics, Throughput } from '../record/metrics.ts';
import { outcomeOf } from '../record/ledger.ts';
import { analyzeSentinel } from './sentinel.ts';
import { analyzeCluster } from './cluster.ts';
import { durabilityFindings, fillsOf, oomKillsOf, rpoMsOf } from './durability.ts';

export interface AnalysisInput {
  events: readonly JournalEvent[];
  ledger: Ledger;
  /** WAIT's replica count: a write is durable when its WAIT reply reached it (0: no WAIT, nothing is durable). */
  requiredReplicas: number;
}

/** What a mode's checker computes: everything but what every mode measures the same way. */
export type ModeMetrics = Omit<Metrics, 'throughput' | 'rpoMs' | 'fills' | 'oomKills'>;

export function analyze(input: AnalysisInput): Metrics {
  const metrics = deploymentOf(input.events)?.mode === 'cluster' ? analyzeCluster(input) : analyzeSentinel(input);
  const rpoMs = rpoMsOf(input.events, input.ledger);
  const findings = [...metrics.findings, ...durabilityFindings(input.events, metrics.writes, metrics.failovers, metrics.lostWrites.total, rpoMs)];
  return { ...metrics, findings, rpoMs, fills: fillsOf(input.events), oomKills: oomKillsOf(input.events), throughput: throughputOf(input) };
}

/** Writes per second over the load phase (load.start to load.stop), from the ledger. */
function throughputOf({ events, ledger }: AnalysisInput): Throughput | null {
  const window = loadWindow(events);
  if (!window || window.stop <= window.start) return null;
  let attempted = 0;
  let acknowledged = 0;
  for (const w of ledger.writers) {
    attempted += w.length;
    for (let i = 0; i < w.length; i++) if (outcomeOf(w.code[i]) === 'ok') acknowledged++;
  }
  const loadMs = window.stop - window.start;
  const perSecond = (n: number) => Math.round((n * 1000) / loadMs);
  return { loadMs: Math.round(loadMs), attemptedPerSecond: perSecond(attempted), acknowledgedPerSecond: perSecond(acknowledged) };
}
