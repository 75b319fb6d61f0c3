/**
 * Brings a Sentinel topology up in Docker, knows its nodes, and tears it down. One private bridge
 * network per run; every container and the network are labeled with the run id; ports are published
 * on 127.0.0.1 only.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type Docker from 'dockerode';
import tar from 'tar-stream';
import { createServer, type AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { docker, drain, demuxDockerStream, removeNetwork, runLabels, LABEL_NODE, LABEL_RUN } from './docker.ts';
import { AdminClients, parseInfo, pairsToRecord, type Endpoint } from './admin.ts';
import { redact, type Credentials } from './secrets.ts';
import { PROFILES } from './profiles.ts';
import { clientTlsOptions, makeDrillCertificates, removeDrillCertificates, tlsConfig, tlsFiles, type TlsMaterial } from './tls.ts';
import type { ConnectionOptions } from 'node:tls';
import type { Scenario } from '../scenario/schema.ts';
import type { Journal } from '../journal/journal.ts';
import { InfrastructureError } from '../util/errors.ts';
import { waitFor } from '../util/time.ts';

export const REDIS_PORT = 6379;
/** Sentinels' down-after until the whole topology is up (see startSentinel). */
const BRINGUP_DOWN_AFTER_MS = 60_000;
export const SENTINEL_PORT = 26379;

export interface NodeInfo {
  name: string;
  kind: 'data' | 'sentinel';
  containerId: string;
  containerName: string;
  /** Address on the run's private network (what Sentinel reports). */
  ip: string;
  /** Port inside the container. */
  port: number;
  /** Published port on 127.0.0.1. */
  hostPort: number;
}

export class Topology {
  readonly nodes: NodeInfo[] = [];
  readonly admin = new AdminClients();
  private tornDown = false;

  /**
   * Container starts (which create the network endpoints) run one at a time, in a fixed order: the
   * primary, the replicas, the sentinels. Docker 20.10's libnetwork counts a network's endpoints with a
   * read-modify-write that concurrent endpoint creation can count twice; the network then reports
   * "active endpoints" with none attached and can never be removed (seen in about 1 drill in 50 when all
   * containers started at once). Creating containers and uploading their files stay parallel; the order
   * lets replicas find their primary already up instead of waiting out a reconnect.
   */
  private startTurns = new Map<string, { ready: Promise<void>; release: () => void }>();

  private planStartOrder(names: string[]): void {
    let previous: Promise<void> = Promise.resolve();
    for (const name of names) {
      let release!: () => void;
      const done = new Promise<void>((resolve) => (release = resolve));
      this.startTurns.set(name, { ready: previous, release });
      previous = done;
    }
  }

  constructor(
    readonly runId: string,
    readonly spec: Scenario['topology'],
    readonly image: string,
    private readonly journal: Journal,
    private readonly options: { enableDebugCommand?: boolean; credentials?: Credentials } = {},
  ) {}

  get networkName(): string {
    return `fd-${this.runId}`;
  }

  get dataNodes(): NodeInfo[] {
    return this.nodes.filter((n) => n.kind === 'data');
  }

  get sentinels(): NodeInfo[] {
    return this.nodes.filter((n) => n.kind === 'sentinel');
  }

  get masterName(): string {
    return this.spec.sentinel.masterName;
  }

  node(name: string): NodeInfo {
    const node = this.nodes.find((n) => n.name === name);
    if (!node) throw new Error(`no node named ${name}`);
    return node;
  }

  nodeByIp(ip: string, port = REDIS_PORT): NodeInfo | undefined {
    return this.nodes.find((n) => n.ip === ip && n.port === port);
  }

  nodeByHostPort(hostPort: number): NodeInfo | undefined {
    return this.nodes.find((n) => n.hostPort === hostPort);
  }

  /** How the harness reaches a node: its loopback port, and the credentials it needs, if any. */
  endpoint(node: NodeInfo): Endpoint {
    const c = this.options.credentials;
    const tls = this.clientTls;
    const base = { host: '127.0.0.1', port: node.hostPort, ...(tls ? { tls } : {}) };
    if (!c) return base;
    if (node.kind === 'sentinel') return { ...base, password: c.sentinelPassword };
    return { ...base, username: c.user, password: c.password };
  }

  /** TLS options for the harness's clients; undefined when the topology does not use TLS. */
  get clientTls(): ConnectionOptions | undefined {
    return this.tls ? clientTlsOptions(this.tls) : undefined;
  }
  private tls: TlsMaterial | undefined;

  get credentials(): Credentials | undefined {
    return this.options.credentials;
  }

  /** Config file lines that secure a data node (passed in a file: argv shows in `docker inspect`). */
  private dataNodeAuthConfig(): string[] {
    const c = this.options.credentials;
    if (!c) return [];
    if (c.user) return ['user default off', `user ${c.user} on >${c.password} ~* &* +@all`, `masteruser ${c.user}`, `masterauth ${c.password}`];
    return [`requirepass ${c.password}`, `masterauth ${c.password}`];
  }

  /**
   * ioredis natMap: container address -> loopback port (also works where container IPs are unreachable).
   * One object for the run, updated in place when a restarted container comes back with another address,
   * because ioredis reads it at every (re)connection.
   */
  natMap(): Record<string, { host: string; port: number }> {
    for (const n of this.nodes) this.sharedNatMap[`${n.ip}:${n.port}`] = { host: '127.0.0.1', port: n.hostPort };
    return this.sharedNatMap;
  }
  private readonly sharedNatMap: Record<string, { host: string; port: number }> = {};

  /** Containers the harness added beside the nodes (fault helpers); removed first at teardown. */
  readonly extraContainers = new Set<string>();

  /** The network's gateway: where the harness's own connections (through docker-proxy) come from. */
  gatewayIp = '';

  /**
   * Re-reads a node's address after its container was started again (Docker may hand out another IP),
   * and says whether it changed.
   */
  async refresh(node: NodeInfo): Promise<boolean> {
    const info = await this.container(node).inspect();
    const ip = info.NetworkSettings.Networks[this.networkName]?.IPAddress ?? '';
    if (!ip || ip === node.ip) return false;
    this.journal.append('topology.address-changed', { node: node.name, from: node.ip, to: ip });
    node.ip = ip;
    this.natMap();
    return true;
  }

  command(node: NodeInfo, command: string, ...args: (string | number)[]): Promise<unknown> {
    return this.admin.call(this.endpoint(node), command, ...args);
  }

  container(node: NodeInfo): Docker.Container {
    return docker().getContainer(node.containerId);
  }

  /** Starts everything and waits until replication is online and the sentinels agree. */
  async up(signal: AbortSignal, timeoutMs = 60_000): Promise<void> {
    const { subnet, gateway } = await createNetworkWithSubnet(this.networkName, runLabels(this.runId));
    this.gatewayIp = gateway;
    this.journal.append('topology.network', { network: this.networkName, subnet });

    // Every address is fixed before anything starts, so all containers start at once: replicas know
    // their primary, and each sentinel already knows the replicas and the other sentinels (no waiting
    // for Sentinel's 2 s hello and 10 s INFO discovery). Fixed addresses also survive a restart.
    const replicaNames = Array.from({ length: this.spec.replicas }, (_, i) => `redis-${i + 2}`);
    const sentinelNames = Array.from({ length: this.spec.sentinels }, (_, i) => `sentinel-${i + 1}`);
    const ips = new Map<string, string>();
    ['redis-1', ...replicaNames, ...sentinelNames].forEach((name, i) => ips.set(name, addressInSubnet(subnet, i + 2)));
    const sentinelIds = new Map(sentinelNames.map((name) => [name, randomBytes(20).toString('hex')]));
    const primaryIp = ips.get('redis-1')!;
    if (this.spec.tls?.enabled) {
      this.tls = await makeDrillCertificates(this.runId, ['127.0.0.1', ...ips.values()], ['localhost', ...ips.keys()]);
      this.journal.append('topology.tls', { clientAuth: this.spec.tls.clientAuth });
    }
    this.planStartOrder(['redis-1', ...replicaNames, ...sentinelNames]);
    const primary = this.startContainer('redis-1', 'data', REDIS_PORT, this.dataNodeArgs([]), primaryIp, this.dataNodeFiles());
    const replicas = replicaNames.map((name) =>
      this.startContainer(name, 'data', REDIS_PORT, this.dataNodeArgs(['--replicaof', primaryIp, String(REDIS_PORT)]), ips.get(name)!, this.dataNodeFiles()),
    );
    const sentinels = Promise.all(
      sentinelNames.map((name) =>
        this.startSentinel(name, ips.get(name)!, sentinelIds.get(name)!, primaryIp, replicaNames.map((r) => ips.get(r)!),
          sentinelNames.filter((o) => o !== name).map((o) => ({ ip: ips.get(o)!, id: sentinelIds.get(o)! }))),
      ),
    );
    // allSettled, not all: a failure must not leave other creations in flight when teardown runs.
    const started = await Promise.allSettled([primary, ...replicas, sentinels]);
    const failed = started.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
    // Containers were created concurrently: restore the canonical order (redis-1 first, then replicas,
    // then sentinels) that reports, the journal and "the first data node" rely on.
    const order = ['redis-1', ...replicaNames, ...sentinelNames];
    this.nodes.sort((a, b) => order.indexOf(a.name) - order.indexOf(b.name));
    await this.waitReplicationOnline(signal, timeoutMs);
    const { downAfter } = this.spec.sentinel;
    await this.waitSentinelsReady(primaryIp, Math.max(downAfter, BRINGUP_DOWN_AFTER_MS), signal, timeoutMs);
    await this.applyDrillDownAfter();
    await this.waitSentinelsReady(primaryIp, downAfter, signal, timeoutMs);
    this.journal.append('topology.nodes', {
      nodes: this.nodes.map(({ name, kind, ip, port, hostPort, containerName }) => ({ name, kind, ip, port, hostPort, containerName })),
    });
  }

  private dataNodeArgs(extra: string[]): string[] {
    const profile = PROFILES[this.spec.server];
    const config = Object.entries(this.spec.serverConfig).flatMap(([k, v]) => [`--${k}`, String(v)]);
    // DEBUG SLEEP (the stall fault) needs the DEBUG command, off by default since Redis 7.
    const debug = this.options.enableDebugCommand ? ['--enable-debug-command', 'yes'] : [];
    // With TLS the ports are set in the config file (plain port closed, TLS port open).
    const port = this.tls ? [] : ['--port', String(REDIS_PORT)];
    return [profile.serverBinary, '/data/redis.conf', ...port, '--protected-mode', 'no', '--save', '', '--appendonly', 'no', ...debug, ...config, ...extra];
  }

  private sentinelAuthConfig(): string[] {
    const c = this.options.credentials;
    if (!c) return [];
    const m = this.masterName;
    const lines = [`sentinel auth-pass ${m} ${c.password}`];
    if (c.user) lines.push(`sentinel auth-user ${m} ${c.user}`);
    if (c.sentinelPassword) lines.push(`requirepass ${c.sentinelPassword}`, `sentinel sentinel-pass ${c.sentinelPassword}`);
    return lines;
  }

  private dataNodeFiles(): Record<string, string> {
    const tls = this.tls ? tlsConfig(REDIS_PORT, this.spec.tls!.clientAuth) : [];
    const conf = { 'redis.conf': ['# written by ferrite-drill', ...tls, ...this.dataNodeAuthConfig(), ''].join('\n') };
    return this.tls ? { ...conf, ...tlsFiles(this.tls) } : conf;
  }

  private async startSentinel(
    name: string,
    ip: string,
    myId: string,
    primaryIp: string,
    replicaIps: string[],
    peers: { ip: string; id: string }[],
  ): Promise<NodeInfo> {
    const s = this.spec.sentinel;
    const m = this.masterName;
    const conf = [
      ...(this.tls ? tlsConfig(SENTINEL_PORT, this.spec.tls!.clientAuth) : [`port ${SENTINEL_PORT}`]),
      'protected-mode no',
      `sentinel myid ${myId}`,
      `sentinel monitor ${m} ${primaryIp} ${REDIS_PORT} ${s.quorum}`,
      // Everything starts at once, so a sentinel may start before the primary's address even exists; its
      // first connection then hangs, and with the drill's down-after it would flag (or fail over) a healthy
      // primary. It starts patient and gets the scenario's value once every link is live (see up()).
      `sentinel down-after-milliseconds ${m} ${Math.max(s.downAfter, BRINGUP_DOWN_AFTER_MS)}`,
      `sentinel failover-timeout ${m} ${s.failoverTimeout}`,
      `sentinel parallel-syncs ${m} ${s.parallelSyncs}`,
      ...replicaIps.map((r) => `sentinel known-replica ${m} ${r} ${REDIS_PORT}`),
      ...peers.map((p) => `sentinel known-sentinel ${m} ${p.ip} ${SENTINEL_PORT} ${p.id}`),
      ...this.sentinelAuthConfig(),
      '',
    ].join('\n');
    const profile = PROFILES[this.spec.server];
    // Sentinel rewrites its config file, so it lives in /data (writable, and owned by the server user
    // in upstream images).
    return this.startContainer(name, 'sentinel', SENTINEL_PORT, [profile.serverBinary, '/data/sentinel.conf', '--sentinel'], ip, {
      'sentinel.conf': conf,
      ...(this.tls ? tlsFiles(this.tls) : {}),
    });
  }

  private async startContainer(
    name: string,
    kind: NodeInfo['kind'],
    port: number,
    cmd: string[],
    ip: string,
    files: Record<string, string> = {},
  ): Promise<NodeInfo> {
    const turn = this.startTurns.get(name);
    try {
      return await this.createAndStart(name, kind, port, cmd, ip, files, turn);
    } finally {
      turn?.release(); // a failed node must not hold up the ones after it
    }
  }

  private async createAndStart(
    name: string,
    kind: NodeInfo['kind'],
    port: number,
    cmd: string[],
    ip: string,
    files: Record<string, string>,
    turn: { ready: Promise<void>; release: () => void } | undefined,
  ): Promise<NodeInfo> {
    const containerName = `${this.networkName}-${name}`;
    // A fixed host port (not Docker's random one) survives a stop/start of the container, so clients
    // can reconnect to a restarted node at the same loopback address.
    const hostPort = await freeLoopbackPort();
    const container = await docker().createContainer({
      name: containerName,
      Image: this.image,
      Cmd: cmd,
      Hostname: name,
      Labels: runLabels(this.runId, { [LABEL_NODE]: name }),
      ExposedPorts: { [`${port}/tcp`]: {} },
      HostConfig: {
        // 127.0.0.1 only: drill servers run without a password and must not be reachable from outside.
        PortBindings: { [`${port}/tcp`]: [{ HostIp: '127.0.0.1', HostPort: String(hostPort) }] },
        NetworkMode: this.networkName,
        AutoRemove: false, // a killed container keeps its logs until teardown collects them
      },
      NetworkingConfig: { EndpointsConfig: { [this.networkName]: { Aliases: [name], IPAMConfig: { IPv4Address: ip } } } },
      StopTimeout: 1,
    });
    // Recorded before start so teardown removes it even if starting fails.
    const node: NodeInfo = { name, kind, containerId: container.id, containerName, ip: '', port, hostPort: 0 };
    this.nodes.push(node);
    if (Object.keys(files).length > 0) await container.putArchive(tarOf(files) as unknown as NodeJS.ReadableStream, { path: '/data' });
    await turn?.ready;
    await container.start();
    turn?.release();
    const info = await container.inspect();
    node.ip = info.NetworkSettings.Networks[this.networkName]?.IPAddress ?? '';
    node.hostPort = Number(info.NetworkSettings.Ports[`${port}/tcp`]?.[0]?.HostPort ?? 0);
    if (!node.ip || !node.hostPort) throw new InfrastructureError(`container ${containerName} started without an address or published port`);
    this.journal.append('topology.container', { node: name, kind, ip: node.ip, hostPort: node.hostPort });
    return node;
  }

  private async waitReplicationOnline(signal: AbortSignal, timeoutMs: number): Promise<void> {
    await waitFor(
      'replicas to report master_link_status:up',
      async (note) => {
        for (const node of this.dataNodes) {
          await this.assertRunning(node);
          const info = parseInfo(String(await this.command(node, 'INFO', 'replication')));
          if (info.role === 'slave' && info.master_link_status !== 'up') {
            note(`${node.name}: master_link_status:${info.master_link_status}`);
            return undefined;
          }
        }
        return true;
      },
      { timeoutMs, signal, intervalMs: 25 },
    );
  }

  /** Gives every sentinel the scenario's down-after (Sentinel passes it on to its replica and peer records). */
  private async applyDrillDownAfter(): Promise<void> {
    const downAfter = this.spec.sentinel.downAfter;
    if (downAfter >= BRINGUP_DOWN_AFTER_MS) return;
    await Promise.all(this.sentinels.map((s) => this.command(s, 'SENTINEL', 'SET', this.masterName, 'down-after-milliseconds', downAfter)));
    this.journal.append('topology.down-after', { downAfterMs: downAfter });
  }

  /**
   * Ready: each sentinel has a live, answering link to the intended primary, to every replica and to
   * every other sentinel (flags exactly master/slave/sentinel, so not "disconnected", and a PING answered
   * within the last 1.5 s), uses `downAfterMs`, and has a reachable quorum. A link merely "not down" is
   * not enough: a sentinel whose first connection is still pending (the address did not exist yet when
   * it started) counts down-after from its own start and flags a healthy primary moments later.
   */
  private async waitSentinelsReady(primaryIp: string, downAfterMs: number, signal: AbortSignal, timeoutMs: number): Promise<void> {
    const expectPeers = this.spec.sentinels - 1;
    const live = (r: Record<string, string>, flags: string) => r.flags === flags && Number(r['last-ok-ping-reply']) < 1500;
    await waitFor(
      'sentinels to be connected to the primary, the replicas and each other, with a reachable quorum',
      async (note) => {
        for (const s of this.sentinels) {
          await this.assertRunning(s);
          const master = pairsToRecord((await this.command(s, 'SENTINEL', 'MASTER', this.masterName)) as unknown[]);
          if (!live(master, 'master') || master.ip !== primaryIp || Number(master['down-after-milliseconds']) !== downAfterMs) {
            note(`${s.name} sees the primary at ${master.ip} with flags ${master.flags}, last PING answered ${master['last-ok-ping-reply']} ms ago, down-after ${master['down-after-milliseconds']} ms`);
            return undefined;
          }
          const replicas = ((await this.command(s, 'SENTINEL', 'REPLICAS', this.masterName)) as unknown[]).map(pairsToRecord);
          const liveReplicas = replicas.filter((r) => live(r, 'slave')).length;
          if (liveReplicas < this.spec.replicas) {
            note(`${s.name} has live links to ${liveReplicas}/${this.spec.replicas} replicas`);
            return undefined;
          }
          const peers = ((await this.command(s, 'SENTINEL', 'SENTINELS', this.masterName)) as unknown[]).map(pairsToRecord);
          const livePeers = peers.filter((p) => live(p, 'sentinel')).length;
          if (livePeers < expectPeers) {
            note(`${s.name} has live links to ${livePeers}/${expectPeers} other sentinels`);
            return undefined;
          }
          const ck = String(await this.command(s, 'SENTINEL', 'CKQUORUM', this.masterName));
          if (!ck.startsWith('OK')) {
            note(`${s.name}: CKQUORUM ${ck}`);
            return undefined;
          }
        }
        return true;
      },
      { timeoutMs, signal, intervalMs: 25 },
    );
  }

  /** Throws an infrastructure error when a container that should be running is not. */
  async assertRunning(node: NodeInfo): Promise<void> {
    const info = await this.container(node).inspect();
    if (!info.State.Running) {
      const logs = await this.logsOf(node).catch(() => '');
      throw new InfrastructureError(
        `container ${node.containerName} is not running (exit code ${info.State.ExitCode}); last log lines:\n${logs.trim().split('\n').slice(-5).join('\n')}`,
      );
    }
  }

  async logsOf(node: NodeInfo): Promise<string> {
    const raw = await this.container(node).logs({ stdout: true, stderr: true, follow: false, timestamps: false });
    return demuxDockerStream(Buffer.isBuffer(raw) ? raw : await drain(raw as NodeJS.ReadableStream));
  }

  /** Saves every container's log to `dir/<node>.log`; returns the paths. */
  async saveLogs(dir: string): Promise<Record<string, string>> {
    await mkdir(dir, { recursive: true });
    const out: Record<string, string> = {};
    await Promise.all(
      this.nodes.map(async (node) => {
        try {
          const path = join(dir, `${node.name}.log`);
          await writeFile(path, redact(await this.logsOf(node), this.options.credentials));
          out[node.name] = path;
        } catch {
          // a container that never got created has no log; teardown still proceeds
        }
      }),
    );
    return out;
  }

  /** Removes every container and the network. Safe to call twice and after a partial bring-up. */
  async down(): Promise<void> {
    if (this.tornDown) return;
    this.tornDown = true;
    this.admin.closeAll();
    // Helpers share a node's network namespace: remove them before the nodes.
    await Promise.all([...this.extraContainers].map((id) => docker().getContainer(id).remove({ force: true, v: true }).catch(ignoreMissing)));
    await Promise.all(
      this.nodes.map((n) => docker().getContainer(n.containerId).remove({ force: true, v: true }).catch(ignoreMissing)),
    );
    // Then by label: whatever an interrupted creation made without our hearing of it.
    const filters = { label: [`${LABEL_RUN}=${this.runId}`] };
    const stray = await docker().listContainers({ all: true, filters });
    await Promise.all(stray.map((c) => docker().getContainer(c.Id).remove({ force: true, v: true }).catch(ignoreMissing)));
    const networks = await docker().listNetworks({ filters });
    await Promise.all(networks.map((n) => removeNetwork(n.Id, n.Name)));
    await removeDrillCertificates(this.tls);
  }
}

/**
 * Creates the run's network with a subnet Docker itself picked (so it never collides with the host's
 * or other runs' networks), declared explicitly so containers can have fixed addresses: Docker only
 * allows fixed addresses on networks whose subnet was given at creation.
 */
async function createNetworkWithSubnet(name: string, labels: Record<string, string>): Promise<{ id: string; subnet: string; gateway: string }> {
  let lastError: unknown;
  for (let attempt = 0; attempt < 5; attempt++) {
    const probe = await docker().createNetwork({ Name: name, Driver: 'bridge', CheckDuplicate: true, Labels: labels });
    const info = await probe.inspect();
    const { Subnet: subnet, Gateway: gateway } = info.IPAM?.Config?.[0] ?? {};
    await probe.remove();
    if (!subnet || !gateway) throw new InfrastructureError(`Docker gave network ${name} no IPv4 subnet`);
    try {
      const net = await docker().createNetwork({
        Name: name,
        Driver: 'bridge',
        CheckDuplicate: true,
        Labels: labels,
        IPAM: { Driver: 'default', Config: [{ Subnet: subnet, Gateway: gateway }] },
      });
      return { id: net.id, subnet, gateway };
    } catch (err) {
      lastError = err; // another run took the subnet in between: ask Docker again
    }
  }
  throw new InfrastructureError(`could not create network ${name}: ${(lastError as Error)?.message}`);
}

/** The n-th address of an IPv4 subnet ("172.22.0.0/16", 2 -> "172.22.0.2"). */
export function addressInSubnet(subnet: string, n: number): string {
  const [base, bits] = subnet.split('/');
  const int = base.split('.').reduce((acc, o) => acc * 256 + Number(o), 0);
  if (n >= 2 ** (32 - Number(bits)) - 1) throw new InfrastructureError(`subnet ${subnet} is too small for ${n} nodes`);
  const v = int + n;
  return [24, 16, 8, 0].map((shift) => Math.floor(v / 2 ** shift) % 256).join('.');
}

/** A free TCP port on 127.0.0.1, found by letting the kernel pick one. */
function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function ignoreMissing(err: { statusCode?: number }): void {
  if (err?.statusCode === 404) return;
  throw err;
}

function tarOf(files: Record<string, string>): tar.Pack {
  const pack = tar.pack();
  const dirs = new Set(Object.keys(files).filter((n) => n.includes('/')).map((n) => n.slice(0, n.lastIndexOf('/'))));
  for (const dir of dirs) pack.entry({ name: dir, type: 'directory', mode: 0o755 });
  for (const [name, content] of Object.entries(files)) pack.entry({ name, mode: 0o644 }, content);
  pack.finalize();
  return pack;
}
