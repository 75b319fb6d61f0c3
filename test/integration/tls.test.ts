/**
 * primary-crash over TLS: the drill passes with TLS on every link; while it runs, the plain port is
 * closed and a TLS client without the drill's certificate is refused; afterwards no key is left on disk
 * or in any output file.
 */
import { describe, it, expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dockerMissingReason, harnessLeftovers } from './docker-available.ts';
import { readResult, whyNotPassed, filesUnder, hostPortOf, startCli } from './run-cli.ts';


/** redis-cli PING with the given extra arguments: its reply, or its error text. */
function cliPing(port: string, args: string[]): string {
  const r = spawnSync('redis-cli', ['-p', port, ...args, 'PING'], { encoding: 'utf8', timeout: 5000 });
  return `${r.stdout}${r.stderr}`.trim() || `exit ${r.status}`;
}

describe.skipIf(dockerMissingReason !== null)('TLS topology', () => {
  it('primary-crash-tls passes; plain and certificate-less clients are refused; no key outlives the run', async () => {
    const out = mkdtempSync(join(tmpdir(), 'fd-tls-'));
    let tlsDir = '';
    const probes: Record<string, string> = {};
    const cli = startCli(['run', 'primary-crash-tls', '--out', out], {
      at: { when: (stderr) => stderr.includes('== load'), act: ({ runId }) => probe(runId()!) },
    });
    function probe(runId: string): void {
      tlsDir = readdirSync(tmpdir()).map((f) => join(tmpdir(), f)).find((f) => f.includes(`ferrite-drill-tls-${runId}-`)) ?? 'none';
      const port = hostPortOf(runId, 'redis-2');
      const ca = join(tlsDir, 'ca.crt');
      probes.plain = cliPing(port, []);
      probes.noCert = cliPing(port, ['--tls', '--cacert', ca]);
      probes.withCert = cliPing(port, ['--tls', '--cacert', ca, '--cert', join(tlsDir, 'node.crt'), '--key', join(tlsDir, 'node.key')]);
      probes.keyMode = (statSync(tlsDir).mode & 0o777).toString(8);
    }
    const { code } = await cli.exited;
    const result = readResult(out);
    expect(result?.verdict, whyNotPassed(result)).toBe('pass');
    expect(code).toBe(0);
    expect(result!.metrics!.newPrimary).not.toBe(result!.metrics!.oldPrimary);
    expect(result!.topology.tls).toEqual({ clientAuth: 'required' });
    console.log(`TLS probes while the drill ran: ${JSON.stringify(probes)}`);
    expect(probes.withCert).toBe('PONG');
    expect(probes.plain).not.toBe('PONG'); // the plain port is closed: the server speaks TLS only
    expect(probes.noCert).not.toBe('PONG'); // tls-auth-clients yes
    expect(probes.keyMode).toBe('700');
    expect(existsSync(tlsDir)).toBe(false);
    for (const f of filesUnder(out)) expect(readFileSync(f, 'latin1').includes('PRIVATE KEY'), f).toBe(false);
    expect(harnessLeftovers()).toEqual({ containers: [], networks: [] });
  }, 180_000);
});
