/**
 * One Toxiproxy-style TCP proxy: it listens, connects each client to the upstream, and pumps both
 * directions through the toxics active at that moment (toxics added or removed later apply to open
 * connections too, as in Toxiproxy). Data keeps its order; a delay is added per chunk from its arrival.
 */
import { createServer, connect, type Server, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { latencyOf, transferMs, type Stream, type Toxic } from './toxics.ts';

export interface ProxyConfig {
  name: string;
  /** host:port; port 0 picks a free one (the proxy then reports the real one). */
  listen: string;
  upstream: string;
  enabled: boolean;
}

export class ProxyError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

export function splitHostPort(address: string): { host: string; port: number } {
  const i = address.lastIndexOf(':');
  const port = Number(address.slice(i + 1));
  if (i < 0 || !Number.isInteger(port) || port < 0 || port > 65535) throw new ProxyError(`"${address}" is not host:port`, 400);
  return { host: address.slice(0, i).replace(/^\[|\]$/g, '') || '0.0.0.0', port };
}

export class Proxy {
  readonly toxics: Toxic[] = [];
  private server: Server | undefined;
  private readonly links = new Set<Link>();
  private config: ProxyConfig;

  constructor(config: ProxyConfig) {
    this.config = { ...config };
  }

  get name(): string {
    return this.config.name;
  }

  /** Open connections right now (for tests and for heal checks). */
  get connections(): number {
    return this.links.size;
  }

  toJSON(): ProxyConfig & { toxics: Toxic[] } {
    return { ...this.config, toxics: this.toxics };
  }

  async start(): Promise<void> {
    if (!this.config.enabled || this.server) return;
    const { host, port } = splitHostPort(this.config.listen);
    const server = createServer({ allowHalfOpen: true, noDelay: true }, (client) => this.accept(client));
    await new Promise<void>((resolve, reject) => {
      server.once('error', (err) => reject(new ProxyError(`proxy ${this.name} cannot listen on ${this.config.listen}: ${err.message}`, 500)));
      server.listen(port, host, () => resolve());
    });
    const addr = server.address();
    if (addr && typeof addr === 'object') this.config.listen = `${host}:${addr.port}`;
    this.server = server;
  }

  /** Closes the listener and every open connection. */
  async stop(): Promise<void> {
    for (const link of this.links) link.destroy();
    this.links.clear();
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  async update(patch: Partial<Omit<ProxyConfig, 'name'>>): Promise<void> {
    const wasEnabled = this.config.enabled;
    const moved = (patch.listen !== undefined && patch.listen !== this.config.listen) || (patch.upstream !== undefined && patch.upstream !== this.config.upstream);
    this.config = { ...this.config, ...patch };
    if (wasEnabled && (!this.config.enabled || moved)) await this.stop();
    if (this.config.enabled) await this.start();
  }

  addToxic(toxic: Toxic): void {
    if (this.toxics.some((t) => t.name === toxic.name)) throw new ProxyError(`toxic ${toxic.name} already exists`, 409);
    this.toxics.push(toxic);
    for (const link of this.links) link.toxicAdded(toxic);
  }

  updateToxic(name: string, patch: Partial<Pick<Toxic, 'toxicity' | 'attributes'>>): Toxic {
    const toxic = this.toxic(name);
    if (patch.toxicity !== undefined) toxic.toxicity = patch.toxicity;
    if (patch.attributes) toxic.attributes = { ...toxic.attributes, ...patch.attributes };
    return toxic;
  }

  removeToxic(name: string): void {
    this.toxics.splice(this.toxics.indexOf(this.toxic(name)), 1);
    for (const link of this.links) link.toxicRemoved(name);
  }

  toxic(name: string): Toxic {
    const toxic = this.toxics.find((t) => t.name === name);
    if (!toxic) throw new ProxyError(`toxic not found: ${name}`, 404);
    return toxic;
  }

  private accept(client: Socket): void {
    const up = splitHostPort(this.config.upstream);
    const server = connect({ host: up.host, port: up.port, allowHalfOpen: true, noDelay: true });
    const link = new Link(client, server, this.toxics, () => this.links.delete(link));
    this.links.add(link);
  }
}

/** One client connection and its upstream connection. */
class Link {
  private readonly applies = new Map<string, boolean>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly pipes: Pipe[];
  private closed = false;

  constructor(
    readonly client: Socket,
    readonly server: Socket,
    private readonly toxics: Toxic[],
    private readonly onClose: () => void,
  ) {
    this.pipes = [new Pipe(client, server, 'upstream', this), new Pipe(server, client, 'downstream', this)];
    client.on('error', () => this.destroy());
    client.on('close', () => this.destroy());
    // The upstream gone (a crashed server): what it sent is already on the wire and still arrives, after
    // its delay, then the client's side closes. Only then is the link gone.
    server.on('error', () => this.upstreamGone());
    server.on('close', () => this.upstreamGone());
    for (const t of toxics) this.toxicAdded(t);
  }

  /** The toxics that act on this link's stream now (toxicity drawn once per link and toxic). */
  active(stream: Stream): Toxic[] {
    return this.toxics.filter((t) => t.stream === stream && this.appliesTo(t));
  }

  private appliesTo(t: Toxic): boolean {
    let yes = this.applies.get(t.name);
    if (yes === undefined) this.applies.set(t.name, (yes = Math.random() < t.toxicity));
    return yes;
  }

  /** timeout and reset_peer act on the whole connection, from the moment they apply. */
  toxicAdded(t: Toxic): void {
    if (!this.appliesTo(t)) return;
    if (t.type === 'reset_peer') this.after(t, () => this.reset());
    if (t.type === 'timeout' && t.attributes.timeout > 0) this.after(t, () => this.destroy());
  }

  toxicRemoved(name: string): void {
    clearTimeout(this.timers.get(name));
    this.timers.delete(name);
    this.applies.delete(name);
    for (const p of this.pipes) p.flush();
  }

  private after(t: Toxic, action: () => void): void {
    this.timers.set(t.name, setTimeout(action, t.attributes.timeout));
  }

  private upstreamGone(): void {
    if (this.closed) return;
    this.pipes[0].stop();
    this.pipes[1].finish();
  }

  /** Both sides see "connection reset by peer" (RST), as a crashed peer or a middlebox would cause. */
  reset(): void {
    if (this.closed) return;
    for (const s of [this.client, this.server]) (s.destroyed ? undefined : s.resetAndDestroy());
    this.destroy();
  }

  destroy(): void {
    if (this.closed) return;
    this.closed = true;
    for (const t of this.timers.values()) clearTimeout(t);
    for (const p of this.pipes) p.stop();
    this.client.destroy();
    this.server.destroy();
    this.onClose();
  }
}

/** Past this many bytes waiting for their delay the source is paused (a slow link pushes back). */
const HIGH_WATER = 4 * 1024 * 1024;

/** One direction of a link: chunks wait for their delivery time, in order. */
class Pipe {
  private readonly queue: { at: number; chunk: Buffer }[] = [];
  private queued = 0;
  private lastAt = 0;
  private bandwidthFree = 0;
  private timer: NodeJS.Timeout | undefined;
  private ended = false;
  /** Closing of the destination scheduled (once). */
  private finished = false;
  private blocked = false;

  constructor(
    private readonly src: Socket,
    private readonly dst: Socket,
    private readonly stream: Stream,
    private readonly link: Link,
  ) {
    src.on('data', (chunk: Buffer) => this.onData(chunk));
    src.on('end', () => {
      this.ended = true;
      this.pump();
    });
    dst.on('drain', () => {
      this.blocked = false;
      this.pump();
    });
  }

  private onData(chunk: Buffer): void {
    const toxics = this.link.active(this.stream);
    // A blackhole: the data is dropped (Toxiproxy's timeout toxic), the connection stays open.
    if (toxics.some((t) => t.type === 'timeout' || t.type === 'reset_peer')) return;
    const now = performance.now();
    let at = now;
    for (const t of toxics) {
      if (t.type === 'latency') at += latencyOf(t);
      if (t.type === 'bandwidth') at = this.bandwidthFree = Math.max(at, this.bandwidthFree) + transferMs(t, chunk.length);
    }
    this.lastAt = Math.max(at, this.lastAt);
    this.queue.push({ at: this.lastAt, chunk });
    this.queued += chunk.length;
    this.pump();
  }

  /** Re-times nothing; just delivers what is due (called when toxics go away too). */
  flush(): void {
    this.pump();
  }

  /** The source is gone: deliver what is queued, then close the destination's side. */
  finish(): void {
    if (this.ended || this.finished) return;
    this.ended = true;
    this.pump();
  }

  private pump(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const now = performance.now();
    while (this.queue.length > 0 && this.queue[0].at <= now + 0.5 && !this.blocked) {
      const { chunk } = this.queue.shift()!;
      this.queued -= chunk.length;
      if (!this.dst.destroyed && !this.dst.write(chunk)) this.blocked = true;
    }
    if (this.queued > HIGH_WATER || this.blocked) this.src.pause();
    else if (!this.src.destroyed) this.src.resume();
    if (this.queue.length > 0) {
      if (!this.blocked) this.timer = setTimeout(() => this.pump(), Math.max(0, this.queue[0].at - now));
      return;
    }
    if (this.ended) this.closeLater();
  }

  /** The source closed its side: close ours once everything is delivered (later with slow_close). */
  private closeLater(): void {
    this.ended = false;
    this.finished = true;
    const delay = this.link.active(this.stream).filter((t) => t.type === 'slow_close').reduce((sum, t) => sum + t.attributes.delay, 0);
    this.timer = setTimeout(() => {
      if (!this.dst.destroyed) this.dst.end();
    }, delay);
  }

  stop(): void {
    clearTimeout(this.timer);
    this.queue.length = 0;
  }
}
