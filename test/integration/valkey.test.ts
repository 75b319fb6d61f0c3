/**
 * A drill on Valkey reports `server: valkey` and Valkey's own version (not the redis_version 7.2.4 it
 * claims). There is no Valkey image or package on the project's machines: the test runs where an image
 * is present (valkey/valkey:8, or the one FERRITE_DRILL_VALKEY_IMAGE names) and is skipped with the
 * reason printed elsewhere.
 */
import { describe, it, expect } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dockerMissingReason, harnessLeftovers } from './docker-available.ts';
import { readResult, runCli, whyNotPassed } from './run-cli.ts';

const IMAGE = process.env.FERRITE_DRILL_VALKEY_IMAGE ?? 'valkey/valkey:8';

function imagePresent(image: string): boolean {
  try {
    execFileSync('docker', ['image', 'inspect', image], { stdio: 'ignore', timeout: 10_000 });
    return true;
  } catch {
    return false;
  }
}

const skipReason = dockerMissingReason ?? (imagePresent(IMAGE) ? null : `no image ${IMAGE} on this machine (pull it, or set FERRITE_DRILL_VALKEY_IMAGE to a local Valkey image)`);
if (skipReason) console.warn(`SKIPPING the Valkey drill: ${skipReason}`);

describe.skipIf(skipReason !== null)('Valkey', () => {
  it('a drill on a Valkey image reports server valkey and its own version, as valkey-server --version says', async () => {
    // The oracle: the image's own binary, not INFO as the harness parses it.
    const own = /v=(\d+\.\d+\.\d+)/.exec(execFileSync('docker', ['run', '--rm', '--entrypoint', 'valkey-server', IMAGE, '--version'], { encoding: 'utf8' }))?.[1];
    expect(own).toBeDefined();
    const dir = mkdtempSync(join(tmpdir(), 'fd-valkey-'));
    const scenario = join(dir, 'valkey-control.yaml');
    writeFileSync(scenario, ['name: valkey-control', 'topology:', '  server: valkey', `  image: ${IMAGE}`, '  replicas: 1', '  sentinels: 1', '  sentinel: { quorum: 1 }', '  serverConfig: { repl-diskless-sync-delay: 0 }', 'duration: 5s', 'expect:', '  lostWrites.total: { max: 0 }', ''].join('\n'));
    const out = join(dir, 'out');
    const run = await runCli(['run', scenario, '--out', out]);
    const result = readResult(out);
    expect(run.code, whyNotPassed(result, run)).toBe(0);
    expect(result!.server).toMatchObject({ name: 'valkey', version: own });
    expect(result!.serverVersion).toBe(own);
    expect(result!.sentinelServer?.name).toBe('valkey');
    expect(result!.preflight?.passed).toBe(true);
    expect(run.stderr).toContain(`(server valkey ${own}`);
    expect(harnessLeftovers()).toEqual({ containers: [], networks: [] });
  }, 180_000);
});
