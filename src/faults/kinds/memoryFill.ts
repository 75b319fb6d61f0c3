/**
 * memory-fill: a helper connection writes large values to the target until the server refuses (OOM
 * under maxmemory + noeviction, MISCONF once its AOF cannot be written), the connection drops (the
 * kernel OOM-killed a node with a memory limit: the runtime is asked whether it did), or `bytes` are
 * written. What it wrote and what stopped it is journalled (`fault.fill`). Heal: stop, delete the fill's
 * keys on whichever node is primary then (memory is free again), and start the target again if it died.
 */
import { z } from 'zod';
import { Redis } from 'ioredis';
import { faultCommon, size, target } from '../../scenario/primitives.ts';
import type { Deployment } from '../../topology/deployment.ts';
import type { Node } from '../../topology/node.ts';
import type { Journal } from '../../record/journal.ts';
import type { FaultKind } from '../kind.ts';
import { healEach, resolveTarget, startAgain, targetOf } from './common.ts';
import { sleep } from '../../util/time.ts';

const schema = z.strictObject({
  ...faultCommon,
  fault: z.literal('memory-fill'),
  target: target.default('primary'),
  bytes: size.default(1024 ** 3).meta({ description: 'Stop after writing this much (default 1gb): the fill normally ends earlier, refused or killed.' }),
  valueSize: size
    .default(256 * 1024)
    .refine((b) => b <= 64 * 1024 ** 2, { message: 'at most 64mb per value' })
    .meta({ description: 'Bytes per value written (default 256kb).' }),
});
type Entry = z.output<typeof schema>;

type Stop = 'done' | 'refused' | 'connection-lost' | 'stopped';

export const memoryFill: FaultKind<typeof schema> = {
  name: 'memory-fill',
  schema,
  summary: 'a helper connection writes large values to the node until it refuses (OOM, MISCONF), dies (kernel OOM kill) or `bytes` are written; heal: delete them, start the node again if it died',
  describe: (e) => `memory-fill ${e.target}`,
  targetsOf: targetOf,
  // It may: a node with a memory limit is OOM-killed by the kernel, which is the drill, not a crash.
  kills: () => true,
  resolve: resolveTarget,
  async inject(entry, { nodes }, { dep, journal, runId }) {
    const heals = [];
    for (const [i, n] of nodes.entries()) {
      const fill = new Fill(dep, journal, n, `fd-fill:${runId}:${i}:`, entry);
      await fill.connect();
      fill.start();
      heals.push(() => fill.heal());
    }
    // A fill stops by itself (refused, killed, done); the node it filled is removed at teardown anyway.
    return { heal: healEach(heals), healAtTeardown: false };
  },
};

class Fill {
  private readonly client: Redis;
  private stopping = false;
  private written = 0;
  private bytes = 0;
  private running: Promise<void> | undefined;

  constructor(
    private readonly dep: Deployment,
    private readonly journal: Journal,
    private readonly node: Node,
    private readonly prefix: string,
    private readonly entry: Entry,
  ) {
    this.client = new Redis({ ...dep.access.endpoint(node), lazyConnect: true, maxRetriesPerRequest: 0, enableOfflineQueue: false, retryStrategy: () => null, commandTimeout: 10_000 });
    this.client.on('error', () => {});
  }

  connect(): Promise<void> {
    return this.client.connect();
  }

  start(): void {
    this.running = this.run().catch(() => {});
  }

  private async run(): Promise<void> {
    const started = this.journal.now();
    // One buffer, reused: the value's content does not matter, its size does.
    let value = Buffer.alloc(this.entry.valueSize, 0x78);
    let stoppedBy: Stop = 'done';
    let error: string | null = null;
    while (this.bytes < this.entry.bytes) {
      if (this.stopping) {
        stoppedBy = 'stopped';
        break;
      }
      try {
        await this.client.set(this.prefix + this.written, value);
        this.written++;
        this.bytes += value.length;
      } catch (err) {
        const e = err as { name?: string; message?: string };
        error = e.message ?? String(err);
        stoppedBy = e.name === 'ReplyError' ? 'refused' : 'connection-lost';
        // maxmemory refuses once used memory is over the limit; the big value's own query buffer is freed
        // with it, which can bring memory back under. Smaller values fill the rest, so the limit holds for
        // the writers (down to 1 KB: what a closing connection frees then is noise).
        if (stoppedBy === 'refused' && error.startsWith('OOM') && value.length > 1024) {
          value = Buffer.alloc(Math.max(1024, value.length >> 3), 0x78);
          continue;
        }
        break;
      }
    }
    this.client.disconnect();
    const oomKilled = stoppedBy === 'connection-lost' ? await this.oomKilled() : null;
    this.journal.append('fault.fill', {
      node: this.node.name,
      bytes: this.bytes,
      values: this.written,
      stoppedBy,
      error,
      ms: this.journal.now() - started,
      oomKilled,
    });
  }

  /** After a lost connection: whether the runtime says the kernel OOM-killed the node (given a moment to notice it died). */
  private async oomKilled(): Promise<boolean | null> {
    for (let i = 0; i < 20; i++) {
      const state = await this.dep.runtime.inspect(this.node).catch(() => null);
      if (!state) return null;
      if (!state.running) return state.oomKilled;
      await sleep(100);
    }
    return false;
  }

  async heal(): Promise<void> {
    this.stopping = true;
    await this.running;
    const primary = (await this.dep.mode.primaries(this.dep)).get(1);
    if (primary) {
      const keys = Array.from({ length: this.written }, (_, i) => this.prefix + i);
      for (let i = 0; i < keys.length; i += 256) await this.dep.command(primary, 'UNLINK', ...keys.slice(i, i + 256)).catch(() => {});
    }
    await startAgain(this.dep, this.node);
  }
}
