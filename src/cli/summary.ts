/** The closing summary printed after a drill. */
import type { DrillResult } from '../engine/result.ts';
import { join } from 'node:path';

const fmt = (v: number | null | undefined) => (v === null || v === undefined ? 'never' : `${Math.round(v)} ms`);

export function formatSummary(r: DrillResult): string {
  const lines = [`\n${r.scenario}: ${r.verdict.toUpperCase()}${r.error ? ` (${r.error})` : ''}`];
  const m = r.metrics;
  if (m) {
    lines.push(
      `  primary        ${m.oldPrimary ?? '-'} -> ${m.newPrimary ?? 'no new primary'}`,
      `  detection      ${fmt(m.detectionMs)}   odown ${fmt(m.odownMs)}   failover ${fmt(m.failoverMs)}`,
      `  rto            ${fmt(m.rtoMs)}   durable rto ${fmt(m.durableRtoMs)}   writes unavailable ${fmt(m.writeUnavailableMs)}`,
      `  writes         ${m.writes.attempted} attempted, ${m.writes.acknowledged} acknowledged, ${m.writes.failed} failed, ${m.writes.indeterminate} indeterminate`,
      m.verifiedAgainst === null
        ? '  lost           unknown: not verified (no converged primary to read the final state from)'
        : `  lost           ${m.lostWrites.total} (durable ${m.lostWrites.durable}, unconfirmed ${m.lostWrites.unconfirmed}); recovered ${m.recoveredWrites}; split-brain writes ${m.splitBrainWrites}`,
      `  failovers      ${m.failovers}; +sdown events ${m.sdownEvents}${m.writes.noreplicas ? `; NOREPLICAS refusals ${m.writes.noreplicas}` : ''}${m.resync ? `; ${m.resync.node} resync: ${m.resync.full} full, ${m.resync.partial} partial, caught up in ${fmt(m.resync.catchUpMs)}` : ''}`,
    );
  }
  for (const e of r.expectations) {
    lines.push(`  ${e.pass ? 'pass' : 'FAIL'}  ${e.metric} ${e.limit}: ${e.actual === null ? 'never happened' : e.actual}`);
  }
  lines.push(`  report         ${join(r.outDir, 'report.html')}`);
  return lines.join('\n') + '\n';
}
