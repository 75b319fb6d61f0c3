/**
 * The sign-off document behind a suite's index.html and report.pdf, as plain data: the checklist (each
 * item, the drill that checks it, its verdict and the numbers that support it), the open risks in words,
 * the deployment under test, where and when it ran, and a section per drill. A pure function of the
 * suite's record and the drills' own results, so `report <suite folder>` renders the same document
 * from the saved files, and the unit tests check it on synthetic suites.
 */
import { describeClient, type DrillResult, type ExpectationResult } from '../record/result.ts';
import { METRIC_DEFINITIONS, splitStat, type ExpectationName, type MetricName, type Metrics } from '../record/metrics.ts';
import { describeIdentity } from '../record/server.ts';
import { metricValue } from '../analysis/expectations.ts';
import type { SuiteDrill, SuiteResult } from '../suite/run.ts';

export type ItemVerdict = SuiteDrill['verdict'];

/** One number behind a verdict; `pass` is the expectation's verdict when one was set on it. */
export interface Evidence {
  /** A metric, or a statistic over repeated runs (rtoMs.p95); null: not one metric (a repeated drill's failed expectation, as its summary words it). */
  metric: ExpectationName | null;
  label: string;
  value: string;
  limit: string | null;
  pass: boolean | null;
}

export interface ChecklistRow {
  n: number;
  anchor: string;
  item: string;
  scenario: string;
  verdict: ItemVerdict;
  /** What the verdict means for the item, in words. */
  outcome: string;
  evidence: Evidence[];
  /** Metrics that regressed against --baseline (empty: none, or not compared). */
  regressions: string[];
  /** The drill's own report, relative to the suite's folder (null: it did not run). */
  report: string | null;
}

export interface Risk {
  n: number;
  anchor: string;
  scenario: string;
  /** "regression": the drill held its expectations but got worse than the --baseline run. */
  verdict: Exclude<ItemVerdict, 'pass'> | 'regression';
  text: string;
}

/** A property of the deployment: the same for every drill (`common`), or per drill. */
export interface DeploymentField {
  label: string;
  common: string | null;
  perDrill: { n: number; scenario: string; value: string }[];
}

export interface DrillSection {
  n: number;
  anchor: string;
  item: string;
  scenario: string;
  description: string;
  verdict: ItemVerdict;
  reason: string | null;
  report: string | null;
  runId: string | null;
  startedAt: string | null;
  durationMs: number | null;
  faults: string[];
  numbers: { label: string; value: string }[];
  expectations: (ExpectationResult & { actualText: string })[];
  findings: string[];
  preflight: string | null;
}

export interface Signoff {
  checklist: ChecklistRow[];
  risks: Risk[];
  deployment: DeploymentField[];
  /** Drills whose result could not be read: the deployment says nothing about them. */
  deploymentUnknown: string[];
  sections: DrillSection[];
  /** The definitions of every metric the document shows, because those definitions are the product. */
  definitions: { metric: MetricName; text: string }[];
}

/** How the headline metrics read in the checklist. */
/** A metric's label; a statistic's is its metric's with the statistic after it ("RTO (p95)"). */
function labelOf(name: ExpectationName): string {
  const { metric, stat } = splitStat(name);
  const label = LABELS[metric];
  return label ? (stat ? `${label} (${stat})` : label) : name;
}

const LABELS: Partial<Record<MetricName, string>> = {
  detectionMs: 'detection',
  odownMs: 'odown',
  failoverMs: 'failover',
  rtoMs: 'RTO',
  durableRtoMs: 'durable RTO',
  writeUnavailableMs: 'write unavailability',
  'writes.acknowledged': 'acknowledged writes',
  'writes.noreplicas': 'NOREPLICAS refusals',
  'lostWrites.total': 'lost writes',
  'lostWrites.durable': 'lost durable writes',
  'lostWrites.unconfirmed': 'lost unconfirmed writes',
  splitBrainWrites: 'split-brain writes',
  failovers: 'failovers',
  sdownEvents: '+sdown events',
  'resync.catchUpMs': 'replica catch-up',
  'resync.full': 'full resyncs',
  'resync.partial': 'partial resyncs',
  clusterDownMs: 'cluster down',
};

export function anchorOf(n: number): string {
  return `drill-${String(n).padStart(2, '0')}`;
}

function formatNumber(v: number): string {
  return v.toLocaleString('en-US', { maximumFractionDigits: 1 });
}

/**
 * A metric's value in words: times with their unit, "never" for an event that did not happen after a
 * fault, "n/a" for a time that has no meaning in a drill without one.
 */
export function formatMetric(metric: MetricName, value: number | null, m: Metrics | null, noFault = false): string {
  if (value === null) {
    if (noFault && metric.endsWith('Ms')) return 'n/a (no fault)';
    if (metric.startsWith('lostWrites.') || metric === 'recoveredWrites') return m?.verifiedAgainst ? (m.durableNote && metric === 'lostWrites.durable' ? 'n/a (no WAIT)' : 'unknown') : 'unknown (not verified)';
    if (metric.startsWith('resync.')) return 'no resync seen';
    return metric.endsWith('Ms') ? 'never' : 'unknown';
  }
  return metric.endsWith('Ms') ? `${formatNumber(value)} ms` : formatNumber(value);
}

/**
 * The numbers that support a drill's verdict: every expectation it set (with its limit), then the
 * headline numbers a sign-off asks about — RTO, write unavailability, lost durable writes, and, where
 * they apply, NOREPLICAS refusals and resyncs — when no expectation already shows them.
 */
export function evidenceOf(r: DrillResult): Evidence[] {
  const m = r.metrics;
  if (!m) return [];
  const noFault = r.faults.length === 0;
  const out: Evidence[] = r.expectations.map((e) => ({
    metric: e.metric,
    label: labelOf(e.metric),
    value: formatMetric(splitStat(e.metric).metric, e.actual, m, noFault),
    limit: e.limit,
    pass: e.pass,
  }));
  // Times from t0 mean nothing without a fault (a control run): only the data outcome is headline there.
  const headline: MetricName[] = noFault ? ['lostWrites.durable'] : ['rtoMs', 'writeUnavailableMs', 'lostWrites.durable'];
  const minReplicas = Number(r.topology.appliedConfig?.['min-replicas-to-write'] ?? r.topology.serverConfig['min-replicas-to-write'] ?? 0);
  if (minReplicas > 0 || m.writes.noreplicas > 0) headline.push('writes.noreplicas');
  if (m.resync) headline.push('resync.full', 'resync.partial');
  for (const metric of headline) {
    if (out.some((e) => e.metric === metric)) continue;
    out.push({ metric, label: LABELS[metric] ?? metric, value: formatMetric(metric, metricValue(m, metric), m, noFault), limit: null, pass: null });
  }
  return out;
}

function failedExpectationText(e: ExpectationResult, m: Metrics | null): string {
  const measured = e.actual === null ? 'it never happened' : `${formatMetric(splitStat(e.metric).metric, e.actual, m)} was measured`;
  const label = labelOf(e.metric) !== e.metric ? `${labelOf(e.metric)} (${e.metric})` : e.metric;
  // The note of an expectation on an event that never came says just that: no need to say it twice.
  const note = e.note && !(e.actual === null && e.note.startsWith('never happened')) ? ` (${e.note})` : '';
  return `${label} should be ${e.limit}, but ${measured}${note}`;
}

/** Why an item is open, in words a reviewer can act on. */
export function riskText(d: SuiteDrill, r: DrillResult | null): string {
  if (d.verdict === 'skipped') return `Not checked: the drill did not run (${d.reason ?? 'no reason recorded'}). Nothing is known about this item.`;
  if (d.verdict === 'error') {
    const missing = r?.preflight && !r.preflight.passed && r.preflight.missing.length > 0 ? ` The server lacks what the drill relies on: ${r.preflight.missing.join(', ')}.` : '';
    return `Not checked: the drill could not complete (${d.reason ?? r?.error ?? 'no reason recorded'}).${missing} Nothing is known about this item until it runs.`;
  }
  const failed = r ? r.expectations.filter((e) => !e.pass).map((e) => failedExpectationText(e, r.metrics)) : d.failedExpectations;
  const findings = r?.metrics?.findings ?? [];
  return `Did not hold: ${failed.join('; ') || 'an expectation failed'}.${findings.length ? ` ${findings.join(' ')}` : ''}`;
}

/** What got worse against the --baseline run, with both numbers and what was allowed. */
export function regressionText(d: SuiteDrill, r: DrillResult | null, baseline: string | null | undefined): string {
  const rows = (r?.comparison?.rows ?? []).filter((row) => row.regression);
  const fmt = (v: number | null, unit: string) => (v === null ? 'never' : `${formatNumber(v)}${unit ? ` ${unit}` : ''}`);
  const parts = rows.length
    ? rows.map((row) => `${row.metric}${row.stat === 'value' ? '' : ` ${row.stat}`} ${fmt(row.baseline, row.unit)} → ${fmt(row.current, row.unit)}${row.limit ? ` (allowed ${row.limit})` : row.note ? ` (${row.note})` : ''}`)
    : (d.regressions ?? []);
  return `Regressed against the baseline${baseline ? ` ${baseline}` : ''}: ${parts.join('; ')}.`;
}

/** The drill's page: its report.html, or what the suite says to open (with --repeat, the summary). */
function reportOf(d: SuiteDrill): string | null {
  return d.report ?? (d.dir ? `${d.dir}/report.html` : null);
}

/** With --repeat the suite keeps the p50 of the times and the max of the lost writes over the runs. */
function repeatEvidence(d: SuiteDrill): Evidence[] {
  const runs = d.repeat ? ` over ${d.repeat.runs} runs` : '';
  const row = (metric: MetricName, label: string, value: number | null): Evidence => ({ metric, label: `${label}${runs}`, value: formatMetric(metric, value, null), limit: null, pass: null });
  return [
    row('rtoMs', 'RTO p50', d.rtoMs),
    row('failoverMs', 'failover p50', d.failoverMs),
    { ...row('lostWrites.durable', 'lost durable writes, max', d.lostDurable), value: d.lostDurable === null ? 'unknown' : formatNumber(d.lostDurable) },
    ...d.failedExpectations.map((f): Evidence => ({ metric: null, label: 'not met', value: f, limit: null, pass: false })),
  ];
}

function outcomeOf(verdict: ItemVerdict): string {
  return { pass: 'held', fail: 'did not hold', error: 'not checked (the drill could not complete)', skipped: 'not checked (not run)' }[verdict];
}

function topologyText(r: DrillResult): string {
  const t = r.topology;
  const secured = [t.auth ? `authentication${t.auth.user ? ` (ACL user ${t.auth.user})` : ''}${t.auth.sentinelPassword ? ', password-protected sentinels' : ''}` : null, t.tls ? `TLS everywhere (client certificates ${t.tls.clientAuth})` : null].filter(Boolean);
  const base =
    t.mode === 'cluster'
      ? `Redis Cluster: ${t.shards ?? '?'} shards, each a primary with ${t.replicasPerShard ?? t.replicas} replica(s); cluster-node-timeout ${t.nodeTimeoutMs ?? '?'} ms`
      : `1 primary, ${t.replicas} replica(s), ${t.sentinels} sentinel(s) (quorum ${t.quorum}, down-after ${t.downAfterMs} ms, failover-timeout ${t.failoverTimeoutMs} ms)`;
  return [base, ...secured].join('; ');
}

function configText(r: DrillResult): string {
  // An attached deployment runs its own configuration: the harness wrote none.
  if (r.attach) return `the attached deployment's own (${r.attach.target}); the harness wrote no configuration`;
  const config = r.topology.appliedConfig ?? r.topology.serverConfig;
  const lines = Object.entries(config).map(([k, v]) => `${k} ${typeof v === 'boolean' ? (v ? 'yes' : 'no') : v === '' ? '""' : String(v)}`);
  const what = r.topology.appliedConfig ? '' : ' (the scenario\'s directives; this result predates the record of the full config)';
  // With the user's own config file the directives above are set over it (the file is the base).
  const c = r.configuration;
  const file = c?.files.server ? `; over the config file ${c.files.server}${c.changes.server.length ? `, ${c.changes.server.length} of its lines changed by the harness (see the drill's report)` : ''}` : '';
  const preset = c?.preset ? `; preset ${c.preset}` : '';
  return (lines.join(', ') || (c?.files.server ? 'nothing' : 'server defaults')) + what + preset + file;
}

function clientText(r: DrillResult): string {
  const l = r.load;
  const wait = l.waitReplicas > 0 ? `WAIT ${l.waitReplicas} ${l.waitTimeoutMs} ms after every write` : 'no WAIT';
  const path = r.clientPath === 'direct' ? 'direct to the containers\' addresses' : r.clientPath === 'published' ? 'through ports published on 127.0.0.1' : 'path not established';
  return `${l.writers} writer connection(s), rate ${l.rate === 'unlimited' ? 'unlimited' : `${l.rate}/s`}, ${wait}; ${path}${r.client ? `; ioredis ${describeClient(r.client)}` : ''}`;
}

const DEPLOYMENT_FIELDS: { label: string; of: (r: DrillResult) => string }[] = [
  { label: 'server', of: (r) => (r.server ? describeIdentity(r.server) : `${r.topology.server} (the server's own version was not read)`) },
  { label: 'sentinels', of: (r) => (r.topology.mode === 'cluster' || r.topology.sentinels === 0 ? 'none' : r.sentinelServer ? describeIdentity(r.sentinelServer) : 'version not read') },
  // imageSource says how the image was had, and usually names it already.
  { label: 'image', of: (r) => [!r.image ? 'not resolved' : r.imageSource.includes(r.image) ? r.imageSource : `${r.image}${r.imageSource ? ` (${r.imageSource})` : ''}`, r.sentinelImage ? `sentinels: ${r.sentinelImage}` : null].filter(Boolean).join('; ') },
  { label: 'topology', of: topologyText },
  { label: 'configuration applied (every data node, redis.conf names)', of: configText },
  { label: 'client', of: clientText },
];

function deploymentOf(drills: { n: number; scenario: string; r: DrillResult }[]): DeploymentField[] {
  return DEPLOYMENT_FIELDS.map(({ label, of }) => {
    const values = drills.map((d) => ({ n: d.n, scenario: d.scenario, value: of(d.r) }));
    const same = values.length > 0 && values.every((v) => v.value === values[0].value);
    return { label, common: same ? values[0].value : null, perDrill: same ? [] : values };
  });
}

function sectionNumbers(m: Metrics, noFault: boolean): { label: string; value: string }[] {
  const show = (metric: MetricName) => ({ label: `${LABELS[metric] ?? metric}`, value: formatMetric(metric, metricValue(m, metric), m, noFault) });
  const w = m.writes;
  return [
    ...(['detectionMs', 'odownMs', 'failoverMs', 'rtoMs', 'durableRtoMs', 'writeUnavailableMs'] as MetricName[]).map(show),
    { label: 'writes', value: `${formatNumber(w.attempted)} attempted, ${formatNumber(w.acknowledged)} acknowledged, ${formatNumber(w.failed)} failed (${formatNumber(w.noreplicas)} NOREPLICAS), ${formatNumber(w.indeterminate)} indeterminate` },
    { label: 'lost writes', value: `${formatMetric('lostWrites.total', m.lostWrites.total, m)} (durable ${formatMetric('lostWrites.durable', m.lostWrites.durable, m)}, unconfirmed ${formatMetric('lostWrites.unconfirmed', m.lostWrites.unconfirmed, m)})${m.verifiedAgainst ? `, read back from ${m.verifiedAgainst}` : ''}` },
    { label: 'failovers', value: `${m.failovers}${m.oldPrimary || m.newPrimary ? ` (${m.oldPrimary ?? '?'} → ${m.newPrimary ?? 'none'})` : ''}` },
    ...(m.splitBrainWrites > 0 ? [show('splitBrainWrites'), show('splitBrainWindowMs')] : []),
    ...(m.resync ? [{ label: 'resync', value: `${m.resync.node}: caught up in ${formatMetric('resync.catchUpMs', m.resync.catchUpMs, m)}, ${m.resync.full} full / ${m.resync.partial} partial` }] : []),
    ...(m.mode === 'cluster' ? [show('clusterDownMs')] : []),
  ];
}

function sectionOf(n: number, d: SuiteDrill, r: DrillResult | null): DrillSection {
  const m = r?.metrics ?? null;
  const noFault = (r?.faults.length ?? 0) === 0;
  return {
    n,
    anchor: anchorOf(n),
    item: d.item ?? d.scenario,
    scenario: d.scenario,
    description: r?.description ?? '',
    verdict: d.verdict,
    reason: d.reason,
    report: reportOf(d),
    runId: r?.runId ?? null,
    startedAt: r?.startedAt ?? null,
    durationMs: r?.durationMs ?? d.durationMs,
    faults: (r?.faults ?? []).map((f) => `${f.key}: ${f.description} → ${f.nodes.join(', ') || f.node || f.target} at ${formatNumber(f.atMs)} ms${f.healedAtMs !== null ? `, healed at ${formatNumber(f.healedAtMs)} ms` : ', not healed'}`),
    numbers: m ? sectionNumbers(m, noFault) : [],
    expectations: (r?.expectations ?? []).map((e) => ({ ...e, actualText: formatMetric(splitStat(e.metric).metric, e.actual, m, noFault) })),
    findings: m?.findings ?? [],
    preflight: !r?.preflight ? null : r.preflight.skipped ? `not run (${r.preflight.skipped})` : r.preflight.passed ? `passed (${r.preflight.checks.filter((c) => c.status === 'pass').length} checks)${r.preflight.warnings.length ? `; not needed here but not passed: ${r.preflight.warnings.join(', ')}` : ''}` : `FAILED: missing ${r.preflight.missing.join(', ')}`,
  };
}

/** `results[i]` is the result of `suite.drills[i]` (null: it did not run, or its result.json is gone). */
export function buildSignoff(suite: SuiteResult, results: (DrillResult | null)[]): Signoff {
  const checklist: ChecklistRow[] = [];
  const risks: Risk[] = [];
  const ran: { n: number; scenario: string; r: DrillResult }[] = [];
  const unknown: string[] = [];
  const sections: DrillSection[] = [];
  const shown = new Set<MetricName>();
  suite.drills.forEach((d, i) => {
    const n = i + 1;
    const r = results[i] ?? null;
    const evidence = d.repeat ? repeatEvidence(d) : r ? evidenceOf(r) : [];
    for (const e of evidence) if (e.metric) shown.add(splitStat(e.metric).metric);
    checklist.push({ n, anchor: anchorOf(n), item: d.item ?? d.scenario, scenario: d.scenario, verdict: d.verdict, outcome: outcomeOf(d.verdict), evidence, regressions: d.regressions ?? [], report: reportOf(d) });
    // A repeated drill's verdict is its summary's: the failures listed are the summary's, not one run's.
    if (d.verdict !== 'pass') risks.push({ n, anchor: anchorOf(n), scenario: d.scenario, verdict: d.verdict, text: riskText(d, d.repeat ? null : r) });
    if (d.regressions?.length) risks.push({ n, anchor: anchorOf(n), scenario: d.scenario, verdict: 'regression', text: regressionText(d, r, suite.baseline) });
    if (r) ran.push({ n, scenario: d.scenario, r });
    else if (d.verdict !== 'skipped') unknown.push(d.scenario);
    sections.push(sectionOf(n, d, r));
  });
  return {
    checklist,
    risks,
    deployment: deploymentOf(ran),
    deploymentUnknown: unknown,
    sections,
    definitions: [...shown].map((metric) => ({ metric, text: METRIC_DEFINITIONS[metric] })),
  };
}
