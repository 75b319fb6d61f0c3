/** Readers of the final state for verification: one node (Sentinel's primary), or each shard's primary. */
import { Redis } from 'ioredis';
import calculateSlot from 'cluster-key-slot';
import type { Endpoint } from '../topology/admin.ts';
import type { KeyReader } from '../topology/modes/mode.ts';

const MGET_BATCH = 1000;

function readerClient(endpoint: Endpoint): Redis {
  const client = new Redis({ ...endpoint, commandTimeout: 30_000, maxRetriesPerRequest: 2, lazyConnect: true });
  client.on('error', () => {});
  return client;
}

/** Every key from one node: MGET in batches of 1000, pipelined. */
export class NodeReader implements KeyReader {
  private readonly client: Redis;

  constructor(
    readonly source: string,
    endpoint: Endpoint,
  ) {
    this.client = readerClient(endpoint);
  }

  async get(keys: string[]): Promise<(string | null)[]> {
    const pipeline = this.client.pipeline();
    for (let i = 0; i < keys.length; i += MGET_BATCH) pipeline.mget(keys.slice(i, i + MGET_BATCH));
    const replies = (await pipeline.exec()) ?? [];
    const out: (string | null)[] = [];
    for (const [err, values] of replies) {
      if (err) throw err;
      out.push(...(values as (string | null)[]));
    }
    return out;
  }

  close(): void {
    this.client.disconnect();
  }
}

/**
 * Keys spread over shards: each key is read from the primary that serves its slot, with pipelined GETs
 * (MGET across slots is refused by a cluster).
 */
export class ShardedReader implements KeyReader {
  private readonly clients: Redis[];

  constructor(
    readonly source: string,
    endpoints: Endpoint[],
    /** Slot -> index into endpoints. */
    private readonly ownerOfSlot: Int16Array,
  ) {
    this.clients = endpoints.map(readerClient);
  }

  async get(keys: string[]): Promise<(string | null)[]> {
    const pipelines = this.clients.map((c) => c.pipeline());
    const where: [number, number][] = [];
    const counts = new Array<number>(this.clients.length).fill(0);
    for (const key of keys) {
      const owner = this.ownerOfSlot[calculateSlot(key)];
      if (owner < 0) throw new Error(`no primary serves the slot of ${key}`);
      pipelines[owner].get(key);
      where.push([owner, counts[owner]++]);
    }
    const replies = await Promise.all(pipelines.map(async (p) => (p.length > 0 ? ((await p.exec()) ?? []) : [])));
    return where.map(([owner, i]) => {
      const [err, value] = replies[owner][i];
      if (err) throw err;
      return value as string | null;
    });
  }

  close(): void {
    for (const c of this.clients) c.disconnect();
  }
}
