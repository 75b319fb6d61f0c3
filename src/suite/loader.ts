/**
 * Loads a suite by built-in name (suites/) or path, and every scenario it names, before anything runs:
 * a broken suite or a broken scenario in it is reported with file, line and field, and starts nothing.
 */
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { suiteSchema, type Suite } from './schema.ts';
import { loadScenario, parseValidatedYaml, readBoundedFile, ScenarioError, type LoadedScenario, type YamlFileKind } from '../scenario/loader.ts';

export const BUILTIN_SUITE_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../suites');

const SUITE_FILE: YamlFileKind<Suite> = { schema: suiteSchema, what: 'a suite', minimal: 'name: ..., scenarios: [...]' };

export interface LoadedSuite {
  suite: Suite;
  file: string;
  drills: LoadedScenario[];
}

async function builtinSuiteNames(): Promise<string[]> {
  return (await readdir(BUILTIN_SUITE_DIR)).filter((f) => /\.ya?ml$/.test(f)).map((f) => f.replace(/\.ya?ml$/, '')).sort();
}

export async function listBuiltinSuites(): Promise<{ name: string; description: string; scenarios: string[] }[]> {
  const out = [];
  for (const name of await builtinSuiteNames()) {
    const { suite } = await loadSuite(name);
    out.push({ name: suite.name, description: suite.description, scenarios: suite.scenarios });
  }
  return out;
}

export async function resolveSuitePath(nameOrPath: string): Promise<string> {
  if (/[\\/]/.test(nameOrPath) || /\.ya?ml$/.test(nameOrPath)) {
    if (!existsSync(nameOrPath)) throw new ScenarioError(`${nameOrPath}: no such suite file`);
    return nameOrPath;
  }
  for (const ext of ['.yaml', '.yml']) {
    const file = join(BUILTIN_SUITE_DIR, nameOrPath + ext);
    if (existsSync(file)) return file;
  }
  throw new ScenarioError(`unknown suite "${nameOrPath}"; built-in suites: ${(await builtinSuiteNames()).join(', ')} (or give a path to a .yaml file)`);
}

export async function loadSuite(nameOrPath: string): Promise<LoadedSuite> {
  const file = await resolveSuitePath(nameOrPath);
  const { data: suite, locate } = parseValidatedYaml(await readBoundedFile(file, 'a suite'), file, SUITE_FILE);
  const drills: LoadedScenario[] = [];
  for (const [i, ref] of suite.scenarios.entries()) {
    // Paths are relative to the suite file, so a suite and its scenarios can move together.
    const isPath = /[\\/]/.test(ref) || /\.ya?ml$/.test(ref);
    const target = isPath ? resolve(dirname(file), ref) : ref;
    try {
      drills.push(await loadScenario(target));
    } catch (err) {
      if (!(err instanceof ScenarioError)) throw err;
      throw new ScenarioError(`${locate(['scenarios', i])}: scenarios[${i}]: "${ref}" cannot be used:\n  ${err.message.split('\n').join('\n  ')}`);
    }
  }
  // A checklist entry for a drill the suite does not run would silently never appear in the report.
  const names = drills.map((d) => d.scenario.name);
  for (const key of Object.keys(suite.checklist)) {
    if (!names.includes(key)) throw new ScenarioError(`${locate(['checklist', key])}: checklist.${key}: no drill of this suite is named "${key}"; its drills: ${[...new Set(names)].join(', ')}`);
  }
  return { suite, file, drills };
}
