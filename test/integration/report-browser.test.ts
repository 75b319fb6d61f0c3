/**
 * The HTML reports of real drills, opened in headless Chromium (Debian's package): no console error, no
 * network request of any kind, verdict table and every chart present, the event filter works. A
 * screenshot is saved with each run.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { dockerMissingReason } from './docker-available.ts';
import { readResult, runCli, whyNotPassed } from './run-cli.ts';

const CHROMIUM = '/usr/bin/chromium';
const chromiumMissing = existsSync(CHROMIUM) ? null : `${CHROMIUM} is not installed (apt-get install chromium, or npm run setup)`;
if (chromiumMissing && process.env.FERRITE_DRILL_REQUIRE_DOCKER === '1') throw new Error(`CI requires the browser check, but ${chromiumMissing}`);
if (chromiumMissing) console.warn(`SKIPPING report browser tests: ${chromiumMissing}`);

const DRILLS = ['primary-crash', 'primary-partition'];

describe.skipIf(dockerMissingReason !== null || chromiumMissing !== null)('HTML reports of real drills in headless Chromium', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  });
  afterAll(async () => {
    await browser?.close();
  });

  it.each(DRILLS)('%s: the report opens offline, with verdict, charts and events', async (name) => {
    const out = mkdtempSync(join(tmpdir(), `fd-report-${name}-`));
    const run = await runCli(['run', name, '--out', out, '--quiet']);
    const result = readResult(out);
    expect(result?.verdict, whyNotPassed(result, run)).toBe('pass');

    const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    const consoleErrors: string[] = [];
    const requests: string[] = [];
    page.on('console', (msg) => {
      if (msg.type() === 'error') consoleErrors.push(msg.text());
    });
    page.on('pageerror', (err) => consoleErrors.push(err.message));
    page.on('request', (req) => {
      if (!req.url().startsWith('file://')) requests.push(req.url());
    });
    const url = pathToFileURL(join(out, 'report.html')).href;
    const started = performance.now();
    await page.goto(url, { waitUntil: 'load' });
    console.log(`${name}: report.html loaded in ${(performance.now() - started).toFixed(0)} ms`);

    expect(await page.textContent('#verdict')).toMatch(/pass/i);
    expect(await page.locator('#verdict-table tr').count()).toBe(result!.expectations.length + 1);
    for (const chart of ['#chart-timeline', '#chart-load', '#chart-latency-time', '#chart-percentiles']) {
      expect(await page.locator(`${chart} path, ${chart} rect`).count(), chart).toBeGreaterThan(2);
    }
    expect(await page.locator('#chart-load .fault-band').count()).toBeGreaterThanOrEqual(1);
    expect(await page.locator('#latency-table tr').count()).toBe(4);

    const rows = page.locator('#events-table tr[data-node]');
    const total = await rows.count();
    expect(total).toBeGreaterThan(5);
    await page.selectOption('#event-filter', 'sentinel-1');
    const visible = await page.locator('#events-table tr[data-node]:not([hidden])').count();
    expect(visible).toBeGreaterThan(0);
    expect(visible).toBeLessThan(total);

    await page.screenshot({ path: join(out, 'screenshot.png'), fullPage: true });
    console.log(`${name}: screenshot ${join(out, 'screenshot.png')}`);
    expect(consoleErrors).toEqual([]);
    expect(requests).toEqual([]);
    await page.close();
  }, 180_000);
});
