/** Finding Chromium and what happens when it is missing or fails: never an exception, always a reason (no browser needed). */
import { describe, it, expect } from 'vitest';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findChromium, printPdf } from '../../src/report/pdf.ts';
import { writeSuitePdf } from '../../src/report/suiteOutputs.ts';
import type { SuiteResult } from '../../src/suite/run.ts';

function script(dir: string, name: string, body: string): string {
  const file = join(dir, name);
  writeFileSync(file, `#!/bin/sh\n${body}\n`);
  chmodSync(file, 0o755);
  return file;
}

describe('findChromium', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fd-chromium-'));
  const bin = join(dir, 'bin');
  mkdirSync(bin);
  const chromium = script(bin, 'chromium-browser', 'exit 0');

  it('the first Chromium on PATH, an explicit FERRITE_DRILL_CHROMIUM, or none', () => {
    expect(findChromium({ PATH: `${join(dir, 'nothing-here')}:${bin}` })).toBe(chromium);
    expect(findChromium({ PATH: join(dir, 'nothing-here') })).toBeNull();
    expect(findChromium({ PATH: bin, FERRITE_DRILL_CHROMIUM: 'none' })).toBeNull();
    expect(findChromium({ PATH: '', FERRITE_DRILL_CHROMIUM: chromium })).toBe(chromium);
    expect(findChromium({ PATH: bin, FERRITE_DRILL_CHROMIUM: join(dir, 'no-such-browser') })).toBeNull();
  });
});

describe('printPdf', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fd-print-'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><p>x</p>');

  it('no Chromium: a reason that says how to get one', async () => {
    const out = await printPdf(join(dir, 'index.html'), join(dir, 'a.pdf'), null);
    expect(out).toEqual({ ok: false, reason: expect.stringMatching(/^no Chromium found .*apt-get install chromium/) });
  });

  it('a Chromium that fails: its exit code and last words, and no PDF', async () => {
    const broken = script(dir, 'broken-chromium', 'echo "cannot open display" >&2; exit 7');
    const out = await printPdf(join(dir, 'index.html'), join(dir, 'b.pdf'), broken);
    expect(out).toEqual({ ok: false, reason: `${broken} exited 7 without writing the PDF: cannot open display` });
    expect(existsSync(join(dir, 'b.pdf'))).toBe(false);
  });

  it('a Chromium that says it succeeded but wrote nothing is not a success', async () => {
    const liar = script(dir, 'liar-chromium', 'exit 0');
    const out = await printPdf(join(dir, 'index.html'), join(dir, 'c.pdf'), liar);
    expect(out.ok).toBe(false);
  });
});

describe('writeSuitePdf', () => {
  it('without Chromium the suite records pdf: null with the reason, warns, and removes a stale report.pdf', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fd-suitepdf-'));
    writeFileSync(join(dir, 'index.html'), '<!doctype html><p>x</p>');
    writeFileSync(join(dir, 'report.pdf'), 'stale');
    const result = { suite: 's', outDir: dir, drills: [], pdf: 'report.pdf', pdfReason: null } as unknown as SuiteResult;
    const warnings: string[] = [];
    const saved = process.env.FERRITE_DRILL_CHROMIUM;
    process.env.FERRITE_DRILL_CHROMIUM = 'none';
    try {
      await writeSuitePdf(result, { skip: null, warn: (m) => warnings.push(m) });
    } finally {
      if (saved === undefined) delete process.env.FERRITE_DRILL_CHROMIUM;
      else process.env.FERRITE_DRILL_CHROMIUM = saved;
    }
    const json = JSON.parse(readFileSync(join(dir, 'suite.json'), 'utf8')) as SuiteResult;
    expect(json.pdf).toBeNull();
    expect(json.pdfReason).toMatch(/^no Chromium found/);
    expect(warnings).toEqual([expect.stringMatching(/^no report\.pdf for suite s: no Chromium found/)]);
    expect(existsSync(join(dir, 'report.pdf'))).toBe(false);
  });
});
