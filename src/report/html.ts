/**
 * The HTML report: one self-contained file (no CDN, no network, inline SVG charts, a few lines of inline
 * script for the event filter), rendered with handlebars from the result and the journal.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Handlebars from 'handlebars';
import type { JournalEvent } from '../journal/journal.ts';
import type { DrillResult } from '../engine/result.ts';
import { METRIC_DEFINITIONS, METRIC_NAMES } from '../analysis/metricNames.ts';
import { sentinelEventsOf } from '../analysis/analyze.ts';
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

const HARNESS_EVENTS: Record<string, (e: JournalEvent) => string> = {
  phase: (e) => `phase: ${e.name}`,
  'fault.inject': (e) => `fault ${e.key}: ${e.description} -> ${(e.nodes as string[] | undefined)?.join(', ') ?? e.node}`,
  'fault.heal': (e) => `healed ${e.key}${e.skipped ? ` (${e.skipped})` : ''}`,
  'recovery.converged': (e) => `converged: primary ${e.primary}`,
  'recovery.incomplete': (e) => `did not converge: ${e.reason}`,
  'verify.done': (e) => `verified ${e.checked} writes against ${e.node}`,
  'replication.state': (e) => `replication: role ${e.role}${e.master ? `, master ${e.master}` : ''}${e.link ? `, link ${e.link}` : ''}`,
  'topology.address-changed': (e) => `address changed ${e.from} -> ${e.to}`,
  'container.die': (e) => `container died (${e.action}, exit ${e.exitCode ?? '?'})`,
  'run.error': (e) => `error: ${e.message}`,
};

export function renderHtmlReport(result: DrillResult, events: JournalEvent[]): string {
  compiled ??= hb.compile(readFileSync(join(TEMPLATE_DIR, 'report.hbs'), 'utf8'));
  const fault = events.find((e) => e.type === 'fault.inject' && e.role === 'primary') ?? events.find((e) => e.type === 'fault.inject');
  const t0 = fault?.t;
  const m = result.metrics;
  const s = result.series;

  const steps = m
    ? [
        { label: `fault injected (t0): ${fault?.description ?? ''}`, ms: 0 },
        ...Object.entries(m.perSentinel).map(([node, v]) => ({ label: `${node} +sdown`, ms: v.sdownMs })),
        { label: '+odown (quorum agrees)', ms: m.phases.odown },
        { label: '+elected-leader', ms: m.phases.electedLeader },
        { label: '+selected-slave', ms: m.phases.selectedReplica },
        { label: '+promoted-slave', ms: m.phases.promotedReplica },
        { label: '+switch-master (failover)', ms: m.phases.switchMaster },
        { label: 'replicas reconfigured', ms: m.phases.replicasReconfigured },
        { label: 'first write on the new primary (RTO)', ms: m.rtoMs },
        { label: 'first durable write (WAIT met)', ms: m.durableRtoMs },
      ]
    : [];

  const rows = [
    ...sentinelEventsOf(events).map((e) => ({ e, node: String(e.node), what: `${e.channel} ${e.message}` })),
    ...events.filter((e) => HARNESS_EVENTS[e.type]).map((e) => ({ e, node: String(e.node ?? 'harness'), what: HARNESS_EVENTS[e.type](e) })),
  ].sort((a, b) => a.e.t - b.e.t);
  const eventRows = rows.slice(0, MAX_EVENT_ROWS).map(({ e, node, what }) => ({
    at: t0 === undefined ? null : e.t - t0,
    wall: new Date(e.wall).toISOString(),
    node,
    what,
    kind: e.type === 'sentinel.event' ? 'sentinel' : 'harness',
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
    timelineSvg: m && fault ? new hb.SafeString(failureTimelineSvg(steps)) : null,
    loadSvg: s ? new hb.SafeString(loadChartSvg(s)) : null,
    latencySvg: s ? new hb.SafeString(latencyOverTimeSvg(s)) : null,
    percentileSvg: s ? new hb.SafeString(percentileChartSvg(s.latency)) : null,
    latencyRows,
    metricRows,
    expectations: result.expectations.map((e) => ({ ...e, definition: METRIC_DEFINITIONS[e.metric] })),
    eventRows,
    eventsTruncated: rows.length > MAX_EVENT_ROWS ? rows.length - MAX_EVENT_ROWS : 0,
    nodesInEvents,
    failures: m ? Object.entries(m.failuresByReason).map(([reason, count]) => ({ reason, count })) : [],
    generatedAt: new Date().toISOString(),
  });
}

function lookup(metrics: object, name: string): unknown {
  let v: unknown = metrics;
  for (const part of name.split('.')) v = (v as Record<string, unknown> | null)?.[part];
  return v ?? null;
}
