/**
 * The write load: N writers, each with its own ioredis Sentinel client (so WAIT counts that writer's
 * writes), each write a unique key/value followed by WAIT on the same connection, every outcome in the
 * ledger. Clients reach containers through their 127.0.0.1 ports via natMap.
 */
import { Redis } from 'ioredis';
import { Code, Ledger, NODE_UNKNOWN, WAIT_UNKNOWN, type WriterLedger } from './ledger.ts';
import { classifyError } from './classify.ts';
import type { Journal } from '../journal/journal.ts';
import type { Scenario } from '../scenario/schema.ts';
import type { Topology } from '../topology/topology.ts';
import { sleep, waitFor } from '../util/time.ts';

/** Pause after a write that could not even be sent, so a disconnected writer does not spin. */
const NOT_CONNECTED_BACKOFF_MS = 10;
/** How often a disconnected client retries (connect and ask Sentinel for the primary). */
const RECONNECT_INTERVAL_MS = 25;

export class WriteLoad {
  readonly ledger: Ledger;
  /** Running totals for the live status line (cheaper than scanning the ledger). */
  readonly counts = { acknowledged: 0, failed: 0, indeterminate: 0 };
  private clients: Redis[] = [];
  private running: Promise<void>[] = [];
  private stopped = false;

  constructor(
    private readonly spec: Scenario['load'],
    private readonly topology: Topology,
    private readonly journal: Journal,
    runTag: string,
  ) {
    this.ledger = new Ledger(spec.writers, runTag, spec.valueSize);
  }

  /** Connects every writer's client; resolves when all are ready. */
  async connect(signal: AbortSignal, timeoutMs = 15_000): Promise<void> {
    const topo = this.topology;
    for (let w = 0; w < this.spec.writers; w++) {
      const client = new Redis({
        sentinels: topo.sentinels.map((s) => ({ host: '127.0.0.1', port: s.hostPort })),
        name: topo.masterName,
        natMap: topo.natMap(),
        username: topo.credentials?.user,
        password: topo.credentials?.password,
        sentinelPassword: topo.credentials?.sentinelPassword,
        // TLS to the sentinels and to the nodes they name, verified against the drill's CA.
        ...(topo.clientTls ? { tls: topo.clientTls, sentinelTLS: topo.clientTls, enableTLSForSentinelMode: true } : {}),
        role: 'master',
        connectTimeout: 1000,
        sentinelCommandTimeout: 500,
        commandTimeout: this.spec.commandTimeout,
        // No offline queue and no re-sending: a write is sent once, on the connection it was issued on,
        // so its outcome is known (or honestly indeterminate), never silently retried elsewhere.
        enableOfflineQueue: false,
        autoResendUnfulfilledCommands: false,
        maxRetriesPerRequest: 0,
        retryStrategy: () => RECONNECT_INTERVAL_MS,
        // A demoted primary answers READONLY: reconnect (asking Sentinel again) as production clients do,
        // without re-sending the write (1 = reconnect only).
        reconnectOnError: (err: Error) => (err.message.startsWith('READONLY') ? 1 : false),
        sentinelRetryStrategy: () => RECONNECT_INTERVAL_MS,
        lazyConnect: true,
        // At stop, nothing is in flight: do not wait the default 2 s for a half-closed socket (through
        // docker-proxy the server's side of the close can lag), which kept the process alive after the run.
        disconnectTimeout: 100,
      });
      client.on('error', () => {}); // errors are recorded per write
      client.on('ready', () => this.journal.append('client.ready', { writer: w, node: this.nodeOf(client)?.name ?? null }));
      client.on('close', () => {
        if (!this.stopped) this.journal.append('client.close', { writer: w });
      });
      this.clients.push(client);
    }
    await Promise.all(this.clients.map((c) => c.connect().catch(() => {})));
    await waitFor(
      'every writer to connect to the primary',
      async (note) => {
        const notReady = this.clients.filter((c) => c.status !== 'ready').length;
        if (notReady > 0) note(`${notReady} writers not connected`);
        return notReady === 0 ? true : undefined;
      },
      { timeoutMs, signal, intervalMs: 20 },
    );
  }

  /** Starts every writer; they run until stop(). */
  start(): void {
    const interval = this.spec.rate === 'unlimited' ? 0 : (this.spec.writers * 1000) / this.spec.rate;
    this.running = this.clients.map((client, w) => this.runWriter(client, this.ledger.writers[w], interval));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all(this.running);
    for (const c of this.clients) c.disconnect();
  }

  private unclassified = 0;
  /** Errors the classifier does not know are indeterminate; the first few are journaled so they can be named. */
  private noteUnclassified(writer: number, err: unknown): void {
    if (this.unclassified++ < 10) this.journal.append('write.unclassified-error', { writer, message: String((err as Error)?.message ?? err) });
  }

  private nodeOf(client: Redis): { name: string; index: number } | undefined {
    const port = (client as unknown as { stream?: { remotePort?: number } }).stream?.remotePort;
    if (!port) return undefined;
    const index = this.topology.nodes.findIndex((n) => n.hostPort === port);
    return index >= 0 ? { name: this.topology.nodes[index].name, index } : undefined;
  }

  /** One write: SET, then WAIT on the same connection (sent together), classified. */
  private async writeOnce(client: Redis, writer: number, key: string, value: string): Promise<{ code: number; waitReply: number; node: number }> {
    const { replicas, timeout } = this.spec.wait;
    try {
      if (replicas === 0) {
        // No replica to wait for: a plain SET (WAIT 0 would only cost a round trip).
        await client.set(key, value);
        return { code: Code.ok, waitReply: 0, node: this.nodeOf(client)?.index ?? NODE_UNKNOWN };
      }
      // SET and WAIT go out together on the same connection: one round trip, and WAIT covers this SET.
      const [setResult, waitResult] = (await client.pipeline().set(key, value).wait(replicas, timeout).exec()) ?? [];
      if (!setResult || setResult[0]) {
        const code = classifyError(setResult?.[0] ?? new Error('Connection is closed.'));
        if (code === Code.unknown) this.noteUnclassified(writer, setResult?.[0]);
        return { code, waitReply: WAIT_UNKNOWN, node: NODE_UNKNOWN };
      }
      // The SET was acknowledged; a WAIT that failed leaves its replication unknown (unconfirmed).
      const waitReply = waitResult && !waitResult[0] ? Number(waitResult[1]) : WAIT_UNKNOWN;
      return { code: Code.ok, waitReply, node: this.nodeOf(client)?.index ?? NODE_UNKNOWN };
    } catch (err) {
      const code = classifyError(err);
      if (code === Code.unknown) this.noteUnclassified(writer, err);
      return { code, waitReply: WAIT_UNKNOWN, node: NODE_UNKNOWN };
    }
  }

  private async runWriter(client: Redis, ledger: WriterLedger, intervalMs: number): Promise<void> {
    const writer = ledger.writer;
    let next = this.journal.now();
    while (!this.stopped) {
      if (intervalMs > 0) {
        const delay = next - this.journal.now();
        if (delay > 0) await sleep(delay);
        next += intervalMs;
      }
      const seq = ledger.length;
      const key = Ledger.key(writer, seq);
      const value = this.ledger.value(writer, seq);
      const start = this.journal.now();
      const { code, waitReply, node } = await this.writeOnce(client, writer, key, value);
      ledger.push(start, this.journal.now() - start, code, waitReply, node);
      if (code === Code.ok) this.counts.acknowledged++;
      else if (code <= Code.replyError) this.counts.failed++;
      else this.counts.indeterminate++;
      if (code === Code.notConnected) await sleep(NOT_CONNECTED_BACKOFF_MS);
    }
  }
}
