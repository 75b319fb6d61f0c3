/**
 * A writer on a plain connection to an address that something else decides: a proxy in front of the
 * deployment (HAProxy), or whichever node is primary when no Sentinel tells clients (an operator's
 * manual failover). Each write is SET followed by WAIT on the same connection, sent together. When the
 * connection drops or the node answers READONLY, the writer asks `target()` again and reconnects there
 * — the way an application with a fixed endpoint, or one that follows ROLE, behaves.
 */
import { Redis } from 'ioredis';
import { Code, NODE_UNKNOWN } from '../record/ledger.ts';
import type { Journal } from '../record/journal.ts';
import type { Deployment } from '../topology/deployment.ts';
import type { WriteOutcome, WriterClient } from '../topology/modes/mode.ts';
import { DropCounter, failedOutcome, waitReplyOf } from './outcome.ts';
import type { WriterSettings } from './clientOptions.ts';

export interface DirectTarget {
  host: string;
  port: number;
  /** The deployment node behind the address, when the address is a node's own (not a proxy). */
  node?: string;
}

export class DirectWriter implements WriterClient {
  private client: Redis | undefined;
  private readonly drops = new DropCounter();
  private unclassified = 0;
  private reconnecting: Promise<void> | undefined;
  private closed = false;
  private node = NODE_UNKNOWN;

  constructor(
    private readonly dep: Deployment,
    private readonly writer: number,
    private readonly journal: Journal,
    /** Where to connect now; asked again after every drop or READONLY. */
    private readonly target: () => Promise<DirectTarget>,
    private readonly wait: { replicas: number; timeout: number },
    private readonly settings: WriterSettings,
    private readonly stopping: () => boolean,
    /** Which node a new connection reached, when the address is a proxy's (asked once per connection). */
    private readonly identify?: (client: Redis) => Promise<string | undefined>,
  ) {}

  get ready(): boolean {
    return this.client?.status === 'ready';
  }

  async connect(): Promise<void> {
    await this.reconnect();
  }

  close(): void {
    this.closed = true;
    this.client?.disconnect();
  }

  /** One reconnection at a time; a write that finds none ready fails as not connected. */
  private reconnect(): Promise<void> {
    this.reconnecting ??= this.open().finally(() => (this.reconnecting = undefined));
    return this.reconnecting;
  }

  private async open(): Promise<void> {
    this.client?.disconnect();
    this.client = undefined;
    if (this.closed) return;
    let t: DirectTarget;
    try {
      t = await this.target();
    } catch {
      return; // nothing to connect to right now; the next write tries again
    }
    const c = this.dep.credentials;
    const client = new Redis({
      host: t.host,
      port: t.port,
      username: c?.user,
      password: c?.password,
      ...(this.dep.access.tls ? { tls: this.dep.access.tls } : {}),
      connectTimeout: this.settings.connectTimeout,
      commandTimeout: this.settings.commandTimeout,
      enableOfflineQueue: this.settings.enableOfflineQueue,
      autoResendUnfulfilledCommands: this.settings.autoResendUnfulfilledCommands,
      maxRetriesPerRequest: this.settings.maxRetriesPerRequest,
      // A dropped connection is not retried in place: the writer asks where to go and opens a new one.
      retryStrategy: () => null,
      lazyConnect: true,
      disconnectTimeout: 100,
    });
    client.on('error', () => {}); // errors are recorded per write
    client.on('close', () => {
      this.drops.dropped();
      if (!this.stopping() && !this.closed) this.journal.append('client.close', { writer: this.writer });
    });
    this.client = client;
    this.node = t.node ? this.dep.indexOf(this.dep.node(t.node)) : NODE_UNKNOWN;
    try {
      await client.connect();
      const behind = this.identify ? await this.identify(client).catch(() => undefined) : undefined;
      if (behind) this.node = this.dep.indexOf(this.dep.node(behind));
      this.journal.append('client.ready', { writer: this.writer, node: behind ?? t.node ?? `${t.host}:${t.port}` });
    } catch {
      // unreachable for now: the next write reconnects
    }
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
    if (!this.ready) {
      await this.reconnect();
      if (!this.ready) return this.fail(new Error("Stream isn't writeable and enableOfflineQueue options is false"), this.drops.mark());
    }
    const client = this.client!;
    const mark = this.drops.mark();
    try {
      if (this.wait.replicas === 0) {
        await client.set(key, value);
        return { code: Code.ok, waitReply: 0, node: this.node, ...(this.acrossDrop(mark) ? { acrossDrop: true } : {}) };
      }
      const [setResult, waitResult] = (await client.pipeline().set(key, value).wait(this.wait.replicas, this.wait.timeout).exec()) ?? [];
      if (!setResult || setResult[0]) {
        const outcome = this.fail(setResult?.[0] ?? new Error('Connection is closed.'), mark);
        if (outcome.code === Code.readonly) void this.reconnect(); // a demoted primary: go where writes go now
        return outcome;
      }
      return { code: Code.ok, waitReply: waitReplyOf(waitResult), node: this.node, ...(this.acrossDrop(mark) ? { acrossDrop: true } : {}) };
    } catch (err) {
      return this.fail(err, mark);
    }
  }
}
