/**
 * --attach, end to end through the CLI: a Sentinel deployment started outside the harness with plain
 * `docker run`s (labelled as a Compose project, as Compose labels its containers) is found, drilled,
 * healed and left running; the judgement afterwards comes from Docker and from the nodes themselves
 * (redis-cli in their own containers, iptables-save in their namespaces), not from the harness.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dockerMissingReason, harnessLeftovers } from './docker-available.ts';
import type { DrillResult } from '../../src/record/result.ts';
import { readResult, runCli, startCli, whyNotPassed, type CliRun } from './run-cli.ts';
import { DockerComposeEnvironment, Wait, type StartedDockerComposeEnvironment } from 'testcontainers';
import { containerState, fdChainsIn, roleOf, startUserDeployment, type UserDeployment } from './user-deployment.ts';

describe.skipIf(dockerMissingReason !== null)('run primary-crash --attach compose:<project> on a deployment the harness did not create', () => {
  const out = mkdtempSync(join(tmpdir(), 'fd-attach-'));
  let user: UserDeployment;
  let run: CliRun;
  let result: DrillResult | undefined;
  let clean: CliRun;

  beforeAll(async () => {
    user = await startUserDeployment({ replicas: 2, sentinels: 3 });
    run = await runCli(['run', 'primary-crash', '--attach', `compose:${user.project}`, '--out', out]);
    result = readResult(out);
    // What a user runs after a crashed drill: it must not take the user's containers for the harness's.
    clean = await runCli(['clean']);
  }, 240_000);

  afterAll(() => user?.remove());

  it('passes, and reports a failover away from the primary it killed', () => {
    expect(result?.verdict, whyNotPassed(result, run)).toBe('pass');
    expect(run.code).toBe(0);
    const m = result!.metrics!;
    expect(m.oldPrimary).toBe(user.data[0]);
    expect(m.newPrimary).not.toBeNull();
    expect(m.newPrimary).not.toBe(m.oldPrimary);
    expect(m.failoverMs).not.toBeNull();
    // The topology is the deployment's own, not the scenario's.
    expect(result!.attach!.found).toMatchObject({ masterName: 'mymaster', primary: user.data[0], replicas: user.data.slice(1), sentinels: user.sentinels, quorum: 2, downAfterMs: 1000 });
  });

  it('printed what it found before touching anything', () => {
    const found = run.stderr.indexOf(`primary   ${user.data[0]}`);
    expect(found, run.stderr).toBeGreaterThan(-1);
    for (const name of [...user.data.slice(1), ...user.sentinels]) expect(run.stderr.indexOf(name)).toBeGreaterThan(-1);
    expect(found).toBeLessThan(run.stderr.indexOf('== topology'));
    expect(found).toBeLessThan(run.stderr.indexOf('fault kill-1#1'));
  });

  it('left every container existing and running, with no FD- chain in its namespace', () => {
    for (const name of [...user.data, ...user.sentinels]) {
      expect(containerState(name), name).toEqual({ running: true, paused: false });
      expect(fdChainsIn(name), name).toEqual([]);
    }
  });

  it('left exactly one primary, the one the report names', () => {
    const masters = user.data.filter((n) => roleOf(n) === 'master');
    expect(masters).toHaveLength(1);
    expect(result!.attach!.left).toMatchObject({ primary: masters[0], initialPrimary: user.data[0], converged: true, notRunning: [] });
    expect(run.stderr).toContain(`left compose:${user.project} as: ${masters[0]} is primary now (it was ${user.data[0]})`);
  });

  it('left nothing of the harness, and clean leaves the user\'s containers alone', () => {
    expect(harnessLeftovers()).toEqual({ containers: [], networks: [] });
    expect(clean.code, clean.stderr).toBe(0);
    for (const name of [...user.data, ...user.sentinels]) expect(containerState(name).running, name).toBe(true);
  });

  it('after the harness is killed mid-fault, clean starts, unpauses and un-partitions the containers and removes only its own', async () => {
    const all = [...user.data, ...user.sentinels];
    const killed = startCli(['run', join(import.meta.dirname, '../fixtures/attach-crash-drill.yaml'), '--attach', `compose:${user.project}`, '--out', mkdtempSync(join(tmpdir(), 'fd-attach-killed-'))], {
      at: { when: (stderr) => stderr.includes('fault stop-3#1'), act: (cli) => cli.child.kill('SIGKILL') },
    });
    const exit = await killed.exited;
    expect(exit.signal, killed.stderr()).toBe('SIGKILL');
    // What the dead run left, seen from Docker and the namespaces: the test would prove nothing without it.
    const states = all.map((n) => ({ n, ...containerState(n) }));
    expect(states.filter((s) => s.paused).length, JSON.stringify(states)).toBe(1);
    expect(states.filter((s) => !s.running).length, JSON.stringify(states)).toBe(1);
    expect(all.filter((n) => containerState(n).running && !containerState(n).paused && fdChainsIn(n).length > 0).length).toBeGreaterThan(0);

    // (On a machine shared with other drills, another run's start-up may clean up the dead run first;
    // either way the state afterwards is what counts.)
    const after = await runCli(['clean']);
    expect(after.code, after.stderr).toBe(0);
    for (const name of all) {
      expect(containerState(name), name).toEqual({ running: true, paused: false });
      expect(fdChainsIn(name), name).toEqual([]);
    }
    expect(harnessLeftovers()).toEqual({ containers: [], networks: [] });
  }, 150_000);
});

describe.skipIf(dockerMissingReason !== null)('--attach refuses what a failover drill cannot use (exit 2, one sentence, nothing touched)', () => {
  let user: UserDeployment;
  beforeAll(async () => {
    user = await startUserDeployment({ replicas: 1, sentinels: 0 });
  }, 60_000);
  afterAll(() => user?.remove());

  it('a project with no sentinel', async () => {
    const out = mkdtempSync(join(tmpdir(), 'fd-attach-refused-'));
    const run = await runCli(['run', 'primary-crash', '--attach', `compose:${user.project}`, '--out', out]);
    expect(run.code, run.stderr).toBe(2);
    const said = run.stderr.trim().split('\n').filter((l) => l.startsWith('ferrite-drill:'));
    expect(said).toEqual([`ferrite-drill: cannot attach to compose:${user.project}: its 2 Redis data node(s) are watched by no Redis Sentinel among its containers, and a failover drill needs sentinels to promote a replica`]);
    expect(existsSync(join(out, 'result.json'))).toBe(false);
    for (const name of user.data) expect(containerState(name).running, name).toBe(true);
    expect(harnessLeftovers()).toEqual({ containers: [], networks: [] });
  }, 90_000);

  it('a project that does not exist', async () => {
    const run = await runCli(['run', 'primary-crash', '--attach', `compose:${user.project}-none`]);
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr).toContain(`ferrite-drill: cannot attach to compose:${user.project}-none: no container is labelled com.docker.compose.project=${user.project}-none`);
  }, 90_000);
});

/**
 * Compose v1 (Debian's docker-compose; setup installs it) is what testcontainers' DockerComposeEnvironment
 * drives here, as a standalone executable. Null when it runs, else why the Compose test cannot.
 */
function composeMissing(): string | null {
  try {
    execFileSync('docker-compose', ['version'], { stdio: 'pipe', timeout: 20_000 });
    return null;
  } catch (err) {
    return `docker-compose does not run here (${(err as Error).message.split('\n')[0]}); npm run setup installs it`;
  }
}
const noCompose = dockerMissingReason ?? composeMissing();
if (noCompose) console.warn(`SKIPPING the docker/compose/sentinel-ha.yml attach test: ${noCompose}`);

describe.skipIf(noCompose !== null)('--attach to docker/compose/sentinel-ha.yml, brought up by testcontainers', () => {
  const project = `fdcompose${Math.random().toString(36).slice(2, 8)}`;
  const out = mkdtempSync(join(tmpdir(), 'fd-attach-compose-'));
  let env: StartedDockerComposeEnvironment | undefined;
  let run: CliRun;
  let result: DrillResult | undefined;
  const names = () => execFileSync('docker', ['ps', '-a', '--filter', `label=com.docker.compose.project=${project}`, '--format', '{{.Names}} {{.State}}'], { encoding: 'utf8' }).trim().split('\n');

  beforeAll(async () => {
    // No registry answers here, so testcontainers' Ryuk image cannot be pulled: the test removes its own.
    process.env.TESTCONTAINERS_RYUK_DISABLED = 'true';
    env = await new DockerComposeEnvironment(join(import.meta.dirname, '../../docker/compose'), 'sentinel-ha.yml')
      .withProjectName(project)
      .withClientOptions({ executable: { standalone: true } })
      // A /24 of its own (a leftover network of a killed test cannot block the next), and the down-after
      // primary-crash's expectations assume.
      .withEnvironment({ FD_HA_NET: `10.213.${100 + Math.floor(Math.random() * 150)}`, FD_HA_DOWN_AFTER: '1000' })
      // The images have no shell for the default port check: their Compose healthchecks say when they are up.
      .withDefaultWaitStrategy(Wait.forHealthCheck())
      .up();
    run = await runCli(['run', 'primary-crash', '--attach', `compose:${project}`, '--out', out]);
    result = readResult(out);
  }, 240_000);

  afterAll(async () => {
    await env?.down({ removeVolumes: true, timeout: 1000 });
  }, 60_000);

  it('finds 1 master, 3 replicas and 3 sentinels, drills them, and leaves every one running with one primary', () => {
    expect(result, whyNotPassed(result, run)).toBeDefined();
    expect(result!.attach!.found).toMatchObject({ masterName: 'mymaster', primary: `${project}_redis-master_1`, quorum: 2, downAfterMs: 1000 });
    expect(result!.attach!.found!.replicas).toHaveLength(3);
    expect(result!.attach!.found!.sentinels).toHaveLength(3);
    // A drill that measured (pass, or an expectation missed on a busy machine), not one that broke.
    expect(result!.verdict, whyNotPassed(result, run)).not.toBe('error');
    expect(result!.metrics!.newPrimary).not.toBe(result!.metrics!.oldPrimary);
    const data = [`${project}_redis-master_1`, ...[1, 2, 3].map((i) => `${project}_redis-replica-${i}_1`)];
    for (const name of [...data, ...[1, 2, 3].map((i) => `${project}_sentinel-${i}_1`)]) {
      expect(containerState(name), name).toEqual({ running: true, paused: false });
      expect(fdChainsIn(name), name).toEqual([]);
    }
    expect(data.filter((n) => roleOf(n) === 'master')).toEqual([result!.attach!.left!.primary]);
    // The one-shot config writer exited (0) when it had written the sentinels' files; nothing else stopped.
    expect(names().filter((l) => !l.endsWith(' running'))).toEqual([`${project}_sentinel-config_1 exited`]);
    expect(harnessLeftovers()).toEqual({ containers: [], networks: [] });
  });
});
