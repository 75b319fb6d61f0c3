/**
 * Schema pieces shared by the scenario schema and the fault kinds: durations, fault targets and
 * partition parties, and the fields every timeline entry has.
 */
import { z } from 'zod';
import { parseDurationMs } from '../util/time.ts';

/** No drill step is longer than a day; anything more is a typo (ms for s, an extra zero). */
const MAX_DURATION_MS = 24 * 3_600_000;
const DURATION_PATTERN = /^\s*\d+(\.\d+)?\s*(ms|s|m|h)?\s*$/;

/** A duration: milliseconds as a number, or a string such as "1500ms", "5s", "2m". */
export const duration = z
  .union([
    z.number().nonnegative(),
    z.string().regex(DURATION_PATTERN, 'expected a duration such as 1500, "1500ms", "5s" or "2m"'),
  ])
  .transform((value) => parseDurationMs(value) as number)
  .refine((ms) => ms <= MAX_DURATION_MS, { message: 'longer than 24 h: not a drill' })
  .meta({ description: 'Milliseconds, or a string with a unit: "1500ms", "5s", "2m".' });

/**
 * Fault targets, resolved when the fault fires: a role or a node name. Roles: primary (the primary at
 * that moment; in cluster mode shard 1's), old-primary (the node that was primary when the first primary
 * fault fired), replica (any running replica; also replica:most-up-to-date / replica:least-up-to-date),
 * replicas (all), sentinel (any running sentinel; sentinel:leader = the latest failover leader),
 * sentinels / all-sentinels. Cluster mode adds primary:shard-N, replica:shard-N and primaries.
 */
export const ROLE_SELECTORS = [
  'primary', 'old-primary', 'replica', 'replica:any', 'replica:most-up-to-date', 'replica:least-up-to-date', 'replicas',
  'sentinel', 'sentinel:any', 'sentinel:leader', 'sentinels', 'all-sentinels', 'primaries',
] as const;
export const SHARD_SELECTOR = /^(primary|replica):shard-(\d+)$/;
/** zone:NAME, the nodes topology.zones places in NAME; zone:primary, the zone of the primary when the fault fires. */
export const ZONE_SELECTOR = /^zone:([A-Za-z0-9_-]+)$/;
const NODE_NAME = /^(redis|sentinel)-\d+$/;

export function isSelector(t: string): boolean {
  return (ROLE_SELECTORS as readonly string[]).includes(t) || SHARD_SELECTOR.test(t) || ZONE_SELECTOR.test(t) || NODE_NAME.test(t);
}

export const target = z
  .string()
  .refine(isSelector, {
    message: `a target is a role (${ROLE_SELECTORS.join(', ')}, primary:shard-N, replica:shard-N), a zone (zone:NAME, zone:primary) or a node name such as redis-2 or sentinel-1`,
  })
  .meta({ description: 'Role resolved when the fault fires, or a node name (redis-N, sentinel-N).' });

/** A party in a partition: a target, "client" (the harness's own connections), or "rest" (every node not named elsewhere). */
export const party = z.string().refine((t) => t === 'client' || t === 'rest' || isSelector(t), {
  message: 'a partition party is "client", "rest", a role (primary, replicas, sentinels, primary:shard-N, ...) or a node name',
});

/** Fields every fault entry has. */
export const faultCommon = {
  at: duration.meta({ description: 'When the fault fires, from the start of the load.' }),
  id: z.string().regex(/^[A-Za-z0-9_-]+$/).optional().meta({ description: 'Name for an explicit `fault: heal, of: <id>` step.' }),
  duration: duration.optional().meta({ description: 'Heal automatically this long after injection.' }),
  repeat: z
    .strictObject({ times: z.number().int().min(2).max(1000), every: duration })
    .optional()
    .meta({ description: 'Inject again every `every`, `times` in all (each healed after `duration`).' }),
};

export const bitRate = z.string().regex(/^\d+(\.\d+)?(bit|kbit|mbit|gbit)$/, 'a rate such as "1mbit", "500kbit"');

const SIZE_UNITS: Record<string, number> = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 };

/** A size in bytes: a number, or a string with a unit ("512kb", "64mb", "1gb"; binary units, as redis.conf reads them). */
export const size = z
  .union([
    z.number().int().positive(),
    z.string().regex(/^\s*\d+(\.\d+)?\s*(b|kb|mb|gb)\s*$/i, 'expected a size such as 4096, "512kb", "64mb" or "1gb"'),
  ])
  .transform((v) => {
    if (typeof v === 'number') return v;
    const m = /^\s*(\d+(?:\.\d+)?)\s*(b|kb|mb|gb)\s*$/i.exec(v)!;
    return Math.round(Number(m[1]) * SIZE_UNITS[m[2].toLowerCase()]);
  })
  .refine((bytes) => bytes <= 64 * 1024 ** 3, { message: 'larger than 64 GB: not a drill' })
  .meta({ description: 'Bytes, or a string with a unit: "512kb", "64mb", "1gb".' });
