/**
 * JUnit XML for CI systems (the Ant/Jenkins schema that GitLab, GitHub Actions reporters and Jenkins
 * read): one testsuite per drill, one testcase per expectation; a failed expectation is a <failure>
 * carrying actual vs limit, a drill that could not run is an <error>.
 */
import type { DrillResult } from '../engine/result.ts';

const xml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!).replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '');

export function renderJunit(result: DrillResult): string {
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
    ['serverVersion', result.serverVersion ?? ''],
    ['verdict', result.verdict],
  ]
    .map(([k, v]) => `      <property name="${k}" value="${xml(v)}"/>`)
    .join('\n');
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="ferrite-drill" tests="${cases.length}" failures="${failures}" errors="${errors}" time="${seconds}">`,
    `  <testsuite name="${xml(suite)}" tests="${cases.length}" failures="${failures}" errors="${errors}" skipped="0" time="${seconds}" timestamp="${result.startedAt.replace(/\.\d+Z$/, '')}" hostname="localhost">`,
    `    <properties>\n${props}\n    </properties>`,
    ...cases,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}
