/**
 * The HTML report: one self-contained file (no CDN, no network, inline SVG charts, a few lines of inline
 * script for the event filter), rendered with handlebars from the result and the journal.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Handlebars from 'handlebars';
import type { JournalEvent } from '../record/events.ts';
import type { DrillResult } from '../record/result.ts';
import { anchorFault } from '../record/anchors.ts';
import { ofType } from '../record/events.ts';
import { METRIC_DEFINITIONS, METRIC_NAMES, expectationDefinition } from '../record/metrics.ts';
import { sentinelEventsOf } from '../analysis/sentinel.ts';
import { clusterEventsOf } from '../analysis/cluster.ts';
import { describeIdentity } from '../record/server.ts';
import { comparisonRowsForHtml } from '../regression/table.ts';
import { describeLeft } from '../record/attach.ts';
import { failureTimelineSvg, latencyOverTimeSvg, loadChartSvg, percentileChartSvg } from './charts.ts';

const TEMPLATE_DIR = join(dirname(fileURLToPath(import.meta.url)), 'templates');
/** Enough rows to read a long drill's story; a 10-minute drill must not produce a 100 MB page. */
const MAX_EVENT_ROWS = 3000;

let compiled: Handlebars.TemplateDelegate | undefined;

const hb = Handlebars.create();
hb.registerHelper('ms', (v: unknown) => (typeof v === 'number' ? `${Math.round(v).toLocaleString('en-US')} ms` : '—'));
hb.registerHelper('lat', (v: unknown) => (typeof v === 'number' ? (v < 10 ? v.toFixed(2) : v.toFixed(1)) : '—'));
hb.registerHelper('num', (v: unknown) => (typeof v === 'number' ? v.toLocaleString('en-US') : v === null || v === undefined ? '—' : String(v)));
hb.registerHelper('eq', (a: unknown, b: unknown) => a === b);

/** Harness events worth a row in the report's event table, and how each reads. */
function harnessEventText(e: JournalEvent): string | null {
  switch (e.type) {
    case 'phase':
      return `phase: ${e.name}`;
    case 'fault.inject':
      return `fault ${e.key}: ${e.description} -> ${e.nodes.join(', ') || e.node}`;
    case 'action.send':
      return `step ${e.key} sent: ${e.description} -> ${e.nodes.join(', ') || e.node} (${e.reply})`;
    case 'action.effect':
      return e.afterMs === null
        ? `step ${e.key} did not take effect: ${e.detail}`
        : `step ${e.key} ${e.ok ? 'took effect' : 'failed'} ${Math.round(e.afterMs)} ms after it was sent: ${e.detail}`;
    case 'fault.heal':
      return `healed ${e.key}${e.skipped ? ` (${e.skipped})` : ''}`;
    case 'recovery.converged':
      return `converged: primary ${e.primary}`;
    case 'recovery.incomplete':
      return `did not converge: ${e.reason}`;
    case 'verify.done':
      return `verified ${e.checked} writes against ${e.node}`;
    case 'replication.state':
      return `replication: role ${e.role}${e.master ? `, master ${e.master}` : ''}${e.link ? `, link ${e.link}` : ''}`;
    case 'topology.address-changed':
      return `address changed ${e.from} -> ${e.to}`;
    case 'container.die':
      return `container died (${e.action}, exit ${e.exitCode ?? '?'})`;
    case 'haproxy.log':
      return `HAProxy: ${e.detail}`;
    case 'cluster.state':
      return `cluster_state:${e.state} (polled)`;
    case 'preflight.check':
      return e.status === 'pass' || e.status === 'skipped' ? null : `preflight ${e.id}: ${e.status}${e.required ? '' : ' (not needed by this drill)'}`;
    case 'preflight.done':
      return e.passed ? `preflight passed (${Math.round(e.ms)} ms)` : `preflight failed: missing ${e.missing.join(', ')}`;
    case 'run.error':
      return `error: ${e.message}`;
    default:
      return null;
  }
}

export function renderHtmlReport(result: DrillResult, events: JournalEvent[]): string {
  compiled ??= hb.compile(readFileSync(join(TEMPLATE_DIR, 'report.hbs'), 'utf8'));
  const fault = anchorFault(events);
  const t0 = fault?.t;
  const m = result.metrics;
  const s = result.series;
  // Cluster mode: one timeline per faulted shard; Sentinel mode: one.
  const stepGroups = m
    ? m.mode === 'cluster'
      ? [...new Set(m.steps.map((st) => st.shard))].map((shard) => ({ title: shard === undefined ? 'cluster' : `shard ${shard}`, steps: m.steps.filter((st) => st.shard === shard) }))
      : [{ title: null, steps: m.steps }]
    : [];

  const rows = [
    ...sentinelEventsOf(events).map((e) => ({ e, node: e.node, what: `${e.channel} ${e.message}`, kind: 'server' })),
    ...clusterEventsOf(events).map((e) => ({ e, node: e.node, what: e.text, kind: 'server' })),
    ...events.flatMap((e) => {
      const what = harnessEventText(e);
      return what === null ? [] : [{ e, node: 'node' in e && typeof e.node === 'string' ? e.node : 'harness', what, kind: 'harness' }];
    }),
  ].sort((a, b) => a.e.t - b.e.t);
  const eventRows = rows.slice(0, MAX_EVENT_ROWS).map(({ e, node, what, kind }) => ({
    at: t0 === undefined ? null : e.t - t0,
    wall: new Date(e.wall).toISOString(),
    node,
    what,
    kind,
  }));
  const nodesInEvents = [...new Set(eventRows.map((r) => r.node))].sort();

  const metricRows = m
    ? METRIC_NAMES.map((name) => ({ name, value: lookup(m, name), definition: METRIC_DEFINITIONS[name] }))
    : [];
  const latencyRows = s
    ? (['before', 'during', 'after'] as const).map((w) => ({ window: w, ...s.latency[w] }))
    : [];

  return compiled({
    result,
    metrics: m,
    series: s,
    duringWindow: s?.during ? `${(s.during.from / 1000).toFixed(1)} s to ${(s.during.to / 1000).toFixed(1)} s into the load` : null,
    timelines: fault ? stepGroups.map((g) => ({ title: g.title, svg: new hb.SafeString(failureTimelineSvg(g.steps)) })) : [],
    loadSvg: s ? new hb.SafeString(loadChartSvg(s)) : null,
    latencySvg: s ? new hb.SafeString(latencyOverTimeSvg(s)) : null,
    percentileSvg: s ? new hb.SafeString(percentileChartSvg(s.latency)) : null,
    latencyRows,
    metricRows,
    expectations: result.expectations.map((e) => ({ ...e, definition: expectationDefinition(e.metric) })),
    eventRows,
    eventsTruncated: rows.length > MAX_EVENT_ROWS ? rows.length - MAX_EVENT_ROWS : 0,
    nodesInEvents,
    failures: m ? Object.entries(m.failuresByReason).map(([reason, count]) => ({ reason, count })) : [],
    haproxy: ofType(events, 'haproxy.config')[0] ?? null,
    configChanges: [...(result.configuration?.changes.server ?? []), ...(result.configuration?.changes.sentinel ?? [])],
    serverText: result.server ? describeIdentity(result.server) : result.serverVersion ? `version ${result.serverVersion}` : '—',
    attachLeftText: result.attach?.left ? describeLeft(result.attach.target, result.attach.left) : null,
    sentinelText: result.sentinelServer ? describeIdentity(result.sentinelServer) : null,
    preflight: result.preflight ?? null,
    preflightMissing: (result.preflight?.missing ?? []).map((id) => `${id} (${result.preflight!.checks.find((c) => c.id === id)?.title ?? id})`),
    comparison: result.comparison ?? null,
    comparisonRows: comparisonRowsForHtml(result.comparison),
    generatedAt: new Date().toISOString(),
  });
}

function lookup(metrics: object, name: string): unknown {
  let v: unknown = metrics;
  for (const part of name.split('.')) v = (v as Record<string, unknown> | null)?.[part];
  return v ?? null;
}
