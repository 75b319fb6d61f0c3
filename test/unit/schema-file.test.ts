/**
 * Built-in scenarios point editors at ../scenario.schema.json: the committed file must be what
 * `ferrite-drill schema` prints today, or editors would validate against a stale schema.
 */
import { describe, it, expect } from 'vitest';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '../..');

describe('scenario.schema.json', () => {
  it('is what `ferrite-drill schema` prints (regenerate with `npm run schema`)', () => {
    const printed = execFileSync(process.execPath, [join(ROOT, 'bin/ferrite-drill.mjs'), 'schema'], { encoding: 'utf8' });
    const committed = readFileSync(join(ROOT, 'scenario.schema.json'), 'utf8');
    expect(JSON.parse(committed), 'scenario.schema.json is stale: run `npm run schema`').toEqual(JSON.parse(printed));
  }, 60_000);
});
