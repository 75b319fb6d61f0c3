/**
 * Reads a baseline from disk, before anything starts: a run's result.json, a suite's suite.json (each
 * drill's own folder read in turn), a repeat summary (summary.json), or a folder holding one of them.
 * Anything missing, unreadable or of another shape is bad input (exit 2) with the path in the message.
 */
import { existsSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { DrillResult } from '../record/result.ts';
import type { SuiteResult } from '../suite/run.ts';
import { InputError } from '../util/errors.ts';
import { sampleOfResult, sampleOfSummary, type MetricSample, type RepeatSummary } from './sample.ts';

export interface Baseline {
  /** What was given on the command line, resolved. */
  source: string;
  kind: MetricSample['kind'];
  /** One per drill, in the order they ran (a suite may run a scenario twice). */
  samples: MetricSample[];
  /** Drills of a baseline suite that left nothing to compare with (skipped, or ended in error). */
  unusable: string[];
}

/** Files looked for in a folder, in this order: a suite folder also holds drills' files below it. */
const FOLDER_FILES = ['suite.json', 'summary.json', 'result.json'] as const;

export async function loadBaseline(given: string): Promise<Baseline> {
  const path = resolve(given);
  if (!existsSync(path)) throw new InputError(`--baseline ${given}: no such file or folder`);
  const file = statSync(path).isDirectory() ? fileInFolder(path, given) : path;
  const data = await readJson(file, given);
  const kind = shapeOf(data);
  if (kind === 'result') return { source: file, kind, samples: [resultSample(data as DrillResult, file, given)], unusable: [] };
  if (kind === 'summary') return { source: file, kind, samples: [summarySample(data as RepeatSummary, file, given)], unusable: [] };
  if (kind === 'suite') return suiteBaseline(data as SuiteResult, file);
  throw new InputError(`--baseline ${given}: ${file} is not a ferrite-drill result.json, suite.json or summary.json`);
}

function fileInFolder(dir: string, given: string): string {
  for (const name of FOLDER_FILES) if (existsSync(join(dir, name))) return join(dir, name);
  throw new InputError(`--baseline ${given}: no ${FOLDER_FILES.join(', ')} in this folder; give a run, repeat or suite folder, or one of those files`);
}

async function readJson(file: string, given: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new InputError(`--baseline ${given}: cannot read ${file}: ${(err as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new InputError(`--baseline ${given}: ${file} is not valid JSON (${(err as Error).message})`);
  }
}

type Shape = MetricSample['kind'] | null;

function shapeOf(data: unknown): Shape {
  if (data === null || typeof data !== 'object' || Array.isArray(data)) return null;
  const o = data as Record<string, unknown>;
  if (o.kind === 'repeat-summary' && typeof o.scenario === 'string' && typeof o.runs === 'number' && isObject(o.metrics)) return 'summary';
  if (typeof o.suite === 'string' && Array.isArray(o.drills)) return 'suite';
  if (typeof o.scenario === 'string' && typeof o.verdict === 'string' && 'metrics' in o) return 'result';
  return null;
}

const isObject = (v: unknown) => v !== null && typeof v === 'object' && !Array.isArray(v);

function resultSample(r: DrillResult, file: string, given: string): MetricSample {
  // A run that ended before measuring is no yardstick: every metric would read as "could not be measured".
  if (!r.metrics) throw new InputError(`--baseline ${given}: ${file} is a run of "${r.scenario}" that ended in ${r.verdict} without metrics (${r.error ?? 'no reason recorded'}); give a run that completed`);
  return sampleOfResult(r, file);
}

function summarySample(s: RepeatSummary, file: string, given: string): MetricSample {
  for (const [name, st] of Object.entries(s.metrics)) {
    if (!isObject(st) || typeof st.runs !== 'number' || !('p50' in st) || !('p95' in st)) {
      throw new InputError(`--baseline ${given}: ${file}: metrics.${name} is not { runs, min, p50, p95, max }`);
    }
  }
  return sampleOfSummary(s, file);
}

/** A suite's drills, each from its own folder next to suite.json (wherever the folder was moved or restored to). */
async function suiteBaseline(suite: SuiteResult, file: string): Promise<Baseline> {
  const samples: MetricSample[] = [];
  const unusable: string[] = [];
  for (const d of suite.drills) {
    const dir = d.dir === null || d.dir === undefined ? null : join(dirname(file), d.dir);
    const found = dir ? FOLDER_FILES.slice(1).map((f) => join(dir, f)).find((f) => existsSync(f)) : undefined;
    if (!found) {
      unusable.push(`${d.scenario} (${d.verdict === 'skipped' ? `skipped: ${d.reason ?? 'not run'}` : `no result in ${dir}`})`);
      continue;
    }
    const data = await readJson(found, found);
    const kind = shapeOf(data);
    if (kind === 'summary') samples.push({ ...sampleOfSummary(data as RepeatSummary, found), kind: 'suite' });
    else if (kind === 'result' && (data as DrillResult).metrics) samples.push(sampleOfResult(data as DrillResult, found, 'suite'));
    else unusable.push(`${d.scenario} (${kind === 'result' ? `ended ${(data as DrillResult).verdict} without metrics` : `${found} is not a result or summary`})`);
  }
  return { source: file, kind: 'suite', samples, unusable };
}

/** The baseline's sample of the `occurrence`-th run (from 0) of a scenario, or null when it has none. */
export function baselineFor(b: Baseline, scenario: string, occurrence = 0): MetricSample | null {
  return b.samples.filter((s) => s.scenario === scenario)[occurrence] ?? b.samples.filter((s) => s.scenario === scenario).at(-1) ?? null;
}

/**
 * A baseline that holds none of the drills about to run is a mistake on the command line (the wrong
 * file), found before anything starts.
 */
export function requireBaselineFor(b: Baseline, scenarios: string[], given: string): void {
  if (scenarios.some((s) => baselineFor(b, s))) return;
  const has = [...new Set(b.samples.map((s) => s.scenario))];
  throw new InputError(
    `--baseline ${given}: ${b.source} holds no run of ${scenarios.length === 1 ? `"${scenarios[0]}"` : `any of ${scenarios.map((s) => `"${s}"`).join(', ')}`}` +
      ` (it has ${has.length ? has.map((s) => `"${s}"`).join(', ') : 'no completed drill'}${b.unusable.length ? `; unusable: ${b.unusable.join(', ')}` : ''})`,
  );
}

/**
 * The --baseline / --fail-on-regression pair from a command line: the baseline read and checked to hold
 * at least one of the drills, or null without --baseline. Bad input when unusable: nothing has started.
 */
export async function baselineFromOptions(opts: { baseline?: string; failOnRegression?: boolean }, scenarios: string[]): Promise<Baseline | null> {
  if (opts.failOnRegression && !opts.baseline) throw new InputError('--fail-on-regression needs --baseline <result.json | suite.json | summary.json | run folder>');
  if (!opts.baseline) return null;
  const b = await loadBaseline(opts.baseline);
  requireBaselineFor(b, scenarios, opts.baseline);
  return b;
}
