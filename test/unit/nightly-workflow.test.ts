/**
 * The nightly CI job as shipped: the GitHub workflow and the GitLab example parse as YAML, run on a
 * schedule, run a `ferrite-drill suite` against a restored baseline with --fail-on-regression, upload
 * the reports whatever happened, and keep a new baseline only from a run that passed. The flags they use
 * are ones `ferrite-drill suite --help` offers.
 */
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { runCli } from '../integration/run-cli.ts';

const ROOT = join(import.meta.dirname, '../..');

interface Step { name?: string; id?: string; uses?: string; run?: string; if?: string; with?: Record<string, unknown> }

describe('.github/workflows/nightly-drill.yml', () => {
  const wf = parse(readFileSync(join(ROOT, '.github/workflows/nightly-drill.yml'), 'utf8'), { uniqueKeys: true }) as {
    on: { schedule: { cron: string }[] };
    jobs: Record<string, { 'runs-on': string; steps: Step[] }>;
  };
  const [job] = Object.values(wf.jobs);
  const steps = job.steps;
  const index = (pred: (s: Step) => boolean) => steps.findIndex(pred);
  const drill = index((s) => /ferrite-drill suite pre-go-live .*--baseline/.test(s.run ?? ''));

  it('is a scheduled job on ubuntu', () => {
    expect(wf.on.schedule[0].cron).toMatch(/^\S+ \S+ \S+ \S+ \S+$/);
    expect(job['runs-on']).toMatch(/^ubuntu-/);
  });

  it('installs, restores the baseline, then runs the pre-go-live suite with repeats against it', () => {
    const install = index((s) => s.run === 'npm ci');
    const restore = index((s) => s.uses?.startsWith('actions/cache/restore@') === true);
    expect(install).toBeGreaterThanOrEqual(0);
    expect(restore).toBeGreaterThan(install);
    expect(drill).toBeGreaterThan(restore);
    const restorePath = steps[restore].with!.path as string;
    const command = /npx ferrite-drill suite pre-go-live [^\n]*--baseline[^\n]*/.exec(steps[drill].run!)![0];
    expect(command).toContain(`--baseline ${restorePath}`);
    expect(command).toContain('--repeat 3');
    expect(command).toContain('--fail-on-regression');
    expect(command).toContain('--out reports/nightly');
  });

  it('uploads the reports always, and saves the new baseline only when the run passed', () => {
    const upload = steps[index((s) => s.uses?.startsWith('actions/upload-artifact@') === true)];
    expect(upload.if).toBe('always()');
    expect(upload.with!.path).toBe('reports/nightly');
    const keep = index((s) => /reports\/nightly/.test(s.run ?? '') && /baseline/.test(s.run ?? '') && !/ferrite-drill suite/.test(s.run ?? ''));
    const save = index((s) => s.uses?.startsWith('actions/cache/save@') === true);
    expect(keep).toBeGreaterThan(drill);
    expect(save).toBeGreaterThan(keep);
    expect(steps[keep].if).toBe('success()');
    expect(steps[save].if).toBe('success()');
    const restore = steps[index((s) => s.uses?.startsWith('actions/cache/restore@') === true)];
    // The save's key must be found by the next night's restore-keys prefix.
    expect(String(steps[save].with!.key).startsWith(String(restore.with!['restore-keys']))).toBe(true);
    expect(steps[save].with!.path).toBe(restore.with!.path);
  });

  it('uses only flags that `ferrite-drill suite --help` offers', async () => {
    const help = await runCli(['suite', '--help']);
    expect(help.code).toBe(0);
    for (const flag of ['--baseline', '--fail-on-regression', '--out']) expect(help.stdout).toContain(flag);
  });
});

describe('docs/gitlab-ci-nightly.yml', () => {
  const ci = parse(readFileSync(join(ROOT, 'docs/gitlab-ci-nightly.yml'), 'utf8'), { uniqueKeys: true }) as Record<string, { rules: { if: string }[]; script: string[]; artifacts: { when: string; paths: string[] } }>;
  const job = ci['nightly-drill'];

  it('runs on a schedule, downloads the last good artifacts, runs the suite against them, keeps its reports', () => {
    expect(job.rules.map((r) => r.if)).toContain('$CI_PIPELINE_SOURCE == "schedule"');
    const script = job.script.join('\n');
    expect(script).toMatch(/jobs\/artifacts\/\$CI_COMMIT_REF_NAME\/download\?job=\$CI_JOB_NAME/);
    expect(script).toMatch(/npx ferrite-drill suite pre-go-live --repeat 3 --baseline baseline\/reports\/nightly --fail-on-regression --out reports\/nightly/);
    expect(job.artifacts).toMatchObject({ when: 'always', paths: ['reports/nightly/'] });
  });
});
