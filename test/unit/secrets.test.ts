import { describe, it, expect } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveCredentials, redact } from '../../src/topology/secrets.ts';
import { parseScenarioText } from '../../src/scenario/loader.ts';
import { InputError } from '../../src/util/errors.ts';

const scenario = (auth: string) => parseScenarioText(`name: t\nduration: 5s\ntopology:\n  auth:\n${auth}`, 's.yaml');

describe('credentials', () => {
  it('come from the environment, a file, or are generated; the origin never shows the value', () => {
    process.env.FD_UNIT_PW = 'from-env-123';
    const dir = mkdtempSync(join(tmpdir(), 'fd-secret-'));
    writeFileSync(join(dir, 'pw'), 'from-file-456\n');
    const c = resolveCredentials(scenario(`    user: drill\n    password: { env: FD_UNIT_PW }\n    sentinelPassword: { file: ${join(dir, 'pw')} }\n`), 's.yaml')!;
    expect(c).toMatchObject({ user: 'drill', password: 'from-env-123', sentinelPassword: 'from-file-456' });
    expect(c.origin.join(' ')).not.toMatch(/from-env-123|from-file-456/);
    const g = resolveCredentials(scenario('    password: { generate: true }\n'), 's.yaml')!;
    expect(g.password).toMatch(/^[A-Za-z0-9_-]{20,}$/);
  });

  it('a missing variable or file is bad input naming the field', () => {
    delete process.env.FD_UNIT_MISSING;
    expect(() => resolveCredentials(scenario('    password: { env: FD_UNIT_MISSING }\n'), 's.yaml')).toThrow(InputError);
    expect(() => resolveCredentials(scenario('    password: { env: FD_UNIT_MISSING }\n'), 's.yaml')).toThrow('s.yaml: topology.auth.password: the environment variable FD_UNIT_MISSING is not set');
    expect(() => resolveCredentials(scenario('    password: { file: /nonexistent/pw }\n'), 's.yaml')).toThrow(/topology\.auth\.password: cannot read \/nonexistent\/pw: ENOENT/);
    expect(resolveCredentials(scenario('    password: { env: FD_UNIT_MISSING, orGenerate: true }\n'), 's.yaml')!.password.length).toBeGreaterThan(20);
  });

  it('a secret written inline is not accepted by the schema', () => {
    expect(() => scenario('    password: hunter2\n')).toThrow(/topology\.auth\.password: a secret is \{ env: NAME \}/);
  });

  it('redact replaces every occurrence of every secret', () => {
    const c = { password: 'p4ss', sentinelPassword: 's3nt', origin: [] };
    expect(redact('AUTH p4ss and p4ss; sentinel s3nt', c)).toBe('AUTH *** and ***; sentinel ***');
    expect(redact('nothing', undefined)).toBe('nothing');
  });
});
