/**
 * Loads a scenario by built-in name or path: YAML -> zod. Every error names the file, line, column and
 * field, so a broken file is fixed in one look, and nothing is started before the whole file is valid.
 */
import { readFile, readdir, stat } from 'node:fs/promises';

import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LineCounter, parseDocument, isMap, isPair, isScalar, type Document, type Node } from 'yaml';
import type { z } from 'zod';
import { scenarioSchema, type Scenario } from './schema.ts';
import { EXPECTATION_NAMES } from '../record/metrics.ts';
import { COMPARABLE_NAMES } from '../regression/catalogue.ts';
import { InputError } from '../util/errors.ts';

export const BUILTIN_SCENARIO_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../scenarios');

/** Raised for any problem with a scenario file; the message is ready to show. */
export class ScenarioError extends InputError {
  constructor(message: string) {
    super(message);
    this.name = 'ScenarioError';
  }
}

export interface LoadedScenario {
  scenario: Scenario;
  file: string;
}

export async function listBuiltinScenarios(): Promise<{ name: string; description: string; file: string }[]> {
  const files = (await readdir(BUILTIN_SCENARIO_DIR)).filter((f) => /\.ya?ml$/.test(f)).sort();
  const out = [];
  for (const f of files) {
    const file = join(BUILTIN_SCENARIO_DIR, f);
    const { scenario } = await loadScenarioFile(file);
    out.push({ name: scenario.name, description: scenario.description, file });
  }
  return out;
}

/** A built-in name (`primary-crash`) or a path to a YAML file. */
export async function resolveScenarioPath(nameOrPath: string): Promise<string> {
  const looksLikePath = /[\\/]/.test(nameOrPath) || /\.ya?ml$/.test(nameOrPath);
  if (looksLikePath) {
    if (!existsSync(nameOrPath)) throw new ScenarioError(`${nameOrPath}: no such scenario file`);
    return nameOrPath;
  }
  for (const ext of ['.yaml', '.yml']) {
    const file = join(BUILTIN_SCENARIO_DIR, nameOrPath + ext);
    if (existsSync(file)) return file;
  }
  const known = (await readdir(BUILTIN_SCENARIO_DIR)).filter((f) => /\.ya?ml$/.test(f)).map((f) => basename(f).replace(/\.ya?ml$/, ''));
  throw new ScenarioError(`unknown scenario "${nameOrPath}"; built-in scenarios: ${known.sort().join(', ')} (or give a path to a .yaml file)`);
}

export async function loadScenario(nameOrPath: string): Promise<LoadedScenario> {
  return loadScenarioFile(await resolveScenarioPath(nameOrPath));
}

/** Real scenarios are a few KB; a bigger file is a mistake (a log, a binary) and is refused before parsing. */
export const MAX_SCENARIO_BYTES = 1024 * 1024;

export async function loadScenarioFile(file: string): Promise<LoadedScenario> {
  return { scenario: parseScenarioText(await readBoundedFile(file, 'a scenario'), file), file };
}

/** Files a scenario names, by their place in it; paths are relative to the scenario's folder. */
export function referencedFiles(scenario: Scenario): { path: (string | number)[]; value: string }[] {
  const out: { path: (string | number)[]; value: string }[] = [];
  if (scenario.client.haproxy?.config) out.push({ path: ['client', 'haproxy', 'config'], value: scenario.client.haproxy.config });
  for (const kind of ['server', 'sentinel'] as const) {
    const value = scenario.topology.configFiles?.[kind];
    if (value) out.push({ path: ['topology', 'configFiles', kind], value });
  }
  return out;
}

/** "file:line:col" of the value at `path` in a scenario file (for messages about what it names). */
export function locateInScenario(file: string, path: (string | number)[]): string {
  try {
    const lineCounter = new LineCounter();
    const doc = parseDocument(readFileSync(file, 'utf8'), { lineCounter });
    const pos = lineCounter.linePos(nearestNode(doc, path)?.range?.[0] ?? 0);
    return `${file}:${pos.line}:${pos.col}`;
  } catch {
    return file;
  }
}

/** The absolute path of a file a scenario names. */
export function scenarioRelative(scenarioFile: string, path: string): string {
  return resolve(dirname(scenarioFile), path);
}

/** A file the scenario names that cannot be read is bad input, found before anything starts. */
function checkReferencedFiles(scenario: Scenario, file: string, locate: (path: (string | number)[]) => string): void {
  for (const ref of referencedFiles(scenario)) {
    const full = scenarioRelative(file, ref.value);
    if (!existsSync(full)) throw new ScenarioError(`${locate(ref.path)}: ${ref.path.join('.')}: no such file: ${full}`);
  }
}

/** Reads a small input file, refusing a big one before reading it. */
export async function readBoundedFile(file: string, what: string): Promise<Buffer> {
  try {
    const size = (await stat(file)).size;
    if (size > MAX_SCENARIO_BYTES) {
      throw new ScenarioError(`${file}: the file is too large (${(size / 1024 / 1024).toFixed(1)} MiB); ${what} file is at most 1 MiB`);
    }
    return await readFile(file);
  } catch (err) {
    if (err instanceof ScenarioError) throw err;
    throw new ScenarioError(`${file}: cannot read: ${(err as Error).message}`);
  }
}

/** Parses and validates scenario text; `file` is only used in messages. Throws ScenarioError only. */
export function parseScenarioText(bytes: Buffer | string, file: string): Scenario {
  const { data, locate } = parseValidatedYaml(bytes, file, SCENARIO_FILE);
  checkReferencedFiles(data, file, locate);
  // Config files are read where the nodes' configs are composed, long after the scenario's folder is known.
  const files = data.topology.configFiles;
  if (files) for (const kind of ['server', 'sentinel'] as const) if (files[kind]) files[kind] = scenarioRelative(file, files[kind]);
  return data;
}

/** What kind of YAML file is being read: its schema and how to talk about it in messages. */
export interface YamlFileKind<T> {
  schema: z.ZodType<T>;
  /** "a scenario", "a suite": used in messages. */
  what: string;
  /** What the smallest valid file holds, for the empty-file message. */
  minimal: string;
  /** Accepted keys for did-you-mean where the schema cannot say (e.g. metric names under expect). */
  keysAt?: (path: (string | number)[]) => string[] | undefined;
}

const SCENARIO_FILE: YamlFileKind<Scenario> = {
  schema: scenarioSchema as unknown as z.ZodType<Scenario>,
  what: 'a scenario',
  minimal: 'name: ..., duration: ...',
  keysAt: (path) =>
    path.length === 1 && path[0] === 'expect' ? [...EXPECTATION_NAMES]
    : path.length === 2 && path[0] === 'regression' && path[1] === 'tolerance' ? [...COMPARABLE_NAMES]
    : undefined,
};

export interface ValidatedYaml<T> {
  data: T;
  /** "file:line:col" of the value at `path` (or of its nearest existing parent). */
  locate: (path: (string | number)[]) => string;
}

/** YAML -> schema, with every error naming file, line, column and field. Throws ScenarioError only. */
export function parseValidatedYaml<T>(bytes: Buffer | string, file: string, kind: YamlFileKind<T>): ValidatedYaml<T> {
  if (bytes.length > MAX_SCENARIO_BYTES) {
    throw new ScenarioError(`${file}: the file is too large (${(bytes.length / 1024 / 1024).toFixed(1)} MiB); ${kind.what} file is at most 1 MiB`);
  }
  const text = typeof bytes === 'string' ? bytes : decodeUtf8(bytes, file);
  if (text.trim() === '') throw new ScenarioError(`${file}:1:1: the file is empty; ${kind.what} needs at least ${kind.minimal}`);
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const e = doc.errors[0];
    const pos = e.linePos?.[0] ?? lineCounter.linePos(e.pos[0]);
    throw new ScenarioError(`${file}:${pos.line}:${pos.col}: YAML syntax error: ${firstLine(e.message)}`);
  }
  let data: unknown;
  try {
    // Aliases are bounded: a "billion laughs" file must not expand into gigabytes.
    data = doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    throw new ScenarioError(`${file}:1:1: YAML could not be read: ${(err as Error).message}`);
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    throw new ScenarioError(`${file}:1:1: ${kind.what} is a YAML mapping (${kind.minimal}), not ${Array.isArray(data) ? 'a list' : typeof data}`);
  }
  const locate = (path: (string | number)[]) => {
    const pos = lineCounter.linePos(nearestNode(doc, path)?.range?.[0] ?? 0);
    return `${file}:${pos.line}:${pos.col}`;
  };
  const result = kind.schema.safeParse(data);
  if (result.success) return { data: result.data, locate };
  const issues = result.error.issues.flatMap((issue) => narrowUnion(issue, doc));
  const lines = issues.slice(0, 10).map((issue) => describeIssue(issue, doc, lineCounter, file, kind));
  const more = issues.length > 10 ? `\n(and ${issues.length - 10} more)` : '';
  throw new ScenarioError(lines.join('\n') + more);
}

/**
 * A union of discriminated unions (a timeline entry is a `fault:` or an `action:`) fails as one opaque
 * "Invalid input": report instead what the branch the entry chose says — the one whose discriminator it
 * matched, else the one whose key it has (else the first). Other unions keep their own message.
 */
function narrowUnion(issue: z.core.$ZodIssue, doc: Document): z.core.$ZodIssue[] {
  if (issue.code !== 'invalid_union' || issue.errors.length < 2) return [issue];
  const mismatch = (branch: z.core.$ZodIssue[]) => branch.length === 1 && branch[0].code === 'invalid_union' && (branch[0] as { note?: string }).note === 'No matching discriminator';
  if (!issue.errors.some(mismatch)) return [issue];
  const matched = issue.errors.filter((b) => !mismatch(b));
  const named = issue.errors.find((b) => mismatch(b) && doc.hasIn([...issue.path, (b[0] as { discriminator?: string }).discriminator ?? '']));
  const branch = matched[0] ?? named ?? issue.errors[0];
  return branch.flatMap((inner) => narrowUnion({ ...inner, path: [...issue.path, ...inner.path] } as z.core.$ZodIssue, doc));
}

function decodeUtf8(bytes: Buffer, file: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    const offset = bytes.findIndex((b) => b >= 0x80);
    const line = bytes.subarray(0, Math.max(offset, 0)).toString('latin1').split('\n').length;
    throw new ScenarioError(`${file}:${line}: the file is not valid UTF-8 (scenario files are UTF-8 text)`);
  }
}

function firstLine(message: string): string {
  return message.split('\n')[0];
}

function describeIssue<T>(issue: z.core.$ZodIssue, doc: Document, lc: LineCounter, file: string, kind: YamlFileKind<T>): string {
  const path = issue.path as (string | number)[];
  let node: Node | undefined;
  let field = formatPath(path);
  let message = issue.message;
  if (issue.code === 'unrecognized_keys') {
    const key = issue.keys[0];
    node = findKeyNode(doc, path, key);
    field = formatPath([...path, key]);
    const suggestion = didYouMean(key, kind.keysAt?.(path) ?? knownKeysAt(kind.schema, path));
    message = `unknown field "${key}"${suggestion ? ` (did you mean "${suggestion}"?)` : ''}`;
  } else {
    node = nearestNode(doc, path);
    if ((issue.code === 'invalid_type' || issue.code === 'invalid_union') && !doc.hasIn(path)) message = 'required field is missing';
  }
  const offset = node?.range?.[0] ?? 0;
  const pos = lc.linePos(offset);
  return `${file}:${pos.line}:${pos.col}: ${field || '(top level)'}: ${message}`;
}

function formatPath(path: (string | number)[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}

/** The deepest node on `path` that exists in the document (a missing field points at its parent). */
function nearestNode(doc: Document, path: (string | number)[]): Node | undefined {
  for (let n = path.length; n >= 0; n--) {
    const node = doc.getIn(path.slice(0, n), true) as Node | undefined;
    if (node && typeof node === 'object' && 'range' in node) return node;
  }
  return doc.contents ?? undefined;
}

function findKeyNode(doc: Document, path: (string | number)[], key: string): Node | undefined {
  const parent = path.length === 0 ? doc.contents : (doc.getIn(path, true) as Node | undefined);
  if (parent && isMap(parent)) {
    for (const item of parent.items) {
      if (isPair(item) && isScalar(item.key) && item.key.value === key) return item.key;
    }
  }
  return nearestNode(doc, path);
}

/** Keys the schema accepts at `path` (for did-you-mean): taken from the zod shape. */
function knownKeysAt(root: unknown, path: (string | number)[]): string[] {
  let shape: unknown = root;
  for (const step of path) {
    shape = unwrap(shape);
    if (typeof step === 'number') {
      const def = (shape as { def?: { element?: unknown } })?.def;
      shape = def?.element;
      continue;
    }
    const s = (shape as { shape?: Record<string, unknown> })?.shape;
    shape = s?.[step];
  }
  shape = unwrap(shape);
  const inner = shape as { shape?: Record<string, unknown>; def?: { options?: unknown[] } };
  if (inner?.shape) return Object.keys(inner.shape);
  return keysOfOptions(inner);
}

/** The keys of an object schema, or of every option of a (discriminated) union, however nested. */
function keysOfOptions(schema: unknown): string[] {
  const inner = unwrap(schema) as { shape?: Record<string, unknown>; def?: { options?: unknown[] } } | undefined;
  if (inner?.shape) return Object.keys(inner.shape);
  return [...new Set(inner?.def?.options?.flatMap(keysOfOptions) ?? [])];
}

function unwrap(schema: unknown): unknown {
  let s = schema as { def?: { innerType?: unknown; in?: unknown; schema?: unknown; type?: string } } | undefined;
  for (let i = 0; i < 10 && s?.def; i++) {
    const next = s.def.innerType ?? (s.def.type === 'pipe' ? s.def.in : undefined);
    if (!next) break;
    s = next as typeof s;
  }
  return s;
}

export function didYouMean(word: string, candidates: string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = levenshtein(word.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) {
      bestDistance = d;
      best = c;
    }
  }
  return best !== undefined && bestDistance <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined;
}

function levenshtein(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length];
}
