/** Redis Cluster's slot space, how a topology splits it among shards, and CLUSTER NODES as data. */
import calculateSlot from 'cluster-key-slot';

export const SLOTS = 16384;

/** Shard k (1-based) of `shards` owns one contiguous range: the space split as evenly as it goes. */
export function shardRanges(shards: number): Record<string, [number, number][]> {
  const out: Record<string, [number, number][]> = {};
  for (let k = 1; k <= shards; k++) out[String(k)] = [[Math.floor(((k - 1) * SLOTS) / shards), Math.floor((k * SLOTS) / shards) - 1]];
  return out;
}

/** Slot -> shard (1-based), 0 where no shard owns it. */
export function slotOwners(ranges: Record<string, [number, number][]>): Uint8Array {
  const owner = new Uint8Array(SLOTS);
  for (const [shard, list] of Object.entries(ranges)) for (const [a, b] of list) owner.fill(Number(shard), a, b + 1);
  return owner;
}

/**
 * Hash tags whose slots belong to `shard`, `count` of them with distinct slots: a writer's keys cycle
 * through them, so the writer stays on one shard while its keys spread over many slots. Deterministic,
 * and different per writer (`salt`).
 */
export function tagsForShard(owners: Uint8Array, shard: number, count: number, salt: string): string[] {
  const tags: string[] = [];
  const seen = new Set<number>();
  for (let j = 0; tags.length < count && j < 1_000_000; j++) {
    const tag = `${salt}.${j}`;
    const slot = calculateSlot(tag);
    if (owners[slot] === shard && !seen.has(slot)) {
      seen.add(slot);
      tags.push(tag);
    }
  }
  return tags;
}

/** One line of CLUSTER NODES. */
export interface ClusterNodeLine {
  id: string;
  ip: string;
  port: number;
  flags: string[];
  masterId: string | null;
  linkState: string;
  configEpoch: number;
  /** Slot ranges it serves (masters). */
  slots: [number, number][];
}

export function parseClusterNodes(text: string): ClusterNodeLine[] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '')
    .map((line) => {
      const [id, addr, flags, master, , , epoch, link, ...slots] = line.split(' ');
      const hostPort = addr.split('@')[0];
      const colon = hostPort.lastIndexOf(':');
      return {
        id,
        ip: hostPort.slice(0, colon),
        port: Number(hostPort.slice(colon + 1)),
        flags: flags.split(','),
        masterId: master === '-' ? null : master,
        linkState: link,
        configEpoch: Number(epoch),
        slots: slots
          .filter((s) => !s.startsWith('['))
          .map((s) => {
            const [a, b] = s.split('-').map(Number);
            return [a, b ?? a] as [number, number];
          }),
      };
    });
}

/** The master serving `slot` in one node's view (not flagged fail), or undefined. */
export function ownerOfSlot(view: ClusterNodeLine[], slot: number): ClusterNodeLine | undefined {
  return view.find((n) => n.flags.includes('master') && !n.flags.includes('fail') && n.slots.some(([a, b]) => slot >= a && slot <= b));
}
