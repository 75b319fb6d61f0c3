/**
 * Charts as inline SVG strings, rendered here rather than by a script in the page: the report is one
 * self-contained file that opens anywhere (disk, CI artifact) without network or JavaScript.
 */
import type { Series, LatencySummary } from '../record/result.ts';

const W = 960;
const PAD = { left: 64, right: 16, top: 16, bottom: 36 };
const COLORS = { ok: '#1a7f37', fail: '#cf222e', ind: '#bf8700', p50: '#0969da', p99: '#8250df', before: '#0969da', during: '#cf222e', after: '#1a7f37', band: '#cf222e' };

const esc = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
const fmtMs = (ms: number) => (ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`);

function niceTicks(max: number, count = 5): number[] {
  if (max <= 0) return [0];
  const raw = max / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? raw;
  const ticks = [];
  for (let v = 0; v <= max + 1e-9; v += step) ticks.push(v);
  return ticks;
}

function frame(height: number, title: string, body: string, id: string): string {
  return `<svg id="${id}" class="chart" role="img" aria-label="${esc(title)}" viewBox="0 0 ${W} ${height}" width="100%" xmlns="http://www.w3.org/2000/svg" font-family="system-ui, sans-serif" font-size="11">${body}</svg>`;
}

/** Horizontal bars from t0: one row per failover step, with its offset written on it. */
export function failureTimelineSvg(steps: { label: string; ms: number | null }[]): string {
  const rows = steps;
  const rowH = 22;
  const left = 300;
  const height = PAD.top + rows.length * rowH + PAD.bottom;
  const max = Math.max(1, ...rows.map((r) => r.ms ?? 0)) * 1.12;
  const x = (ms: number) => left + (ms / max) * (W - left - PAD.right - 60);
  let body = '';
  for (const t of niceTicks(max)) {
    body += `<line x1="${x(t)}" x2="${x(t)}" y1="${PAD.top}" y2="${height - PAD.bottom}" stroke="#eaeef2"/><text x="${x(t)}" y="${height - PAD.bottom + 14}" text-anchor="middle" fill="#656d76">${fmtMs(t)}</text>`;
  }
  rows.forEach((r, i) => {
    const y = PAD.top + i * rowH;
    body += `<text x="${left - 8}" y="${y + 15}" text-anchor="end">${esc(r.label)}</text>`;
    if (r.ms === null) {
      body += `<text x="${x(0) + 4}" y="${y + 15}" fill="#656d76">did not happen</text>`;
    } else {
      body += `<rect x="${x(0)}" y="${y + 4}" width="${Math.max(2, x(r.ms) - x(0))}" height="${rowH - 8}" fill="#0969da" opacity="0.75" rx="2"/>`;
      body += `<text x="${x(r.ms) + 4}" y="${y + 15}" font-weight="600">${fmtMs(r.ms)}</text>`;
    }
  });
  body += `<text x="${x(0)}" y="${height - 6}" fill="#656d76">ms after the fault (t0)</text>`;
  return frame(height, 'Failure timeline: milliseconds from the fault to each failover step', body, 'chart-timeline');
}

interface Line {
  label: string;
  color: string;
  points: [number, number | null][];
}

function timeChart(id: string, title: string, series: Series, lines: Line[], yLabel: string, logY: boolean): string {
  const height = 260;
  const plotH = height - PAD.top - PAD.bottom;
  const maxX = series.loadMs;
  const values = lines.flatMap((l) => l.points.map((p) => p[1]).filter((v): v is number => v !== null && v > 0));
  const maxY = Math.max(1, ...values) * 1.1;
  const minY = logY ? Math.max(0.01, Math.min(...values, maxY) / 1.5) : 0;
  const x = (t: number) => PAD.left + (t / maxX) * (W - PAD.left - PAD.right);
  const y = (v: number) =>
    logY ? PAD.top + plotH - ((Math.log10(Math.max(v, minY)) - Math.log10(minY)) / (Math.log10(maxY) - Math.log10(minY))) * plotH : PAD.top + plotH - (v / maxY) * plotH;
  let body = '';
  for (const f of series.faults) {
    body += `<rect class="fault-band" x="${x(f.from)}" y="${PAD.top}" width="${Math.max(2, x(f.to) - x(f.from))}" height="${plotH}" fill="${COLORS.band}" opacity="0.12"><title>${esc(f.label)}: ${fmtMs(f.from)} to ${fmtMs(f.to)}${f.healed ? '' : ' (not healed)'}</title></rect>`;
  }
  if (series.t0 !== null) body += `<line x1="${x(series.t0)}" x2="${x(series.t0)}" y1="${PAD.top}" y2="${PAD.top + plotH}" stroke="${COLORS.band}" stroke-dasharray="4 3"/><text x="${x(series.t0) + 3}" y="${PAD.top + 10}" fill="${COLORS.band}">t0</text>`;
  const yTicks = logY ? logTicks(minY, maxY) : niceTicks(maxY);
  for (const v of yTicks) body += `<line x1="${PAD.left}" x2="${W - PAD.right}" y1="${y(v)}" y2="${y(v)}" stroke="#eaeef2"/><text x="${PAD.left - 6}" y="${y(v) + 4}" text-anchor="end" fill="#656d76">${v >= 1000 ? `${v / 1000}k` : +v.toPrecision(3)}</text>`;
  for (const t of niceTicks(maxX / 1000, 10)) body += `<text x="${x(t * 1000)}" y="${height - PAD.bottom + 14}" text-anchor="middle" fill="#656d76">${t}s</text>`;
  body += `<text x="12" y="${PAD.top + plotH / 2}" transform="rotate(-90 12 ${PAD.top + plotH / 2})" text-anchor="middle" fill="#656d76">${esc(yLabel)}</text>`;
  body += `<text x="${W - PAD.right}" y="${height - 6}" text-anchor="end" fill="#656d76">seconds into the load; shaded: faults</text>`;
  for (const line of lines) {
    let d = '';
    let pen = false;
    for (const [t, v] of line.points) {
      if (v === null || (logY && v <= 0)) {
        pen = false;
        continue;
      }
      d += `${pen ? 'L' : 'M'}${x(t).toFixed(1)},${y(v).toFixed(1)}`;
      pen = true;
    }
    body += `<path d="${d}" fill="none" stroke="${line.color}" stroke-width="1.6"/>`;
  }
  lines.forEach((l, i) => {
    body += `<rect x="${PAD.left + 10 + i * 150}" y="${PAD.top + 2}" width="10" height="10" fill="${l.color}"/><text x="${PAD.left + 24 + i * 150}" y="${PAD.top + 11}">${esc(l.label)}</text>`;
  });
  return frame(height, title, body, id);
}

function logTicks(min: number, max: number): number[] {
  const out = [];
  for (let e = Math.floor(Math.log10(min)); e <= Math.ceil(Math.log10(max)); e++) {
    const v = 10 ** e;
    if (v >= min && v <= max) out.push(v);
  }
  return out;
}

/** Jepsen-style: acknowledged / failed / indeterminate writes per second over time, faults shaded. */
export function loadChartSvg(series: Series): string {
  const perSec = (n: number) => (n * 1000) / series.bucketMs;
  const mid = (t: number) => t + series.bucketMs / 2;
  return timeChart(
    'chart-load',
    'Writes per second over time: acknowledged, failed, indeterminate; faults shaded',
    series,
    [
      { label: 'acknowledged/s', color: COLORS.ok, points: series.buckets.map((b) => [mid(b.t), perSec(b.ok)]) },
      { label: 'failed/s', color: COLORS.fail, points: series.buckets.map((b) => [mid(b.t), perSec(b.fail)]) },
      { label: 'indeterminate/s', color: COLORS.ind, points: series.buckets.map((b) => [mid(b.t), perSec(b.indeterminate)]) },
    ],
    'writes/s',
    false,
  );
}

/** p50 and p99 latency of acknowledged writes per bucket, on the same time axis (log scale). */
export function latencyOverTimeSvg(series: Series): string {
  const mid = (t: number) => t + series.bucketMs / 2;
  return timeChart(
    'chart-latency-time',
    'Write latency over time (p50, p99), log scale; faults shaded',
    series,
    [
      { label: 'p50 ms', color: COLORS.p50, points: series.buckets.map((b) => [mid(b.t), b.p50]) },
      { label: 'p99 ms', color: COLORS.p99, points: series.buckets.map((b) => [mid(b.t), b.p99]) },
    ],
    'ms (log)',
    true,
  );
}

/** Latency by percentile before, during and after the fault (x: "nines", y: log ms). */
export function percentileChartSvg(latency: Series['latency']): string {
  const height = 260;
  const plotH = height - PAD.top - PAD.bottom;
  const nines = (p: number) => Math.min(4.2, -Math.log10(1 - Math.min(p, 99.99) / 100));
  const windows: [string, string, LatencySummary][] = [
    ['before', COLORS.before, latency.before],
    ['during', COLORS.during, latency.during],
    ['after', COLORS.after, latency.after],
  ];
  const values = windows.flatMap(([, , s]) => s.curve.map((c) => c[1])).filter((v) => v > 0);
  const maxY = Math.max(1, ...values) * 1.2;
  const minY = Math.max(0.01, Math.min(maxY, ...values) / 1.5);
  const x = (p: number) => PAD.left + (nines(p) / 4.2) * (W - PAD.left - PAD.right);
  const y = (v: number) => PAD.top + plotH - ((Math.log10(Math.max(v, minY)) - Math.log10(minY)) / (Math.log10(maxY) - Math.log10(minY))) * plotH;
  let body = '';
  for (const p of [0, 50, 90, 99, 99.9, 99.99]) body += `<line x1="${x(p)}" x2="${x(p)}" y1="${PAD.top}" y2="${PAD.top + plotH}" stroke="#eaeef2"/><text x="${x(p)}" y="${height - PAD.bottom + 14}" text-anchor="middle" fill="#656d76">p${p}</text>`;
  for (const v of logTicks(minY, maxY)) body += `<line x1="${PAD.left}" x2="${W - PAD.right}" y1="${y(v)}" y2="${y(v)}" stroke="#eaeef2"/><text x="${PAD.left - 6}" y="${y(v) + 4}" text-anchor="end" fill="#656d76">${+v.toPrecision(3)} ms</text>`;
  windows.forEach(([label, color, s], i) => {
    const d = s.curve.map(([p, v], j) => `${j ? 'L' : 'M'}${x(p).toFixed(1)},${y(v).toFixed(1)}`).join('');
    if (d) body += `<path d="${d}" fill="none" stroke="${color}" stroke-width="1.8"/>`;
    body += `<rect x="${PAD.left + 10 + i * 170}" y="${PAD.top + 2}" width="10" height="10" fill="${color}"/><text x="${PAD.left + 24 + i * 170}" y="${PAD.top + 11}">${label} the fault (${s.count.toLocaleString('en-US')})</text>`;
  });
  body += `<text x="${W - PAD.right}" y="${height - 6}" text-anchor="end" fill="#656d76">percentile of acknowledged writes; latency in ms, log scale</text>`;
  return frame(height, 'Write latency by percentile before, during and after the fault', body, 'chart-percentiles');
}
