/** Two drills at once on one machine, and a container dying behind the harness's back. */
import { describe, it, expect } from 'vitest';
import { execFileSync } from 'node:child_process';
import { createConnection, createServer, type Socket } from 'node:net';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dockerMissingReason, harnessLeftovers } from './docker-available.ts';
import { readResult, runCli, startCli, whyNotPassed } from './run-cli.ts';

describe.skipIf(dockerMissingReason !== null)('robustness against real Docker', () => {
  it('two drills at once do not interfere: own networks, labels, ports; both pass', async () => {
    const outs = [0, 1].map((i) => mkdtempSync(join(tmpdir(), `fd-concurrent-${i}-`)));
    const runs = await Promise.all(outs.map((out) => runCli(['run', 'control', '--out', out, '--quiet'])));
    const results = outs.map((out) => readResult(out)!);
    runs.forEach((r, i) => expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0));
    expect(results[0].runId).not.toBe(results[1].runId);
    results.forEach((r) => expect(r.verdict, whyNotPassed(r)).toBe('pass'));
    expect(harnessLeftovers()).toEqual({ containers: [], networks: [] });
  }, 180_000);

  it('a container killed behind the harness\'s back ends the drill with an infrastructure error (exit 3), not a hang', async () => {
    const out = mkdtempSync(join(tmpdir(), 'fd-unexpected-death-'));
    const cli = startCli(['run', 'control', '--out', out], {
      at: {
        when: (stderr) => stderr.includes('== load'),
        act: ({ runId }) => {
          // Only this run's sentinel-2, found by its run label: never anything else.
          const id = execFileSync('docker', ['ps', '-q', '--filter', `label=dev.ferrite-drill.run=${runId()}`, '--filter', 'label=dev.ferrite-drill.node=sentinel-2'], { encoding: 'utf8' }).trim();
          execFileSync('docker', ['kill', id]);
        },
      },
    });
    const { code } = await cli.exited;
    expect(code, cli.stderr()).toBe(3);
    const r = readResult(out)!;
    expect(r.verdict).toBe('error');
    expect(r.error).toMatch(/sentinel-2 died unexpectedly/);
    expect(harnessLeftovers()).toEqual({ containers: [], networks: [] });
  }, 120_000);
  it('the Docker engine going away mid-drill ends it with exit 3 and a clear error, not a hang; clean removes the rest', async () => {
    // The harness talks to Docker through a socket proxy; closing the proxy is, to the harness, the
    // engine dying (dockerd crashed or restarted). The real engine, and the containers, stay.
    const dir = mkdtempSync(join(tmpdir(), 'fd-docker-gone-'));
    const proxyPath = join(dir, 'docker.sock');
    const open = new Set<Socket>();
    const proxy = createServer((client) => {
      const engine = createConnection('/var/run/docker.sock');
      open.add(client).add(engine);
      client.pipe(engine).pipe(client);
      const end = () => { client.destroy(); engine.destroy(); };
      client.on('error', end).on('close', end);
      engine.on('error', end).on('close', end);
    });
    await new Promise<void>((resolve) => proxy.listen(proxyPath, resolve));
    const out = join(dir, 'run');
    let cutAt = 0;
    const cli = startCli(['run', 'control', '--out', out], {
      env: { ...process.env, DOCKER_HOST: `unix://${proxyPath}` },
      at: {
        when: (stderr) => stderr.includes('== load'),
        act: () => {
          cutAt = Date.now();
          proxy.close();
          for (const s of open) s.destroy();
        },
      },
    });
    const { code } = await cli.exited;
    const stderr = cli.stderr();
    const endedAfterMs = Date.now() - cutAt;
    console.log(`Docker engine cut off: the drill ended ${endedAfterMs} ms later with exit ${code}`);
    expect(code, stderr).toBe(3);
    expect(endedAfterMs).toBeLessThan(15_000);
    expect(stderr).toMatch(/the Docker engine stopped answering/);
    expect(stderr).toMatch(/run "ferrite-drill clean"/);
    const r = readResult(out)!;
    expect(r.verdict).toBe('error');
    expect(r.error).toMatch(/Docker engine stopped answering/);
    // With the engine back (the real socket), clean finds the dead run's containers by label.
    const clean = await runCli(['clean']);
    expect(clean.code, clean.stderr).toBe(0);
    expect(clean.stdout).toMatch(/removed [1-9]\d* containers, 1 networks/);
    expect(harnessLeftovers()).toEqual({ containers: [], networks: [] });
  }, 180_000);
});
