/**
 * Prints an HTML file to PDF with headless Chromium's own print (`--print-to-pdf`): the page's CSS sets
 * A4 and the page breaks. Chromium is spawned as a program, so no browser library is needed at run time.
 * It runs with a throwaway profile and everything that would reach out to the network switched off (the
 * page itself is self-contained), in its own process group so a timeout ends all of its processes.
 */
import { spawn } from 'node:child_process';
import { accessSync, constants, existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** Names Chromium goes by on Linux distributions and in Google's packages. */
const CANDIDATES = ['chromium', 'chromium-browser', 'google-chrome-stable', 'google-chrome'];
/** On a loaded 2-core machine a first start of Chromium took a few seconds; a hung one must not hold the suite. */
const PRINT_TIMEOUT_MS = 90_000;

/** The Chromium to print with: FERRITE_DRILL_CHROMIUM when set (a path, or "none" to have none), else the first on PATH. */
export function findChromium(env: NodeJS.ProcessEnv = process.env): string | null {
  const chosen = env.FERRITE_DRILL_CHROMIUM;
  if (chosen) return chosen === 'none' || !isExecutable(chosen) ? null : chosen;
  for (const dir of (env.PATH ?? '').split(delimiter).filter(Boolean)) {
    for (const name of CANDIDATES) {
      const file = join(dir, name);
      if (isExecutable(file)) return file;
    }
  }
  return null;
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

export type PdfOutcome = { ok: true; ms: number; bytes: number } | { ok: false; reason: string };

export const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--no-pdf-header-footer',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-extensions',
  '--disable-default-apps',
  '--disable-quic',
  '--metrics-recording-only',
];

/** Prints `htmlFile` to `pdfFile`; never throws: a missing or failing Chromium is an outcome with its reason. */
export async function printPdf(htmlFile: string, pdfFile: string, chromium: string | null = findChromium()): Promise<PdfOutcome> {
  rmSync(pdfFile, { force: true });
  if (!chromium) return { ok: false, reason: 'no Chromium found (looked for chromium, chromium-browser, google-chrome on PATH; set FERRITE_DRILL_CHROMIUM to its path): apt-get install chromium, or npm run setup' };
  const profile = mkdtempSync(join(tmpdir(), 'ferrite-drill-chromium-'));
  const started = performance.now();
  try {
    const args = [...CHROMIUM_FLAGS, `--user-data-dir=${profile}`, `--print-to-pdf=${pdfFile}`, pathToFileURL(htmlFile).href];
    const { code, signal, stderr, timedOut } = await runGroup(chromium, args, PRINT_TIMEOUT_MS);
    const ms = Math.round(performance.now() - started);
    if (timedOut) return { ok: false, reason: `${chromium} did not finish printing within ${PRINT_TIMEOUT_MS / 1000} s` };
    if (code !== 0 || !existsSync(pdfFile) || statSync(pdfFile).size === 0) {
      const last = stderr.split('\n').filter((l) => l.trim() && !/dbus|unexpected operator/i.test(l)).slice(-2).join(' / ');
      return { ok: false, reason: `${chromium} exited ${code ?? signal} without writing the PDF${last ? `: ${last}` : ''}` };
    }
    return { ok: true, ms, bytes: statSync(pdfFile).size };
  } finally {
    rmSync(profile, { recursive: true, force: true });
  }
}

/** Runs a program in its own process group; on timeout the whole group (Chromium's helpers too) is killed. */
function runGroup(cmd: string, args: string[], timeoutMs: number): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string; timedOut: boolean }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { detached: true, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    let timedOut = false;
    child.stderr.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-8192);
    });
    const kill = (sig: NodeJS.Signals) => {
      try {
        if (child.pid) process.kill(-child.pid, sig);
      } catch {
        // The group is already gone.
      }
    };
    const timer = setTimeout(() => {
      timedOut = true;
      kill('SIGKILL');
    }, timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      resolve({ code: null, signal: null, stderr: err.message, timedOut: false });
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      // Helpers Chromium left behind (it normally takes them down itself) go with their group.
      kill('SIGKILL');
      resolve({ code, signal, stderr, timedOut });
    });
  });
}
