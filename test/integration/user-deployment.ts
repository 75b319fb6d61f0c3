/**
 * A "user's" Sentinel deployment for the attach tests, started outside the harness with plain
 * `docker run`s labelled as a Compose project (the labels Compose itself sets), and removed by the test.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';

export const USER_IMAGE = 'ferrite-drill/redis:7.0.15-host';
export const NETTOOLS = 'ferrite-drill/nettools:host';

const docker = (...args: string[]) => execFileSync('docker', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();

export interface UserDeployment {
  project: string;
  network: string;
  /** Container names: data nodes first (the first is the primary at start), then sentinels. */
  data: string[];
  sentinels: string[];
  remove(): void;
}

const ipOf = (name: string, network: string) => docker('inspect', '-f', `{{(index .NetworkSettings.Networks "${network}").IPAddress}}`, name);

/** Starts `replicas` + 1 data nodes and `sentinels` sentinels (0: a deployment without HA) in project gtproj-<random>. */
export async function startUserDeployment(opts: { replicas: number; sentinels: number }): Promise<UserDeployment> {
  const project = `gtproj-${randomBytes(3).toString('hex')}`;
  const network = `${project}_default`;
  // Images built before LABEL_IMAGE carried the harness's owner label, which containers inherit; older
  // harness versions' cleanup (other sessions on a shared machine may run one) would take these for
  // its own. A user's container says nothing of the sort: its own label value overrides the image's.
  const labels = (service: string) => ['--label', `com.docker.compose.project=${project}`, '--label', `com.docker.compose.service=${service}`, '--label', 'dev.ferrite-drill=no'];
  const dep: UserDeployment = { project, network, data: [], sentinels: [], remove: () => {} };
  const dir = mkdtempSync(join(tmpdir(), 'fd-user-'));
  dep.remove = () => {
    const all = [...dep.data, ...dep.sentinels];
    if (all.length) execFileSync('docker', ['rm', '-f', '-v', ...all], { stdio: 'ignore' });
    execFileSync('docker', ['network', 'rm', network], { stdio: 'ignore' });
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    docker('network', 'create', '--label', `com.docker.compose.project=${project}`, network);
    const server = ['redis-server', '--port', '6379', '--protected-mode', 'no', '--repl-diskless-sync-delay', '0', '--appendonly', 'yes', '--appendfsync', 'everysec', '--save', ''];
    const run = (name: string, service: string, port: number, cmd: string[]) => {
      docker('create', '--name', name, '--network', network, ...labels(service), '-p', `127.0.0.1::${port}`, USER_IMAGE, ...cmd);
    };
    const primary = `${project}-redis-1`;
    run(primary, 'redis-1', 6379, server);
    docker('start', primary);
    dep.data.push(primary);
    const primaryIp = ipOf(primary, network);
    for (let i = 2; i <= opts.replicas + 1; i++) {
      const name = `${project}-redis-${i}`;
      run(name, `redis-${i}`, 6379, [...server, '--replicaof', primaryIp, '6379']);
      docker('start', name);
      dep.data.push(name);
    }
    for (let i = 1; i <= opts.sentinels; i++) {
      const name = `${project}-sentinel-${i}`;
      const conf = join(dir, `sentinel-${i}.conf`);
      writeFileSync(conf, ['port 26379', 'protected-mode no', `sentinel monitor mymaster ${primaryIp} 6379 2`, 'sentinel down-after-milliseconds mymaster 1000', 'sentinel failover-timeout mymaster 10000', ''].join('\n'));
      run(name, `sentinel-${i}`, 26379, ['redis-sentinel', '/data/sentinel.conf']);
      docker('cp', conf, `${name}:/data/sentinel.conf`);
      docker('start', name);
      dep.sentinels.push(name);
    }
    if (opts.sentinels > 0) await waitSentinelsKnowEachOther(dep);
    return dep;
  } catch (err) {
    dep.remove();
    throw err;
  }
}

/** Until every sentinel knows the replicas and the other sentinels (hello messages every 2 s). */
async function waitSentinelsKnowEachOther(dep: UserDeployment): Promise<void> {
  const deadline = Date.now() + 40_000;
  for (const s of dep.sentinels) {
    const client = new Redis({ host: ipOf(s, dep.network), port: 26379, lazyConnect: true, maxRetriesPerRequest: 1 });
    try {
      for (;;) {
        const flat = (await client.call('SENTINEL', 'MASTER', 'mymaster')) as string[];
        const m: Record<string, string> = {};
        for (let i = 0; i + 1 < flat.length; i += 2) m[flat[i]] = flat[i + 1];
        if (Number(m['num-slaves']) === dep.data.length - 1 && Number(m['num-other-sentinels']) === dep.sentinels.length - 1) break;
        if (Date.now() > deadline) throw new Error(`${s} never saw the whole deployment: ${JSON.stringify(m)}`);
        await new Promise((r) => setTimeout(r, 250));
      }
    } finally {
      client.disconnect();
    }
  }
}

/** State and role of each container, from Docker and from the nodes themselves (never from the harness). */
export function containerState(name: string): { running: boolean; paused: boolean } {
  const [running, paused] = docker('inspect', '-f', '{{.State.Running}} {{.State.Paused}}', name).split(' ');
  return { running: running === 'true', paused: paused === 'true' };
}

export function roleOf(name: string): string {
  // redis-cli inside the user's own container: the node's word, with no harness code in between.
  return docker('exec', name, 'redis-cli', '-p', '6379', 'ROLE').split('\n')[0];
}

/** The iptables chains in a container's network namespace whose names start with FD- (the harness's). */
export function fdChainsIn(name: string): string[] {
  const rules = docker('run', '--rm', '--net', `container:${name}`, '--cap-add', 'NET_ADMIN', NETTOOLS, 'iptables-save');
  return rules.split('\n').filter((l) => /^:FD-|-j FD-/.test(l));
}
