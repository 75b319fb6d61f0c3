/**
 * How the harness's clients reach the nodes. On Linux the host routes to a run's bridge network, so
 * writers, probes, verification and the tap connect **directly** to each node's address, as an
 * application on the same network would. Where container addresses are unreachable (Docker Desktop,
 * rootless Docker) they go through the ports published on 127.0.0.1 instead (docker-proxy, ~3x slower),
 * with ioredis's natMap translating the addresses Sentinel and the cluster report.
 */
import { connect } from 'node:net';
import type { ConnectionOptions } from 'node:tls';
import type { Node } from './node.ts';
import type { Endpoint } from './admin.ts';
import type { Credentials } from './secrets.ts';

export type ClientPath = 'direct' | 'published';

export class ClientAccess {
  private readonly sharedNatMap: Record<string, { host: string; port: number }> = {};
  /** Writers' connections to these nodes (by node name) go through a proxy instead (a slow client link). */
  private readonly detours = new Map<string, { host: string; port: number }>();

  constructor(
    readonly path: ClientPath,
    /** Why this path (for the run's progress and report). */
    readonly reason: string,
    readonly credentials?: Credentials,
    readonly tls?: ConnectionOptions,
  ) {}

  /** Where a connection to the node goes. */
  address(node: Node): { host: string; port: number } {
    return this.path === 'direct' ? { host: node.ip, port: node.port } : { host: '127.0.0.1', port: node.hostPort };
  }

  /** Address plus the credentials and TLS options this node needs. */
  endpoint(node: Node): Endpoint {
    const base = { ...this.address(node), ...(this.tls ? { tls: this.tls } : {}) };
    const c = this.credentials;
    if (!c) return base;
    if (node.kind === 'sentinel') return { ...base, password: c.sentinelPassword };
    return { ...base, username: c.user, password: c.password };
  }

  /**
   * ioredis natMap for the published path (undefined on the direct path): node address -> loopback
   * port. One object for the run, updated in place when a restarted node comes back with another
   * address, because ioredis reads it at every (re)connection.
   */
  natMap(nodes: Node[]): Record<string, { host: string; port: number }> | undefined {
    if (this.path === 'direct' && this.detours.size === 0) return undefined;
    for (const n of nodes) this.sharedNatMap[`${n.ip}:${n.port}`] = this.detours.get(n.name) ?? this.address(n);
    return this.sharedNatMap;
  }

  /**
   * From now on the writers reach this node through `via` (a link proxy): set before the writers
   * connect, since the natMap is what sends them there.
   */
  detour(node: Node, via: { host: string; port: number }): void {
    this.detours.set(node.name, via);
  }

  /** The node a client socket is connected to, from the socket's remote end. */
  nodeAtSocket(nodes: Node[], remoteAddress: string | undefined, remotePort: number | undefined): Node | undefined {
    if (remotePort === undefined) return undefined;
    for (const [name, via] of this.detours) if (via.port === remotePort) return nodes.find((n) => n.name === name);
    if (this.path === 'published') return nodes.find((n) => n.hostPort === remotePort);
    const ip = remoteAddress?.replace(/^::ffff:/, '');
    return nodes.find((n) => n.ip === ip && n.port === remotePort);
  }
}

/**
 * Direct when a TCP connection to the node's own address opens within the deadline; otherwise the
 * published ports. FERRITE_DRILL_CLIENT_PATH=direct|published forces one.
 */
export async function chooseClientPath(probe: Node, timeoutMs = 500): Promise<{ path: ClientPath; reason: string }> {
  const forced = process.env.FERRITE_DRILL_CLIENT_PATH;
  if (forced === 'direct' || forced === 'published') return { path: forced, reason: `FERRITE_DRILL_CLIENT_PATH=${forced}` };
  if (!probe.ip) return { path: 'published', reason: 'the node has no container address' };
  const reachable = await new Promise<string | null>((resolve) => {
    const socket = connect({ host: probe.ip, port: probe.port });
    const done = (why: string | null) => {
      socket.destroy();
      resolve(why);
    };
    socket.setTimeout(timeoutMs, () => done(`no answer within ${timeoutMs} ms`));
    socket.once('connect', () => done(null));
    // Refused means the address was reached and the server is not listening yet: the route works.
    socket.once('error', (err: NodeJS.ErrnoException) => done(err.code === 'ECONNREFUSED' ? null : err.message));
  });
  if (reachable === null) return { path: 'direct', reason: `this host routes to the containers' network (${probe.ip} answered)` };
  if (probe.hostPort === 0) return { path: 'direct', reason: `${probe.ip}:${probe.port} did not answer (${reachable}) and no port is published; trying direct anyway` };
  return { path: 'published', reason: `container addresses are not reachable from this host (${probe.ip}:${probe.port}: ${reachable}); using ports published on 127.0.0.1` };
}
