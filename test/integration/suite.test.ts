/** A suite through the real CLI: drills in order, stopOnFailure, and the suite's summary files. */
import { describe, it, expect } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dockerMissingReason, harnessLeftovers } from './docker-available.ts';
import { runCli } from './run-cli.ts';
import type { SuiteResult } from '../../src/suite/run.ts';

const SUITE = join(import.meta.dirname, '../fixtures/suite/pass-fail-stop.yaml');
const XSD = join(import.meta.dirname, '../fixtures/junit-10.xsd');

describe.skipIf(dockerMissingReason !== null)('suite of drills against real Docker', () => {
  it('runs drills in order, stops after a failure, exits 1, and writes suite.json, junit.xml and index.html', async () => {
    const out = mkdtempSync(join(tmpdir(), 'fd-suite-'));
    const run = await runCli(['suite', SUITE, '--out', out, '--quiet']);
    const result = JSON.parse(readFileSync(join(out, 'suite.json'), 'utf8')) as SuiteResult;
    expect(run.code, `${run.stdout}\n${run.stderr}\n${JSON.stringify(result.drills, null, 1)}`).toBe(1);
    expect(result.verdict).toBe('fail');
    expect(result.drills.map((d) => d.verdict)).toEqual(['pass', 'fail', 'skipped']);
    expect(result.drills[1].failedExpectations).toEqual(['failovers >= 1: 0']);
    expect(result.drills[2].reason).toBe('stopOnFailure: short-control-impossible ended fail');
    for (const d of result.drills.slice(0, 2)) expect(existsSync(join(out, d.dir!, 'report.html'))).toBe(true);
    expect(run.stdout).toMatch(/PASS\s+short-control /);
    expect(run.stdout).toMatch(/FAIL\s+short-control-impossible .*\n\s+failovers >= 1: 0/);
    expect(run.stdout).toContain('suite pass-fail-stop: FAIL (1 passed, 1 failed, 0 could not run, 1 skipped)');

    const junit = readFileSync(join(out, 'junit.xml'), 'utf8');
    // Each drill's testsuite holds its preflight checks as well as its expectations: the totals must
    // count the <testcase> elements actually written, with exactly one failure (the impossible drill).
    const testcases = junit.match(/<testcase\b/g)?.length ?? 0;
    expect(junit.match(/<failure\b/g)?.length).toBe(1);
    expect(testcases).toBeGreaterThanOrEqual(3);
    expect(junit).toMatch(new RegExp(`<testsuites name="ferrite-drill suite pass-fail-stop" tests="${testcases}" failures="1" errors="0"`));
    expect(junit).toMatch(/<testcase name="preflight: write-replicates" classname="ferrite-drill.short-control"/);
    expect(junit).toContain('<skipped message="stopOnFailure: short-control-impossible ended fail"/>');
    if (existsSync('/usr/bin/xmllint')) execFileSync('xmllint', ['--noout', '--schema', XSD, join(out, 'junit.xml')], { stdio: 'pipe' });

    const index = readFileSync(join(out, 'index.html'), 'utf8');
    expect(index).toContain(`href="${result.drills[0].dir}/report.html"`);
    expect(index).toContain(`href="${result.drills[1].dir}/report.html"`);
    expect(index).not.toMatch(/<(script|link)\b[^>]*(src|href)="https?:/);
    expect(harnessLeftovers()).toEqual({ containers: [], networks: [] });
  }, 120_000);
});
