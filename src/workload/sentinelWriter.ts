/**
 * A writer in Sentinel mode: its own ioredis Sentinel client (so WAIT counts this writer's writes),
 * each write a SET followed by WAIT on the same connection, sent together.
 */
import { Redis } from 'ioredis';
import { Code, NODE_UNKNOWN } from '../record/ledger.ts';
import type { Journal } from '../record/journal.ts';
import type { Deployment } from '../topology/deployment.ts';
import type { WriteOutcome, WriterClient } from '../topology/modes/mode.ts';
import { DropCounter, failedOutcome, waitReplyOf } from './outcome.ts';
import type { WriterSettings } from './clientOptions.ts';

export class SentinelWriter implements WriterClient {
  private readonly client: Redis;
  private readonly drops = new DropCounter();
  private unclassified = 0;

  constructor(
    private readonly dep: Deployment,
    private readonly writer: number,
    private readonly journal: Journal,
    masterName: string,
    private readonly wait: { replicas: number; timeout: number },
    private readonly settings: WriterSettings,
    private readonly stopping: () => boolean,
  ) {
    const access = dep.access;
    const c = dep.credentials;
    this.client = new Redis({
      sentinels: dep.sentinels.map((s) => access.address(s)),
      name: masterName,
      natMap: access.natMap(dep.nodes),
      username: c?.user,
      password: c?.password,
      sentinelPassword: c?.sentinelPassword,
      // TLS to the sentinels and to the nodes they name, verified against the drill's CA.
      ...(access.tls ? { tls: access.tls, sentinelTLS: access.tls, enableTLSForSentinelMode: true } : {}),
      role: 'master',
      connectTimeout: settings.connectTimeout,
      sentinelCommandTimeout: 500,
      commandTimeout: settings.commandTimeout,
      enableOfflineQueue: settings.enableOfflineQueue,
      autoResendUnfulfilledCommands: settings.autoResendUnfulfilledCommands,
      maxRetriesPerRequest: settings.maxRetriesPerRequest,
      retryStrategy: settings.retryStrategy,
      // A demoted primary answers READONLY: reconnect (asking Sentinel again) as production clients do,
      // without re-sending the write (1 = reconnect only). ioredis's default: no reconnect on errors.
      ...(settings.reconnectOnReadonly ? { reconnectOnError: (err: Error) => (err.message.startsWith('READONLY') ? 1 : false) } : {}),
      sentinelRetryStrategy: settings.sentinelRetryStrategy,
      failoverDetector: settings.failoverDetector,
      lazyConnect: true,
      // At stop, nothing is in flight: do not wait the default 2 s for a half-closed socket, which kept
      // the process alive after the run.
      disconnectTimeout: 100,
    });
    this.client.on('error', () => {}); // errors are recorded per write
    this.client.on('ready', () => this.journal.append('client.ready', { writer, node: this.node()?.name ?? null }));
    this.client.on('close', () => {
      this.drops.dropped();
      if (!this.stopping()) this.journal.append('client.close', { writer });
    });
  }

  get ready(): boolean {
    return this.client.status === 'ready';
  }

  async connect(): Promise<void> {
    await this.client.connect().catch(() => {});
  }

  close(): void {
    this.client.disconnect();
  }

  private node() {
    const stream = (this.client as unknown as { stream?: { remoteAddress?: string; remotePort?: number } }).stream;
    return this.dep.access.nodeAtSocket(this.dep.nodes, stream?.remoteAddress, stream?.remotePort);
  }

  /** The ledger's index of the node this client is connected to. */
  private nodeIndex(): number {
    const node = this.node();
    return node ? this.dep.indexOf(node) : NODE_UNKNOWN;
  }

  private fail(err: unknown, mark: number): WriteOutcome {
    const acrossDrop = this.acrossDrop(mark);
    const outcome = failedOutcome(err, acrossDrop, (e) => {
      if (this.unclassified++ < 10) this.journal.append('write.unclassified-error', { writer: this.writer, message: String((e as Error)?.message ?? e) });
    });
    return acrossDrop ? { ...outcome, acrossDrop } : outcome;
  }

  /** The write outlived a connection, with a client that re-sends: ioredis may have sent it twice. */
  private acrossDrop(mark: number): boolean {
    return this.settings.mayResend && this.drops.droppedSince(mark);
  }

  async write(key: string, value: string): Promise<WriteOutcome> {
    const { replicas, timeout } = this.wait;
    const mark = this.drops.mark();
    try {
      if (replicas === 0) {
        // No replica to wait for: a plain SET (WAIT 0 would only cost a round trip).
        await this.client.set(key, value);
        return { code: Code.ok, waitReply: 0, node: this.nodeIndex(), ...(this.acrossDrop(mark) ? { acrossDrop: true } : {}) };
      }
      // SET and WAIT go out together on the same connection: one round trip, and WAIT covers this SET.
      const [setResult, waitResult] = (await this.client.pipeline().set(key, value).wait(replicas, timeout).exec()) ?? [];
      if (!setResult || setResult[0]) return this.fail(setResult?.[0] ?? new Error('Connection is closed.'), mark);
      // The SET was acknowledged; a WAIT that failed leaves its replication unknown (unconfirmed).
      return { code: Code.ok, waitReply: waitReplyOf(waitResult), node: this.nodeIndex(), ...(this.acrossDrop(mark) ? { acrossDrop: true } : {}) };
    } catch (err) {
      return this.fail(err, mark);
    }
  }
}
