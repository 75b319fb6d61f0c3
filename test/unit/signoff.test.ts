/** The suite's sign-off document from synthetic suite results: checklist, evidence, open risks, deployment, and its HTML. */
import { describe, it, expect } from 'vitest';
import { buildSignoff, evidenceOf } from '../../src/report/signoff.ts';
import { renderSuiteIndex } from '../../src/report/suiteIndex.ts';
import { checklistItem, type SuiteDrill, type SuiteResult } from '../../src/suite/run.ts';
import type { DrillResult } from '../../src/record/result.ts';
import type { Metrics } from '../../src/record/metrics.ts';

function metricsWith(overrides: Partial<Metrics>): Metrics {
  return {
    mode: 'sentinel', detectionMs: 1043, odownMs: 1120, failoverMs: 2210, rtoMs: 3120.4, durableRtoMs: 3300, writeUnavailableMs: 3050,
    writes: { attempted: 20000, acknowledged: 19800, failed: 150, indeterminate: 50, noreplicas: 0 },
    lostWrites: { total: 2, durable: 0, unconfirmed: 2 }, durableNote: null, recoveredWrites: 10, verifiedAgainst: 'redis-2', unexpectedWrites: 0,
    splitBrainWrites: 0, splitBrainWindowMs: null, failovers: 1, sdownEvents: 3, resync: null, promotedMostUpToDate: true,
    oldPrimary: 'redis-1', newPrimary: 'redis-2', phases: {}, steps: [], perSentinel: {}, pfailMs: null, clusterDownMs: null, shards: [],
    findings: [], crossCheck: null, failuresByReason: {}, lostSample: [], throughput: null,
    ...overrides,
  };
}

const KILL = {
  key: 'kill#1', kind: 'kill', description: 'SIGKILL primary', nodes: ['redis-1'], target: 'primary', node: 'redis-1', role: 'primary', signal: 'SIGKILL',
  injectedAt: '2026-11-23T07:00:08.000Z', atMs: 4000, healedAt: null, healedAtMs: null,
};

function drillResult(overrides: Partial<DrillResult>): DrillResult {
  return {
    scenario: 'synthetic', scenarioFile: 'x.yaml', description: '', verdict: 'pass', error: null, runId: 'abcd1234',
    startedAt: '2026-11-23T07:00:00.000Z', finishedAt: '2026-11-23T07:00:20.000Z', durationMs: 20_000, image: 'ferrite-drill/redis:7.0.15-host', imageSource: 'built from this host', serverVersion: '7.0.15',
    server: { name: 'redis', version: '7.0.15', redisVersion: null }, sentinelServer: { name: 'redis', version: '7.0.15', redisVersion: null },
    clientPath: 'direct',
    topology: { mode: 'sentinel', server: 'redis', replicas: 2, sentinels: 3, quorum: 2, downAfterMs: 1000, failoverTimeoutMs: 10000, serverConfig: {}, appliedConfig: { save: '', appendonly: 'no', 'repl-diskless-sync-delay': 0 } },
    load: { writers: 4, rate: 'unlimited', waitReplicas: 1, waitTimeoutMs: 100 },
    timings: { topologyReadyMs: 3000, recovery: null, verifyMs: 100, teardownMs: 700 },
    faults: [KILL], metrics: metricsWith({}), series: null, expectations: [], outDir: '/tmp/x', files: {},
    ...overrides,
  };
}

function suiteDrill(scenario: string, verdict: SuiteDrill['verdict'], n: number, reason: string | null = null): SuiteDrill {
  return {
    scenario, item: `item of ${scenario}`, scenarioFile: `${scenario}.yaml`, verdict, reason, dir: verdict === 'skipped' ? null : `0${n}-${scenario}`,
    durationMs: null, detectionMs: null, failoverMs: null, rtoMs: null, lostWrites: null, lostDurable: null, failedExpectations: [],
  };
}

const crash = drillResult({
  scenario: 'primary-crash',
  expectations: [
    { metric: 'detectionMs', limit: '>= 1000 and <= 2500', min: 1000, max: 2500, actual: 1043, pass: true },
    { metric: 'lostWrites.durable', limit: '<= 0', min: null, max: 0, actual: 0, pass: true },
  ],
});
const minReplicas = drillResult({
  scenario: 'primary-partition-min-replicas',
  verdict: 'fail',
  topology: { ...crash.topology, appliedConfig: { save: '', appendonly: 'no', 'min-replicas-to-write': 1, 'min-replicas-max-lag': 2 } },
  metrics: metricsWith({ findings: ['The old primary kept acknowledging writes for 9 s.'] }),
  expectations: [{ metric: 'writes.noreplicas', limit: '>= 1', min: 1, max: null, actual: 0, pass: false }],
});
const lacking = drillResult({
  scenario: 'ferrite-primary-crash',
  verdict: 'error',
  error: 'HA conformance preflight: ferrite 0.3.0 does not do what this drill relies on',
  server: { name: 'ferrite', version: '0.3.0', redisVersion: null },
  metrics: null,
  preflight: { passed: false, checks: [], missing: ['wait', 'replicaof'], warnings: [], ms: 9000 },
});

const suite: SuiteResult = {
  suite: 'pre-go-live', suiteFile: '/x/pre-go-live.yaml', description: 'd', verdict: 'error', startedAt: '2026-11-23T07:00:00.000Z', finishedAt: '2026-11-23T07:05:00.000Z',
  durationMs: 300_000, outDir: '/tmp/suite', harnessVersion: '9.9.9',
  host: { hostname: 'drillhost', os: 'Debian GNU/Linux 12 (bookworm)', kernel: 'Linux 6.1.0', arch: 'x64', cpus: 2, memoryGiB: 23.5, node: 'v20.20.0', docker: '20.10.24' },
  drills: [
    suiteDrill('primary-crash', 'pass', 1),
    { ...suiteDrill('primary-partition-min-replicas', 'fail', 2), failedExpectations: ['writes.noreplicas >= 1: 0'] },
    suiteDrill('ferrite-primary-crash', 'error', 3, lacking.error),
    suiteDrill('sentinel-minority', 'skipped', 4, 'stopOnFailure: primary-partition-min-replicas ended fail'),
  ],
  pdf: null, pdfReason: 'the suite is still running',
};
const results = [crash, minReplicas, lacking, null];

describe('checklist', () => {
  const s = buildSignoff(suite, results);

  it('one row per drill, in order, with its item, verdict and a link to its section and report', () => {
    expect(s.checklist.map((r) => [r.n, r.item, r.scenario, r.verdict, r.anchor, r.report])).toEqual([
      [1, 'item of primary-crash', 'primary-crash', 'pass', 'drill-01', '01-primary-crash/report.html'],
      [2, 'item of primary-partition-min-replicas', 'primary-partition-min-replicas', 'fail', 'drill-02', '02-primary-partition-min-replicas/report.html'],
      [3, 'item of ferrite-primary-crash', 'ferrite-primary-crash', 'error', 'drill-03', '03-ferrite-primary-crash/report.html'],
      [4, 'item of sentinel-minority', 'sentinel-minority', 'skipped', 'drill-04', null],
    ]);
  });

  it('the evidence: each expectation with its limit, then RTO, write unavailability and lost durable writes', () => {
    expect(s.checklist[0].evidence.map((e) => [e.label, e.value, e.limit, e.pass])).toEqual([
      ['detection', '1,043 ms', '>= 1000 and <= 2500', true],
      ['lost durable writes', '0', '<= 0', true],
      ['RTO', '3,120.4 ms', null, null],
      ['write unavailability', '3,050 ms', null, null],
    ]);
  });

  it('NOREPLICAS refusals are evidence where min-replicas-to-write is set; a drill without numbers has none', () => {
    expect(s.checklist[1].evidence.map((e) => `${e.label}: ${e.value}${e.limit ? ` (${e.limit}, ${e.pass ? 'met' : 'not met'})` : ''}`)).toEqual([
      'NOREPLICAS refusals: 0 (>= 1, not met)',
      'RTO: 3,120.4 ms',
      'write unavailability: 3,050 ms',
      'lost durable writes: 0',
    ]);
    expect(s.checklist[2].evidence).toEqual([]);
    expect(s.checklist[3].evidence).toEqual([]);
  });

  it('times that never happened, lost writes without WAIT, and resyncs read in words', () => {
    const noWait = drillResult({ metrics: metricsWith({ rtoMs: null, lostWrites: { total: 3, durable: null, unconfirmed: 3 }, durableNote: 'no WAIT', resync: { node: 'redis-3', catchUpMs: 800, full: 1, partial: 0 } }) });
    expect(evidenceOf(noWait).map((e) => `${e.label}: ${e.value}`)).toEqual([
      'RTO: never', 'write unavailability: 3,050 ms', 'lost durable writes: n/a (no WAIT)', 'full resyncs: 1', 'partial resyncs: 0',
    ]);
  });

  it('a drill without a fault (a control run) shows no times from t0, only what happened to the data', () => {
    const control = drillResult({
      faults: [],
      metrics: metricsWith({ detectionMs: null, rtoMs: null, writeUnavailableMs: null, failovers: 0 }),
      expectations: [{ metric: 'failovers', limit: '<= 0', min: null, max: 0, actual: 0, pass: true }],
    });
    expect(evidenceOf(control).map((e) => `${e.label}: ${e.value}`)).toEqual(['failovers: 0', 'lost durable writes: 0']);
    const section = buildSignoff({ ...suite, drills: [suiteDrill('control', 'pass', 1)] }, [control]).sections[0];
    expect(section.numbers.find((x) => x.label === 'RTO')?.value).toBe('n/a (no fault)');
    expect(section.faults).toEqual([]);
  });
});

describe('open risks', () => {
  const s = buildSignoff(suite, results);

  it('every failed, errored and skipped item, and no passed one', () => {
    expect(s.risks.map((r) => [r.n, r.scenario, r.verdict])).toEqual([
      [2, 'primary-partition-min-replicas', 'fail'],
      [3, 'ferrite-primary-crash', 'error'],
      [4, 'sentinel-minority', 'skipped'],
    ]);
  });

  it('says in words what did not hold, what could not be checked and why, and what was not run', () => {
    expect(s.risks[0].text).toBe('Did not hold: NOREPLICAS refusals (writes.noreplicas) should be >= 1, but 0 was measured. The old primary kept acknowledging writes for 9 s.');
    expect(s.risks[1].text).toBe(
      'Not checked: the drill could not complete (HA conformance preflight: ferrite 0.3.0 does not do what this drill relies on). The server lacks what the drill relies on: wait, replicaof. Nothing is known about this item until it runs.',
    );
    expect(s.risks[2].text).toBe('Not checked: the drill did not run (stopOnFailure: primary-partition-min-replicas ended fail). Nothing is known about this item.');
  });

  it('a failed expectation on an event that never happened says so', () => {
    const never = drillResult({ verdict: 'fail', expectations: [{ metric: 'failoverMs', limit: '<= 8000', min: null, max: 8000, actual: null, pass: false }] });
    const one: SuiteResult = { ...suite, drills: [suiteDrill('x', 'fail', 1)] };
    expect(buildSignoff(one, [never]).risks[0].text).toBe('Did not hold: failover (failoverMs) should be <= 8000, but it never happened.');
  });

  it('none when every item held', () => {
    const all: SuiteResult = { ...suite, verdict: 'pass', drills: [suiteDrill('primary-crash', 'pass', 1)] };
    expect(buildSignoff(all, [crash]).risks).toEqual([]);
    expect(renderSuiteIndex(all, [crash])).toContain('<p id="risks">None: every checklist item held.</p>');
  });
});

describe('deployment under test', () => {
  it('what every drill shared once, what differed per drill', () => {
    const d = buildSignoff(suite, results).deployment;
    const field = (label: string) => d.find((f) => f.label.startsWith(label))!;
    expect(field('topology').common).toBe('1 primary, 2 replica(s), 3 sentinel(s) (quorum 2, down-after 1000 ms, failover-timeout 10000 ms)');
    expect(field('client').common).toBe('4 writer connection(s), rate unlimited, WAIT 1 100 ms after every write; direct to the containers\' addresses');
    expect(field('image').common).toBe('ferrite-drill/redis:7.0.15-host (built from this host)');
    expect(field('server').common).toBeNull();
    expect(field('server').perDrill.map((p) => `${p.n} ${p.value}`)).toEqual(['1 redis 7.0.15', '2 redis 7.0.15', '3 ferrite 0.3.0']);
    expect(field('configuration').perDrill.map((p) => p.value)).toEqual([
      'save "", appendonly no, repl-diskless-sync-delay 0',
      'save "", appendonly no, min-replicas-to-write 1, min-replicas-max-lag 2',
      'save "", appendonly no, repl-diskless-sync-delay 0',
    ]);
  });
});

describe('index.html', () => {
  const html = renderSuiteIndex(suite, results);

  it('has the checklist, the risks, each drill\'s section, and the sign-off lines', () => {
    const checklist = /<table id="checklist">([\s\S]*?)<\/table>/.exec(html)?.[1] ?? '';
    expect(checklist.match(/<tr data-verdict="(\w+)">/g)).toEqual(['pass', 'fail', 'error', 'skipped'].map((v) => `<tr data-verdict="${v}">`));
    expect(checklist).toContain('RTO: <b>3,120.4 ms</b>');
    expect(checklist).toContain('NOREPLICAS refusals: <b>0</b> (expected &gt;&#x3D; 1: <span class="unmet">not met</span>)');
    expect(checklist).toContain('<a href="#drill-02">§2</a> · <a href="02-primary-partition-min-replicas/report.html">report</a>');
    const risks = /<ol class="risks" id="risks">([\s\S]*?)<\/ol>/.exec(html)?.[1] ?? '';
    expect(risks.match(/<li data-verdict="(\w+)">/g)).toEqual(['fail', 'error', 'skipped'].map((v) => `<li data-verdict="${v}">`));
    for (const n of ['01', '02', '03', '04']) expect(html).toContain(`<section class="drill" id="drill-${n}">`);
    expect(html.match(/<td class="sig-line"><\/td>/g)?.length).toBe(15);
    expect(html).toContain('<thead><tr><th>name</th><th>role</th><th>date</th><th>decision</th><th>signature</th></tr></thead>');
    expect(html).toContain('drillhost: Debian GNU/Linux 12 (bookworm), Linux 6.1.0 (x64), 2 CPUs, 23.5 GiB');
    expect(html).toContain('ferrite-drill 9.9.9');
  });

  it('prints on A4 with each drill on its own page, and asks for nothing from the network', () => {
    expect(html).toContain('@page { size: A4;');
    expect(html).toMatch(/section\.drill[^{]*\{[^}]*break-before: page/);
    expect(html).not.toMatch(/<(script|link|img)\b[^>]*(src|href)="https?:/);
    expect(html).not.toMatch(/url\(\s*['"]?https?:/);
  });

  it('an old suite.json without the sign-off fields still renders', () => {
    const old = { ...suite, host: undefined, harnessVersion: undefined, drills: suite.drills.map(({ item: _item, ...d }) => d) } as unknown as SuiteResult;
    const page = renderSuiteIndex(old, [null, null, null, null]);
    expect(page).toContain('<td>primary-crash</td>');
    expect(page).toContain('(version not recorded)');
  });
});

describe('checklist item from a scenario description', () => {
  it('its first sentence, on one line; the name when there is no description', () => {
    expect(checklistItem('primary-crash', 'SIGKILL the primary under write load with WAIT 1; Sentinel detects it,\n  elects a new primary. No write may be lost.')).toBe(
      'SIGKILL the primary under write load with WAIT 1; Sentinel detects it, elects a new primary.',
    );
    expect(checklistItem('x', 'No trailing stop')).toBe('No trailing stop');
    expect(checklistItem('short-control', '')).toBe('short-control');
  });
});
