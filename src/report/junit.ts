/**
 * JUnit XML for CI systems (the Ant/Jenkins schema that GitLab, GitHub Actions reporters and Jenkins
 * read): one testsuite per drill (several in a suite's file), one testcase per expectation; a failed expectation is a <failure>
 * carrying actual vs limit, a drill that could not run is an <error>.
 */
import type { DrillResult } from '../record/result.ts';

const xml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!).replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '');

/** One <testsuite> element for a drill, with its counts (for the enclosing <testsuites>). */
export function junitTestsuite(result: DrillResult): { xml: string; tests: number; failures: number; errors: number; seconds: number } {
  const seconds = (result.durationMs / 1000).toFixed(3);
  const suite = `ferrite-drill.${result.scenario}`;
  const cases: string[] = [];
  let failures = 0;
  let errors = 0;
  if (result.verdict === 'error') {
    errors++;
    cases.push(
      `    <testcase name="drill runs to completion" classname="${xml(suite)}" time="${seconds}">\n` +
        `      <error message="${xml(result.error ?? 'drill did not complete')}" type="DrillError">${xml(result.error ?? '')}</error>\n    </testcase>`,
    );
  }
  // The preflight's checks this drill relies on: a server that lacks one fails that case, by name.
  for (const c of result.preflight?.checks ?? []) {
    if (!c.required) continue;
    const name = `preflight: ${c.id}`;
    if (c.status === 'pass') {
      cases.push(`    <testcase name="${xml(name)}" classname="${xml(suite)}" time="${(c.ms / 1000).toFixed(3)}"/>`);
      continue;
    }
    failures++;
    const message = `${c.title}: ${c.status}`;
    cases.push(
      `    <testcase name="${xml(name)}" classname="${xml(suite)}" time="${(c.ms / 1000).toFixed(3)}">\n` +
        `      <failure message="${xml(message)}" type="PreflightCheckFailed">${xml([message, ...c.evidence].join('\n'))}</failure>\n    </testcase>`,
    );
  }
  for (const e of result.expectations) {
    const name = `${e.metric} ${e.limit}`;
    if (e.pass) {
      cases.push(`    <testcase name="${xml(name)}" classname="${xml(suite)}" time="0"/>`);
      continue;
    }
    failures++;
    const actual = e.actual === null ? (e.note ?? 'never happened') : String(e.actual);
    const message = `${e.metric}: expected ${e.limit}, actual ${actual}`;
    cases.push(
      `    <testcase name="${xml(name)}" classname="${xml(suite)}" time="0">\n` +
        `      <failure message="${xml(message)}" type="ExpectationFailed">${xml(`${message}\nrun ${result.runId}, report ${result.outDir}/report.html`)}</failure>\n    </testcase>`,
    );
  }
  const props = [
    ['runId', result.runId],
    ['image', result.image],
    ['serverName', result.server?.name ?? ''],
    ['serverVersion', result.serverVersion ?? ''],
    ['verdict', result.verdict],
  ]
    .map(([k, v]) => `      <property name="${k}" value="${xml(v)}"/>`)
    .join('\n');
  const element = [
    `  <testsuite name="${xml(suite)}" tests="${cases.length}" failures="${failures}" errors="${errors}" skipped="0" time="${seconds}" timestamp="${result.startedAt.replace(/\.\d+Z$/, '')}" hostname="localhost">`,
    `    <properties>\n${props}\n    </properties>`,
    ...cases,
    '  </testsuite>',
  ].join('\n');
  return { xml: element, tests: cases.length, failures, errors, seconds: result.durationMs / 1000 };
}

/** A <testsuite> for a drill a suite did not run (interrupted, or stopped after a failure). */
export function junitSkippedSuite(scenario: string, reason: string): string {
  const suite = `ferrite-drill.${scenario}`;
  return [
    `  <testsuite name="${xml(suite)}" tests="1" failures="0" errors="0" skipped="1" time="0">`,
    `    <testcase name="drill runs to completion" classname="${xml(suite)}" time="0">\n      <skipped message="${xml(reason)}"/>\n    </testcase>`,
    '  </testsuite>',
  ].join('\n');
}

/** The junit.xml document: one testsuite per drill (one for a single run, several for a suite). */
export function renderJunit(results: DrillResult | DrillResult[], name = 'ferrite-drill', skipped: { scenario: string; reason: string }[] = []): string {
  const suites = (Array.isArray(results) ? results : [results]).map(junitTestsuite);
  const sum = (k: 'tests' | 'failures' | 'errors') => suites.reduce((acc, s) => acc + s[k], 0);
  const seconds = suites.reduce((acc, s) => acc + s.seconds, 0).toFixed(3);
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="${xml(name)}" tests="${sum('tests') + skipped.length}" failures="${sum('failures')}" errors="${sum('errors')}" time="${seconds}">`,
    ...suites.map((s) => s.xml),
    ...skipped.map((s) => junitSkippedSuite(s.scenario, s.reason)),
    '</testsuites>',
    '',
  ].join('\n');
}
