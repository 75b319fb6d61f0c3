/** primary-crash on a secured topology: passes with authentication on, and the secrets appear in no output. */
import { describe, it, expect } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { dockerMissingReason, harnessLeftovers } from './docker-available.ts';
import { readResult, runCli, filesUnder, hostPortOf, startCli } from './run-cli.ts';


describe.skipIf(dockerMissingReason !== null)('secured topology', () => {
  it('primary-crash-auth passes, the servers refuse unauthenticated clients, and no output file holds a secret', async () => {
    const password = `pw-${randomBytes(12).toString('hex')}`;
    const sentinelPassword = `spw-${randomBytes(12).toString('hex')}`;
    const out = mkdtempSync(join(tmpdir(), 'fd-auth-'));
    const env = { ...process.env, FERRITE_DRILL_PASSWORD: password, FERRITE_DRILL_SENTINEL_PASSWORD: sentinelPassword };
    const probes: string[] = [];
    const cli = startCli(['run', 'primary-crash-auth', '--out', out], {
      env,
      at: { when: (stderr) => stderr.includes('== load'), act: ({ runId }) => probe(runId()!) },
    });
    function probe(runId: string): void {
      // While the drill runs: a client without the password is refused by a data node and a sentinel.
      for (const node of ['redis-2', 'sentinel-1']) {
        probes.push(execFileSync('redis-cli', ['-p', hostPortOf(runId, node), 'PING'], { encoding: 'utf8' }).trim());
      }
      // Secrets never go on a command line (docker inspect shows those).
      const inspect = execFileSync('docker', ['inspect', ...execFileSync('docker', ['ps', '-q', '--filter', `label=dev.ferrite-drill.run=${runId}`], { encoding: 'utf8' }).trim().split('\n')], { encoding: 'utf8' });
      probes.push(inspect.includes(password) || inspect.includes(sentinelPassword) ? 'secret in docker inspect' : 'inspect clean');
    }
    const { code } = await cli.exited;
    const [stdout, stderr] = [cli.stdout(), cli.stderr()];
    const result = readResult(out);
    expect(result?.verdict, stderr).toBe('pass');
    expect(code).toBe(0);
    expect(probes[0]).toMatch(/NOAUTH|Authentication required/);
    expect(probes[1]).toMatch(/NOAUTH|Authentication required/);
    expect(probes[2]).toBe('inspect clean');
    expect(result!.topology.auth).toEqual({ user: 'drill', sentinelPassword: true });
    expect(stderr).toContain('auth password: from the environment variable FERRITE_DRILL_PASSWORD');
    for (const text of [stdout, stderr, ...filesUnder(out).map((f) => readFileSync(f, 'latin1'))]) {
      expect(text.includes(password)).toBe(false);
      expect(text.includes(sentinelPassword)).toBe(false);
    }
    expect(filesUnder(out).length).toBeGreaterThan(8);
    expect(harnessLeftovers()).toEqual({ containers: [], networks: [] });
  }, 180_000);

  it('a password variable that is not set is bad input: exit 2, naming the field, nothing started', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fd-auth-bad-'));
    const file = join(dir, 'auth.yaml');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(file, 'name: auth-bad\nduration: 5s\ntopology:\n  auth:\n    password: { env: FD_TEST_SURELY_UNSET_VARIABLE }\n');
    const r = await runCli(['run', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${file}: topology.auth.password: the environment variable FD_TEST_SURELY_UNSET_VARIABLE is not set`);
    expect(r.stderr).not.toContain('== topology');
  });
});
