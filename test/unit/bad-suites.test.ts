/**
 * Broken suite files: each is rejected before anything runs, with the suite file's line, column and
 * field — and, for a broken scenario the suite names, that scenario's own file, line and field too.
 */
import { describe, it, expect } from 'vitest';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadSuite } from '../../src/suite/loader.ts';
import { ScenarioError } from '../../src/scenario/loader.ts';
import { runCli } from '../integration/run-cli.ts';

const DIR = join(import.meta.dirname, '../fixtures/bad-suites');

/** [file, line, column, field (null for file-level errors), message fragment] */
const CORPUS: [string, number, number, string | null, string][] = [
  ['01-yaml-unclosed-list.yaml', 3, 1, null, 'YAML syntax error: Flow sequence in block collection'],
  ['02-unknown-field.yaml', 4, 1, 'scenarioz', 'unknown field "scenarioz" (did you mean "scenarios"?)'],
  ['03-no-scenarios.yaml', 2, 12, 'scenarios', 'a suite runs at least one scenario'],
  ['04-unknown-scenario.yaml', 4, 5, 'scenarios[1]', 'unknown scenario "primary-crsh"; built-in scenarios: '],
  ['05-missing-scenario-file.yaml', 3, 5, 'scenarios[0]', 'does-not-exist.yaml: no such scenario file'],
  ['06-broken-scenario.yaml', 4, 5, 'scenarios[1]', '22-quorum-too-large.yaml:6:13: topology.sentinel.quorum: quorum 4 is larger than the 3 sentinels'],
  ['07-scenarios-not-a-list.yaml', 2, 12, 'scenarios', 'expected array, received string'],
  ['08-name-uppercase.yaml', 1, 7, 'name', 'names are lower-case words joined by "-"'],
  ['09-stop-on-failure-word.yaml', 3, 16, 'stopOnFailure', 'expected boolean, received string'],
  ['10-empty.yaml', 1, 1, null, 'the file is empty; a suite needs at least name: ..., scenarios: [...]'],
  ['11-missing-name.yaml', 1, 1, 'name', 'required field is missing'],
  ['12-scenario-number.yaml', 4, 5, 'scenarios[1]', 'expected string, received number'],
];

describe('bad suite files', () => {
  it('every file in the corpus is listed here', () => {
    expect(readdirSync(DIR).filter((f) => f.endsWith('.yaml')).sort()).toEqual(CORPUS.map((c) => c[0]));
  });

  it.each(CORPUS)('%s: line %i, column %i, field %s', async (file, line, col, field, fragment) => {
    const path = join(DIR, file);
    const err = await loadSuite(path).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ScenarioError);
    const message = (err as Error).message;
    expect(message.startsWith(`${path}:${line}:${col}: ${field === null ? '' : `${field}: `}`), message).toBe(true);
    expect(message).toContain(fragment);
  });

  it('through the CLI: exit 2, the message, nothing started; an unknown suite lists the known ones', async () => {
    const broken = await runCli(['suite', join(DIR, '06-broken-scenario.yaml')]);
    expect(broken.code).toBe(2);
    expect(broken.stderr).toContain('06-broken-scenario.yaml:4:5: scenarios[1]:');
    expect(broken.stderr).not.toContain('== topology');
    expect(broken.stdout).toBe('');
    const unknown = await runCli(['suite', 'pre-go-lve']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown suite "pre-go-lve"; built-in suites: .*pre-go-live/);
    const check = await runCli(['suite', 'pre-go-live', '--check']);
    expect(check.code, check.stderr).toBe(0);
    expect(check.stdout).toContain('valid suite "pre-go-live": control, primary-crash,');
  }, 60_000);
});
