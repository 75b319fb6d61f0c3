/**
 * A user's redis.conf / sentinel.conf read the way Redis reads it: one directive a line, the name
 * case-insensitive, arguments split on white space with "double" (escapes) and 'single' quotes. The
 * harness only needs names and arguments to decide which lines it must replace; whether a directive is
 * valid is the server's word (the throwaway check in runtime/docker/configCheck.ts).
 */
import { readFileSync, statSync } from 'node:fs';
import { InputError } from '../util/errors.ts';

export interface ConfEntry {
  /** 1-based line in the file. */
  line: number;
  /** Lower case, as Redis compares it. */
  name: string;
  args: string[];
  /** The line as written. */
  text: string;
}

export interface ConfFile {
  path: string;
  /** Every line as written (the harness keeps the file's line numbers, commenting out what it replaces). */
  lines: string[];
  entries: ConfEntry[];
}

/** Config files are small; a bigger one is a mistake (and would be put into every container). */
const MAX_CONF_BYTES = 1024 * 1024;
const cache = new Map<string, ConfFile>();

/** Reads and splits a config file (once per process: the configs of every node are composed from it). */
export function readConfFile(path: string): ConfFile {
  const known = cache.get(path);
  if (known) return known;
  let text: string;
  try {
    if (statSync(path).size > MAX_CONF_BYTES) throw new InputError(`${path}: the file is too large; a config file is at most 1 MiB`);
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if (err instanceof InputError) throw err;
    throw new InputError(`${path}: cannot read: ${(err as Error).message}`);
  }
  const file = parseConf(path, text);
  cache.set(path, file);
  return file;
}

export function parseConf(path: string, text: string): ConfFile {
  const lines = text.replace(/\r\n/g, '\n').replace(/\n$/, '').split('\n');
  const entries: ConfEntry[] = [];
  lines.forEach((raw, i) => {
    const trimmed = raw.trim();
    if (trimmed === '' || trimmed.startsWith('#')) return;
    const args = splitArgs(trimmed);
    if (args.length === 0) return;
    entries.push({ line: i + 1, name: args[0].toLowerCase(), args: args.slice(1), text: raw });
  });
  return { path, lines, entries };
}

/** Redis's sdssplitargs, closely enough to know names and values (unbalanced quotes: the rest as one word). */
export function splitArgs(line: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < line.length) {
    while (i < line.length && /\s/.test(line[i])) i++;
    if (i >= line.length) break;
    let word = '';
    const quote = line[i] === '"' || line[i] === "'" ? line[i++] : null;
    while (i < line.length) {
      const c = line[i];
      if (quote === null && /\s/.test(c)) break;
      if (quote !== null && c === quote) {
        i++;
        break;
      }
      if (c === '\\' && i + 1 < line.length && (quote === '"' || (quote === "'" && line[i + 1] === "'"))) {
        const n = line[i + 1];
        word += quote === "'" ? n : ({ n: '\n', r: '\r', t: '\t', b: '\b', a: '\x07' } as Record<string, string>)[n] ?? n;
        i += 2;
        continue;
      }
      word += c;
      i++;
    }
    out.push(word);
  }
  return out;
}
