/** The closing summary printed after a drill. */
import { describeClient, type DrillResult } from '../record/result.ts';
import { describeIdentity } from '../record/server.ts';
import { describeLeft } from '../record/attach.ts';
import { join } from 'node:path';
import type { SuiteDrill, SuiteResult } from '../suite/run.ts';
import type { RepeatRun, RepeatSummary } from '../repeat/run.ts';
import type { MetricName } from '../record/metrics.ts';
import { formatComparison } from '../regression/table.ts';

const fmtMs = (v: number | null | undefined) => (v === null || v === undefined ? 'never' : `${Math.round(v)} ms`);
const fmt = fmtMs;

export function formatSummary(r: DrillResult): string {
  const lines = [`\n${r.scenario}: ${r.verdict.toUpperCase()}${r.error ? ` (${r.error})` : ''}`];
  if (r.server) lines.push(`  server         ${describeIdentity(r.server)}${r.sentinelServer ? `; sentinels ${describeIdentity(r.sentinelServer)}` : ''}`);
  if (r.attach) {
    const f = r.attach.found;
    if (f) lines.push(`  attached       ${r.attach.target}: ${f.primary} primary, ${f.replicas.length} replicas, ${f.sentinels.length} sentinels (master ${f.masterName}, quorum ${f.quorum}, down-after ${f.downAfterMs} ms)`);
    lines.push(`  left           ${r.attach.left ? describeLeft(r.attach.target, r.attach.left).replace(/^left \S+ as: /, '') : 'unknown (teardown did not finish)'}`);
  }
  const p = r.preflight;
  if (p?.skipped) lines.push(`  preflight      skipped (${p.skipped})`);
  else if (p) {
    lines.push(`  preflight      ${p.passed ? 'passed' : `FAILED: missing ${p.missing.join(', ')}`} (${p.ms} ms)${p.warnings.length ? `; not needed here but not passed: ${p.warnings.join(', ')}` : ''}`);
    for (const c of p.checks.filter((x) => p.missing.includes(x.id))) lines.push(`    ${c.id}: ${c.reason ?? c.evidence[0] ?? c.status}`);
  }
  const m = r.metrics;
  // A runbook step that moved the primary (a switchover) is measured from like a fault.
  const anchored = r.faults.length > 0 || Boolean(m?.oldPrimary);
  if (m && !anchored) {
    // Without a fault there is nothing to detect or recover from: "never" would read as a failure.
    lines.push(`  fault          none injected: detection, failover and RTO do not apply`);
  }
  if (m) {
    const fmt = !anchored ? (v: number | null | undefined) => (v === null || v === undefined ? 'n/a' : `${Math.round(v)} ms`) : fmtMs;
    lines.push(
      `  primary        ${m.oldPrimary ?? '-'} -> ${m.newPrimary ?? 'no new primary'}`,
      m.mode === 'cluster'
        ? `  detection      PFAIL ${fmt(m.pfailMs)}   FAIL ${fmt(m.detectionMs)}   failover ${fmt(m.failoverMs)}   cluster down ${fmt(m.clusterDownMs)}`
        : `  detection      ${fmt(m.detectionMs)}   odown ${fmt(m.odownMs)}   failover ${fmt(m.failoverMs)}`,
      `  rto            ${fmt(m.rtoMs)}   durable rto ${fmt(m.durableRtoMs)}   writes unavailable ${fmt(m.writeUnavailableMs)}`,
      ...(r.client ? [`  client         ${describeClient(r.client)}`] : []),
      `  writes         ${m.writes.attempted} attempted, ${m.writes.acknowledged} acknowledged, ${m.writes.failed} failed, ${m.writes.indeterminate} indeterminate${m.throughput ? ` (${m.throughput.acknowledgedPerSecond.toLocaleString('en-US')} acknowledged/s over ${(m.throughput.loadMs / 1000).toFixed(1)} s)` : ''}`,
      m.verifiedAgainst === null
        ? '  lost           unknown: not verified (no converged primary to read the final state from)'
        : `  lost           ${m.lostWrites.total} (durable ${m.lostWrites.durable ?? 'n/a: no WAIT'}, unconfirmed ${m.lostWrites.unconfirmed}); recovered ${m.recoveredWrites}; split-brain writes ${m.splitBrainWrites}`,
      ...m.shards.map((s) => `  shard ${s.shard}${s.faulted ? '*' : ' '}       ${s.oldPrimary ?? '-'}${s.newPrimary ? ` -> ${s.newPrimary}` : ''}: rto ${fmt(s.rtoMs)}, unavailable ${fmt(s.writeUnavailableMs)}, ${s.writes.acknowledged} acknowledged, lost ${s.lostWrites.total ?? 'unknown'}`),
      `  failovers      ${m.failovers}${m.mode === 'sentinel' ? `; +sdown events ${m.sdownEvents}` : ''}${m.writes.noreplicas ? `; NOREPLICAS refusals ${m.writes.noreplicas}` : ''}${m.resync ? `; ${m.resync.node} resync: ${m.resync.full} full, ${m.resync.partial} partial, caught up in ${fmt(m.resync.catchUpMs)}` : ''}`,
    );
  }
  for (const f of m?.findings ?? []) lines.push(`  finding        ${f}`);
  for (const e of r.expectations) {
    lines.push(`  ${e.pass ? 'pass' : 'FAIL'}  ${e.metric} ${e.limit}: ${e.actual === null ? 'never happened' : e.actual}`);
  }
  if (r.comparison) lines.push(formatComparison(r.comparison));
  lines.push(`  report         ${join(r.outDir, 'report.html')}`);
  return lines.join('\n') + '\n';
}

/** One line per finished drill of a suite (with --baseline, then what regressed against it). */
export function formatSuiteDrillLine(d: SuiteDrill, result?: DrillResult | null): string {
  const numbers = `detection ${fmt(d.detectionMs)}, failover ${fmt(d.failoverMs)}, rto ${fmt(d.rtoMs)}, lost ${d.lostWrites ?? 'unknown'} (durable ${d.lostDurable ?? 'unknown'})`;
  const why = [d.reason, ...d.failedExpectations].filter(Boolean).join('; ');
  const comparison = result?.comparison ? `\n${formatComparison(result.comparison, 'regressions').replace(/^ {2}/gm, '      ')}` : '';
  return `${d.verdict.toUpperCase().padEnd(5)} ${d.scenario.padEnd(32)} ${numbers}${why ? `\n      ${why}` : ''}${comparison}\n`;
}

export function formatSuiteSummary(r: SuiteResult): string {
  const count = (v: SuiteDrill['verdict']) => r.drills.filter((d) => d.verdict === v).length;
  const lines = [
    `\nsuite ${r.suite}: ${r.verdict.toUpperCase()} (${count('pass')} passed, ${count('fail')} failed, ${count('error')} could not run, ${count('skipped')} skipped) in ${Math.round(r.durationMs / 1000)} s`,
  ];
  for (const d of r.drills.filter((x) => x.verdict === 'skipped')) lines.push(`  skipped ${d.scenario}: ${d.reason}`);
  if (r.regressions) lines.push(`  baseline       ${r.baseline}: ${r.regressions.length === 0 ? 'no regression' : `${r.regressions.length} REGRESSION${r.regressions.length > 1 ? 'S' : ''}: ${r.regressions.join('; ')}`}`);
  lines.push(`  summary        ${join(r.outDir, 'index.html')}`, `  pdf            ${r.pdf ? join(r.outDir, r.pdf) : `none (${r.pdfReason})`}`, `  junit          ${join(r.outDir, 'junit.xml')}`);
  return lines.join('\n') + '\n';
}

/** One line per finished run of a repeat series. */
export function formatRepeatRunLine(run: RepeatRun, of: number, r: DrillResult): string {
  const m = r.metrics;
  const numbers = m ? `detection ${fmt(m.detectionMs)}, failover ${fmt(m.failoverMs)}, rto ${fmt(m.rtoMs)}, lost ${m.lostWrites.total ?? 'unknown'} (durable ${m.lostWrites.durable ?? 'n/a'})` : 'no metrics';
  const why = [run.error, ...run.failedExpectations].filter(Boolean).join('; ');
  return `run ${run.run}/${of} ${run.verdict.toUpperCase().padEnd(5)} ${numbers}; topology ${run.topologyReused ? 'reused' : 'created'}, ${run.afterwards.split(':')[0]}${why ? `\n      ${why}` : ''}\n`;
}

/** Metrics the closing summary of a repeat series shows (every metric is in summary.json). */
const REPEAT_HEADLINE: MetricName[] = ['detectionMs', 'odownMs', 'failoverMs', 'rtoMs', 'durableRtoMs', 'writeUnavailableMs', 'lostWrites.total', 'lostWrites.durable', 'writes.acknowledged'];

export function formatRepeatSummary(s: RepeatSummary): string {
  const n = (v: number | null) => (v === null ? '-' : String(Math.round(v * 10) / 10));
  const lines = [`\n${s.scenario} x ${s.runs}${s.runs < s.requested ? ` of ${s.requested}` : ''}: ${s.verdict.toUpperCase()}${s.interrupted ? ' (interrupted)' : ''}${s.errors ? ` (${s.errors} run(s) could not measure)` : ''} in ${Math.round(s.durationMs / 1000)} s; percentiles nearest-rank`];
  lines.push(`  ${'metric'.padEnd(22)} ${'runs'.padStart(4)} ${'min'.padStart(9)} ${'p50'.padStart(9)} ${'p95'.padStart(9)} ${'max'.padStart(9)}`);
  for (const name of REPEAT_HEADLINE) {
    const st = s.metrics[name];
    if (st.runs === 0) continue;
    lines.push(`  ${name.padEnd(22)} ${String(st.runs).padStart(4)} ${n(st.min).padStart(9)} ${n(st.p50).padStart(9)} ${n(st.p95).padStart(9)} ${n(st.max).padStart(9)}`);
  }
  for (const e of s.expectations) lines.push(`  ${e.pass ? 'pass' : 'FAIL'}  ${e.metric} ${e.limit}: ${e.actual === null ? 'no run produced it' : e.actual}${e.note ? ` (${e.note})` : ''}`);
  const reused = s.runList.filter((r) => r.topologyReused).length;
  lines.push(`  topology       reused by ${reused} of ${s.runList.length} runs`);
  lines.push(`  summary        ${join(s.outDir, 'summary.html')}`);
  return lines.join('\n') + '\n';
}
