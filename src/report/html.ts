/** The HTML report: one self-contained file (no CDN, no network), rendered with handlebars. */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Handlebars from 'handlebars';
import type { JournalEvent } from '../journal/journal.ts';
import type { DrillResult } from '../engine/result.ts';
import { METRIC_DEFINITIONS, type MetricName } from '../analysis/metricNames.ts';

const TEMPLATE_DIR = join(dirname(fileURLToPath(import.meta.url)), 'templates');

let compiled: Handlebars.TemplateDelegate | undefined;

const hb = Handlebars.create();
hb.registerHelper('ms', (v: unknown) => (typeof v === 'number' ? `${Math.round(v)} ms` : '—'));
hb.registerHelper('num', (v: unknown) => (typeof v === 'number' ? v.toLocaleString('en-US') : '—'));
hb.registerHelper('eq', (a: unknown, b: unknown) => a === b);

const PHASE_LABELS: Record<string, string> = {
  sdown: 'first +sdown (detection)',
  odown: '+odown (quorum agrees)',
  tryFailover: '+try-failover',
  electedLeader: '+elected-leader',
  selectedReplica: '+selected-slave',
  promotedReplica: '+promoted-slave',
  switchMaster: '+switch-master (failover)',
  replicasReconfigured: 'last +slave-reconf-done',
};

export function renderHtmlReport(result: DrillResult, events: JournalEvent[]): string {
  compiled ??= hb.compile(readFileSync(join(TEMPLATE_DIR, 'report.hbs'), 'utf8'));
  const fault = events.find((e) => e.type === 'fault.inject' && e.role === 'primary') ?? events.find((e) => e.type === 'fault.inject');
  const t0 = fault?.t;
  const m = result.metrics;
  const phases = m
    ? [
        { label: 'fault injected (t0)', ms: 0 },
        ...Object.entries(m.phases).map(([k, v]) => ({ label: PHASE_LABELS[k] ?? k, ms: v })),
        { label: 'first write acknowledged by the new primary (RTO)', ms: m.rtoMs },
        { label: 'first WAIT-confirmed write on the new primary (durable RTO)', ms: m.durableRtoMs },
      ]
    : [];
  const sentinelEvents = events
    .filter((e) => e.type === 'sentinel.event' || e.type === 'fault.inject' || e.type === 'phase')
    .map((e) => ({
      at: t0 === undefined ? null : e.t - t0,
      wall: new Date(e.wall).toISOString(),
      node: String(e.node ?? 'harness'),
      what: e.type === 'sentinel.event' ? `${e.channel} ${e.message}` : e.type === 'phase' ? `phase: ${e.name}` : `fault: ${e.kind} ${e.signal ?? ''} ${e.node}`,
    }));
  const metricRows = m
    ? (
        [
          'detectionMs', 'odownMs', 'failoverMs', 'rtoMs', 'durableRtoMs', 'writeUnavailableMs',
          'writes.attempted', 'writes.acknowledged', 'writes.failed', 'writes.indeterminate',
          'lostWrites.total', 'lostWrites.durable', 'lostWrites.unconfirmed', 'recoveredWrites', 'splitBrainWrites',
        ] as MetricName[]
      ).map((name) => ({ name, value: lookup(m, name), definition: METRIC_DEFINITIONS[name] }))
    : [];
  return compiled({
    result,
    metrics: m,
    phases,
    metricRows,
    expectations: result.expectations.map((e) => ({ ...e, definition: METRIC_DEFINITIONS[e.metric] })),
    sentinelEvents,
    failures: m ? Object.entries(m.failuresByReason).map(([reason, count]) => ({ reason, count })) : [],
  });
}

function lookup(metrics: object, name: string): unknown {
  let v: unknown = metrics;
  for (const part of name.split('.')) v = (v as Record<string, unknown>)?.[part];
  return v ?? null;
}
