/**
 * The sign-off report of a real suite through the real CLI: index.html holds the checklist with the
 * drills' numbers and the open risks; report.pdf is A4, its pages render (pdftoppm), its first page
 * shows the checklist, and each drill starts a page; `report <suite folder>` writes both again, and
 * says so (suite.json `pdf: null` with the reason) where no Chromium can be found.
 */
import { describe, it, expect } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dockerMissingReason, harnessLeftovers } from './docker-available.ts';
import { CLI, runCli, type CliRun } from './run-cli.ts';
import type { SuiteResult } from '../../src/suite/run.ts';
import type { DrillResult } from '../../src/record/result.ts';

const SUITE = join(import.meta.dirname, '../fixtures/suite/pass-fail-stop.yaml');

const missingTools = ['/usr/bin/chromium', '/usr/bin/pdftoppm', '/usr/bin/pdftotext', '/usr/bin/pdfinfo'].filter((f) => !existsSync(f));
const toolsMissing = missingTools.length ? `${missingTools.join(', ')} not installed (apt-get install chromium poppler-utils, or npm run setup)` : null;
if (toolsMissing && process.env.FERRITE_DRILL_REQUIRE_DOCKER === '1') throw new Error(`CI requires the sign-off PDF check, but ${toolsMissing}`);
if (toolsMissing) console.warn(`SKIPPING sign-off report tests: ${toolsMissing}`);

/** One page's text, whitespace folded (table cells wrap). */
function pageText(pdf: string, page: number): string {
  return execFileSync('pdftotext', ['-f', String(page), '-l', String(page), pdf, '-'], { encoding: 'utf8' }).replace(/\s+/g, ' ').trim();
}

function runCliWith(args: string[], env: NodeJS.ProcessEnv): CliRun {
  const r = spawnSync('node', [CLI, ...args], { env: { ...process.env, ...env }, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

describe.skipIf(dockerMissingReason !== null || toolsMissing !== null)('the sign-off report of a real suite', () => {
  it('index.html has the checklist and risks; report.pdf renders, page 1 is the checklist, each drill starts a page; report re-renders both', async () => {
    const out = mkdtempSync(join(tmpdir(), 'fd-signoff-'));
    const run = await runCli(['suite', SUITE, '--out', out, '--quiet']);
    const suite = JSON.parse(readFileSync(join(out, 'suite.json'), 'utf8')) as SuiteResult;
    expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(1);
    expect(suite.drills.map((d) => d.verdict)).toEqual(['pass', 'fail', 'skipped']);
    expect({ pdf: suite.pdf, pdfReason: suite.pdfReason }).toEqual({ pdf: 'report.pdf', pdfReason: null });
    expect(run.stdout).toContain(`pdf            ${join(out, 'report.pdf')}`);
    expect(suite.host?.docker).toMatch(/^\d+\.\d+/);
    expect(suite.harnessVersion).toBe((JSON.parse(readFileSync(join(import.meta.dirname, '../../package.json'), 'utf8')) as { version: string }).version);

    // index.html: the checklist, one row per drill, with the numbers the drill measured.
    const html = readFileSync(join(out, 'index.html'), 'utf8');
    const checklist = /<table id="checklist">([\s\S]*?)<\/table>/.exec(html)?.[1] ?? '';
    expect(checklist.match(/<tr data-verdict="(\w+)">/g)).toEqual(['pass', 'fail', 'skipped'].map((v) => `<tr data-verdict="${v}">`));
    const impossible = JSON.parse(readFileSync(join(out, suite.drills[1].dir!, 'result.json'), 'utf8')) as DrillResult;
    const failovers = impossible.metrics!.failovers;
    expect(checklist).toContain(`failovers: <b>${failovers}</b> (expected &gt;&#x3D; 1: <span class="unmet">not met</span>)`);
    expect(checklist).toContain(`<a href="#drill-02">§2</a> · <a href="${suite.drills[1].dir}/report.html">report</a>`);
    // The open risks: the failed item and the skipped one, in words.
    const risks = /<ol class="risks" id="risks">([\s\S]*?)<\/ol>/.exec(html)?.[1] ?? '';
    expect(risks.match(/<li data-verdict="(\w+)">/g)).toEqual(['<li data-verdict="fail">', '<li data-verdict="skipped">']);
    expect(risks).toContain(`Did not hold: failovers should be &gt;&#x3D; 1, but ${failovers} was measured.`);
    expect(risks).toContain('Not checked: the drill did not run (stopOnFailure: short-control-impossible ended fail).');
    // The deployment as the drills recorded it: the server's own version, the image, the config written.
    expect(html).toContain(`<tr><th>server</th><td>${impossible.server!.name} ${impossible.server!.version}</td></tr>`);
    expect(html).toContain('save &quot;&quot;, appendonly no, repl-diskless-sync-delay 0');
    expect(html).not.toMatch(/<(script|link|img)\b[^>]*(src|href)="https?:/);

    // report.pdf: A4, every page renders as a PNG, the first page is the checklist.
    const pdf = join(out, 'report.pdf');
    const info = execFileSync('pdfinfo', [pdf], { encoding: 'utf8' });
    expect(info).toMatch(/Page size:\s+59[45](\.\d+)? x 84[12](\.\d+)? pts \(A4\)/);
    const pages = Number(/Pages:\s+(\d+)/.exec(info)?.[1]);
    const pngDir = mkdtempSync(join(tmpdir(), 'fd-signoff-png-'));
    execFileSync('pdftoppm', ['-png', '-r', '50', pdf, join(pngDir, 'page')]);
    const pngs = readdirSync(pngDir).filter((f) => f.endsWith('.png')).sort();
    expect(pngs.length).toBe(pages);
    for (const png of pngs) {
      const bytes = readFileSync(join(pngDir, png));
      expect(bytes.subarray(1, 4).toString('latin1'), png).toBe('PNG');
      expect(statSync(join(pngDir, png)).size, png).toBeGreaterThan(2000);
    }
    const first = pageText(pdf, 1);
    expect(first).toContain('Checklist');
    expect(first).toContain(`failovers: ${failovers} (expected >= 1: not met)`);
    expect(first).toContain('SKIPPED');
    // A page break before every drill: each drill's section opens a page of its own.
    const openings = Array.from({ length: pages }, (_, i) => pageText(pdf, i + 1));
    for (const [i, d] of suite.drills.entries()) expect(openings.some((t) => t.startsWith(`§${i + 1} ${d.scenario}`)), `§${i + 1}`).toBe(true);

    // report <suite folder>: without a Chromium it says so, records why, and leaves no stale PDF ...
    rmSync(join(out, 'index.html'));
    const bare = runCliWith(['report', out], { FERRITE_DRILL_CHROMIUM: 'none' });
    expect(bare.code, bare.stderr).toBe(0);
    expect(bare.stderr).toContain('ferrite-drill: no report.pdf for suite pass-fail-stop: no Chromium found');
    const without = JSON.parse(readFileSync(join(out, 'suite.json'), 'utf8')) as SuiteResult;
    expect(without.pdf).toBeNull();
    expect(without.pdfReason).toMatch(/^no Chromium found/);
    expect(existsSync(join(out, 'report.pdf'))).toBe(false);
    expect(readFileSync(join(out, 'index.html'), 'utf8')).toContain('<table id="checklist">');
    // ... and with one it prints it again.
    const again = runCliWith(['report', out], {});
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain(`wrote ${pdf}`);
    expect(pageText(pdf, 1)).toContain(`failovers: ${failovers} (expected >= 1: not met)`);
    expect((JSON.parse(readFileSync(join(out, 'suite.json'), 'utf8')) as SuiteResult).pdf).toBe('report.pdf');
    expect(harnessLeftovers()).toEqual({ containers: [], networks: [] });
  }, 180_000);
});
