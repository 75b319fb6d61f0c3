/**
 * A writer in cluster mode: its own ioredis Cluster client (its own connection to each node, so WAIT
 * counts this writer's writes). Each write is `SET` through the cluster client — following MOVED,
 * retrying CLUSTERDOWN and dropped connections as ioredis does for an application — then `WAIT` on the
 * connection to the node that serves the key's slot, the one the SET went to.
 */
import { Cluster, type Redis } from 'ioredis';
import calculateSlot from 'cluster-key-slot';
import { Code, NODE_UNKNOWN } from '../record/ledger.ts';
import type { Journal } from '../record/journal.ts';
import type { Deployment } from '../topology/deployment.ts';
import type { WriteOutcome, WriterClient } from '../topology/modes/mode.ts';
import { DropCounter, failedOutcome } from './outcome.ts';
import { CLUSTER_RETRIES, type WriterSettings } from './clientOptions.ts';
import { WAIT_UNKNOWN } from '../record/ledger.ts';

/** ioredis internals this writer reads (public in its JS, absent from its types). */
interface ClusterInternals {
  slots: string[][];
  connectionPool: { getInstanceByKey(key: string): Redis | undefined };
}

export class ClusterWriter implements WriterClient {
  private readonly cluster: Cluster;
  private readonly drops = new DropCounter();
  private unclassified = 0;

  constructor(
    private readonly dep: Deployment,
    private readonly writer: number,
    private readonly journal: Journal,
    private readonly wait: { replicas: number; timeout: number },
    private readonly settings: WriterSettings,
    private readonly stopping: () => boolean,
  ) {
    const access = dep.access;
    const c = dep.credentials;
    this.cluster = new Cluster(
      dep.dataNodes.map((n) => access.address(n)),
      {
        natMap: access.natMap(dep.nodes),
        redisOptions: {
          username: c?.user,
          password: c?.password,
          ...(access.tls ? { tls: access.tls } : {}),
          connectTimeout: settings.connectTimeout,
          commandTimeout: settings.commandTimeout,
          maxRetriesPerRequest: settings.maxRetriesPerRequest,
          disconnectTimeout: 100,
        },
        enableOfflineQueue: settings.enableOfflineQueue,
        clusterRetryStrategy: settings.retryStrategy,
        lazyConnect: true,
        ...CLUSTER_RETRIES,
      },
    );
    this.cluster.on('error', () => {}); // errors are recorded per write
    this.cluster.on('node error', () => {});
    this.cluster.on('ready', () => this.journal.append('client.ready', { writer, node: null }));
    // Every node connection of this writer: a drop while a write is in flight makes its outcome uncertain.
    this.cluster.on('+node', (redis: Redis) => redis.on('close', () => this.drops.dropped()));
    this.cluster.on('-node', () => {
      if (!this.stopping()) this.journal.append('client.close', { writer });
    });
  }

  get ready(): boolean {
    return this.cluster.status === 'ready';
  }

  async connect(): Promise<void> {
    await this.cluster.connect().catch(() => {});
  }

  close(): void {
    this.cluster.disconnect();
  }

  /** The connection the cluster client uses for a slot now (after a redirect: the new owner). */
  private connectionFor(slot: number): { redis: Redis | undefined; node: number } {
    const internals = this.cluster as unknown as ClusterInternals;
    const key = internals.slots[slot]?.[0];
    if (!key) return { redis: undefined, node: NODE_UNKNOWN };
    const colon = key.lastIndexOf(':');
    const node = this.dep.access.nodeAtSocket(this.dep.nodes, key.slice(0, colon), Number(key.slice(colon + 1)));
    return { redis: internals.connectionPool.getInstanceByKey(key), node: node ? this.dep.indexOf(node) : NODE_UNKNOWN };
  }

  async write(key: string, value: string): Promise<WriteOutcome> {
    const mark = this.drops.mark();
    try {
      await this.cluster.set(key, value);
    } catch (err) {
      // ioredis re-sends after a dropped connection: a later definite error says nothing of the first try.
      const acrossDrop = this.drops.droppedSince(mark);
      const outcome = failedOutcome(err, acrossDrop, (e) => {
        if (this.unclassified++ < 10) this.journal.append('write.unclassified-error', { writer: this.writer, message: String((e as Error)?.message ?? e) });
      });
      return acrossDrop ? { ...outcome, acrossDrop } : outcome;
    }
    const { redis, node } = this.connectionFor(calculateSlot(key));
    const across = this.drops.droppedSince(mark) ? { acrossDrop: true } : {};
    if (this.wait.replicas === 0) return { code: Code.ok, waitReply: 0, node, ...across };
    if (!redis) return { code: Code.ok, waitReply: WAIT_UNKNOWN, node, ...across };
    try {
      // The acknowledged SET went out on this connection; WAIT there covers it.
      const acked = await redis.wait(this.wait.replicas, this.wait.timeout);
      return { code: Code.ok, waitReply: Number(acked), node, ...across };
    } catch {
      return { code: Code.ok, waitReply: WAIT_UNKNOWN, node, ...across };
    }
  }
}
