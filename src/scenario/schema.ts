/**
 * The scenario file's schema. zod validates it (with defaults) and the same schema is exported as JSON
 * Schema by `ferrite-drill schema` so editors can autocomplete and check scenario files.
 */
import { z } from 'zod';
import { METRIC_NAMES } from '../analysis/metricNames.ts';
import { parseDurationMs } from '../util/time.ts';

/** No drill step is longer than a day; anything more is a typo (ms for s, an extra zero). */
const MAX_DURATION_MS = 24 * 3_600_000;
const DURATION_PATTERN = /^\s*\d+(\.\d+)?\s*(ms|s|m|h)?\s*$/;

/** A duration: milliseconds as a number, or a string such as "1500ms", "5s", "2m". */
const duration = z
  .union([
    z.number().nonnegative(),
    z.string().regex(DURATION_PATTERN, 'expected a duration such as 1500, "1500ms", "5s" or "2m"'),
  ])
  .transform((value) => parseDurationMs(value) as number)
  .refine((ms) => ms <= MAX_DURATION_MS, { message: 'longer than 24 h: not a drill' })
  .meta({ description: 'Milliseconds, or a string with a unit: "1500ms", "5s", "2m".' });

export const SERVER_KINDS = ['redis', 'valkey', 'ferrite'] as const;
export const SIGNALS = ['SIGKILL', 'SIGTERM', 'SIGINT', 'SIGQUIT', 'SIGSTOP'] as const;

const sentinelSettings = z.strictObject({
  masterName: z.string().regex(/^[A-Za-z0-9._-]+$/).default('mymaster').meta({ description: 'Name the sentinels monitor the primary under.' }),
  quorum: z.number().int().min(1).default(2).meta({ description: 'Sentinels that must agree the primary is down (odown).' }),
  downAfter: duration.default(1000).meta({ description: 'down-after-milliseconds: silence before a sentinel marks a node +sdown.' }),
  failoverTimeout: duration.default(10_000).meta({ description: 'failover-timeout.' }),
  parallelSyncs: z.number().int().min(1).default(1),
});

/** Where a secret comes from: never the value itself, so scenario files can be committed. */
const secretRef = z
  .union([
    z.strictObject({ env: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/), orGenerate: z.boolean().optional() }),
    z.strictObject({ file: z.string().min(1) }),
    z.strictObject({ generate: z.literal(true) }),
  ], { error: 'a secret is { env: NAME } (optionally orGenerate: true), { file: PATH } or { generate: true }' })
  .meta({ description: 'Read from an environment variable or a file, or generated for the run; never written in the scenario.' });

const auth = z
  .strictObject({
    password: secretRef.meta({ description: 'requirepass / masterauth of the data nodes (or the ACL user\'s password).' }),
    user: z.string().regex(/^[A-Za-z0-9_-]+$/).optional().meta({ description: 'ACL user for clients, replicas and sentinels; the default user is then disabled.' }),
    sentinelPassword: secretRef.optional().meta({ description: 'The sentinels\' own password (requirepass on sentinels, sentinel-pass between them).' }),
  })
  .meta({ description: 'Secure the topology: passwords, ACL user, sentinel password.' });

const tls = z
  .strictObject({
    enabled: z.boolean().default(true),
    clientAuth: z
      .enum(['required', 'optional', 'no'])
      .default('required')
      .meta({ description: 'Whether servers and sentinels demand a client certificate (tls-auth-clients).' }),
  })
  .meta({ description: 'TLS everywhere: clients, replication and Sentinel links, with a throwaway CA made for the run; the plain ports are closed.' });

const topology = z.strictObject({
  server: z.enum(SERVER_KINDS).default('redis').meta({ description: 'Server flavour: picks the default image and binary names.' }),
  image: z
    .string()
    .min(1)
    .default('auto')
    .meta({ description: '"auto": the upstream image when a registry is reachable, else one built locally from the host\'s redis-server. Or an image name.' }),
  replicas: z.number().int().min(0).max(16).default(2),
  sentinels: z.number().int().min(0).max(15).default(3),
  sentinel: sentinelSettings.prefault({}),
  auth: auth.optional(),
  tls: tls.optional(),
  serverConfig: z
    .record(z.string().regex(/^[a-z][a-z0-9-]*$/, 'config names are lower-case words joined by "-"'), z.union([z.string(), z.number(), z.boolean()]))
    .default({})
    .meta({ description: 'Config directives passed to every data node, e.g. { min-replicas-to-write: 1 }.' }),
});

const load = z.strictObject({
  writers: z.number().int().min(1).max(256).default(4).meta({ description: 'Concurrent writers, one connection each.' }),
  rate: z
    .union([z.literal('unlimited'), z.number().positive()], { error: 'expected writes per second (a number) or "unlimited"' })
    .default('unlimited')
    .meta({ description: 'Total target writes per second across writers, or "unlimited".' }),
  wait: z
    .strictObject({
      replicas: z.number().int().min(0).default(1).meta({ description: 'WAIT <replicas>: a write is durable when this many replicas acknowledged it. 0: plain SET, no WAIT.' }),
      timeout: duration.default(100).meta({ description: 'WAIT timeout.' }),
    })
    .prefault({}),
  commandTimeout: duration.default(1000).meta({ description: 'A command without a reply after this long is indeterminate.' }),
  valueSize: z.number().int().min(8).max(65536).default(32).meta({ description: 'Bytes per value (values stay unique).' }),
});

/**
 * Fault targets, resolved when the fault fires: a role or a node name. Roles: primary (the primary at
 * that moment), old-primary (the node that was primary when the first primary fault fired), replica
 * (any running replica; also replica:most-up-to-date / replica:least-up-to-date), replicas (all),
 * sentinel (any running sentinel; sentinel:leader = the latest failover leader), sentinels / all-sentinels.
 */
export const ROLE_SELECTORS = [
  'primary', 'old-primary', 'replica', 'replica:any', 'replica:most-up-to-date', 'replica:least-up-to-date', 'replicas',
  'sentinel', 'sentinel:any', 'sentinel:leader', 'sentinels', 'all-sentinels',
] as const;
const NODE_NAME = /^(redis|sentinel)-\d+$/;
const target = z
  .string()
  .refine((t) => (ROLE_SELECTORS as readonly string[]).includes(t) || NODE_NAME.test(t), {
    message: `a target is a role (${ROLE_SELECTORS.join(', ')}) or a node name such as redis-2 or sentinel-1`,
  })
  .meta({ description: 'Role resolved when the fault fires, or a node name (redis-N, sentinel-N).' });
/** A party in a partition: a target, or "client" (the harness's own connections). */
const party = z
  .string()
  .refine((t) => t === 'client' || (ROLE_SELECTORS as readonly string[]).includes(t) || NODE_NAME.test(t), {
    message: 'a partition party is "client", a role (primary, replicas, sentinels, ...) or a node name',
  });

const common = {
  at: duration.meta({ description: 'When the fault fires, from the start of the load.' }),
  id: z.string().regex(/^[A-Za-z0-9_-]+$/).optional().meta({ description: 'Name for an explicit `fault: heal, of: <id>` step.' }),
  duration: duration.optional().meta({ description: 'Heal automatically this long after injection.' }),
  repeat: z
    .strictObject({ times: z.number().int().min(2).max(1000), every: duration })
    .optional()
    .meta({ description: 'Inject again every `every`, `times` in all (each healed after `duration`).' }),
};

export const FAULT_KINDS = ['kill', 'stop', 'restart', 'pause', 'stall', 'partition', 'loss', 'bandwidth', 'netem', 'heal'] as const;

const killFault = z.strictObject({
  ...common,
  fault: z.literal('kill'),
  target: target.default('primary'),
  signal: z.enum(SIGNALS).default('SIGKILL').meta({ description: 'Heal: SIGCONT after SIGSTOP; otherwise the container is started again.' }),
});
const stopFault = z.strictObject({ ...common, fault: z.literal('stop'), target: target.default('primary') });
const restartFault = z.strictObject({ ...common, fault: z.literal('restart'), target: target.default('primary') });
const pauseFault = z.strictObject({ ...common, fault: z.literal('pause'), target: target.default('primary') });
const stallFault = z.strictObject({
  ...common,
  fault: z.literal('stall'),
  target: target.default('primary'),
  duration: duration.meta({ description: 'How long the server is stalled (DEBUG SLEEP).' }),
});
const partitionFault = z
  .strictObject({
    ...common,
    fault: z.literal('partition'),
    isolate: party.optional().meta({ description: 'Cut this party off from every other node and from the client.' }),
    groups: z.array(z.array(party).min(1)).min(2).optional().meta({ description: 'Split into groups that cannot reach each other, e.g. [[primary, client], [replicas, sentinels]].' }),
    oneway: z
      .strictObject({ from: z.array(party).min(1), to: z.array(party).min(1) })
      .optional()
      .meta({ description: 'Drop packets from `from` to `to` only (asymmetric).' }),
  })
  .refine((p) => [p.isolate, p.groups, p.oneway].filter((x) => x !== undefined).length === 1, {
    message: 'a partition needs exactly one of isolate, groups or oneway',
  });
const lossFault = z.strictObject({
  ...common,
  fault: z.literal('loss'),
  target,
  probability: z.number().gt(0).max(1).meta({ description: 'Share of packets dropped (iptables statistic match), both directions.' }),
  peers: z.array(party).optional().meta({ description: 'Only traffic with these parties (default: all).' }),
});
const bandwidthFault = z.strictObject({
  ...common,
  fault: z.literal('bandwidth'),
  target,
  rate: z.string().regex(/^\d+(\.\d+)?(bit|kbit|mbit|gbit)$/).meta({ description: 'Egress rate limit (tc tbf), e.g. "1mbit".' }),
});
const percent = z.number().min(0).max(100);
const netemFault = z.strictObject({
  ...common,
  fault: z.literal('netem'),
  target,
  delay: duration.optional(),
  jitter: duration.optional(),
  loss: percent.optional(),
  duplicate: percent.optional(),
  corrupt: percent.optional(),
  rate: z.string().regex(/^\d+(\.\d+)?(bit|kbit|mbit|gbit)$/).optional(),
});
const healStep = z.strictObject({
  at: duration,
  fault: z.literal('heal'),
  of: z.string().meta({ description: 'The id of the fault to heal.' }),
});

export const timelineEntry = z.discriminatedUnion('fault', [
  killFault, stopFault, restartFault, pauseFault, stallFault, partitionFault, lossFault, bandwidthFault, netemFault, healStep,
]);

const limit = z
  .strictObject({
    max: z.number().optional(),
    min: z.number().optional(),
  })
  .refine((l) => l.max !== undefined || l.min !== undefined, { message: 'give max, min or both' });

export const scenarioSchema = z
  .strictObject({
    name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'names are lower-case words joined by "-"'),
    description: z.string().default(''),
    topology: topology.prefault({}),
    load: load.prefault({}),
    timeline: z.array(timelineEntry).default([]),
    duration: duration.meta({ description: 'How long the load runs, from its start.' }),
    recovery: z
      .strictObject({ timeout: duration.default(30_000).meta({ description: 'Bound on waiting for the topology to converge after the load.' }) })
      .prefault({}),
    expect: z
      .partialRecord(z.enum(METRIC_NAMES), limit)
      .default({})
      .meta({ description: 'Limits on metrics; the drill fails when one does not hold.' }),
  })
  .superRefine((s, ctx) => {
    const { topology: topo, load: l, timeline } = s;
    if (topo.sentinels > 0 && topo.sentinel.quorum > topo.sentinels) {
      ctx.addIssue({ code: 'custom', path: ['topology', 'sentinel', 'quorum'], message: `quorum ${topo.sentinel.quorum} is larger than the ${topo.sentinels} sentinels` });
    }
    if (l.wait.replicas > topo.replicas) {
      ctx.addIssue({ code: 'custom', path: ['load', 'wait', 'replicas'], message: `WAIT for ${l.wait.replicas} replicas but the topology has ${topo.replicas}` });
    }
    const ids = new Map<string, number>();
    timeline.forEach((entry, i) => {
      if (entry.at >= s.duration) {
        ctx.addIssue({ code: 'custom', path: ['timeline', i, 'at'], message: `fault at ${entry.at} ms is not before the drill's end (duration ${s.duration} ms)` });
      }
      if (entry.fault === 'heal') {
        const j = ids.get(entry.of);
        if (j === undefined) ctx.addIssue({ code: 'custom', path: ['timeline', i, 'of'], message: `no earlier fault has id "${entry.of}"` });
        else if (timeline[j].at > entry.at) ctx.addIssue({ code: 'custom', path: ['timeline', i, 'at'], message: `heals "${entry.of}" before it is injected` });
        return;
      }
      if (entry.id !== undefined) {
        if (ids.has(entry.id)) ctx.addIssue({ code: 'custom', path: ['timeline', i, 'id'], message: `id "${entry.id}" is used twice` });
        ids.set(entry.id, i);
      }
      if (entry.repeat && entry.duration === undefined) {
        ctx.addIssue({ code: 'custom', path: ['timeline', i, 'repeat'], message: 'a repeated fault needs a duration (it is healed between repeats)' });
      }
      if (entry.repeat && entry.duration !== undefined && entry.duration >= entry.repeat.every) {
        ctx.addIssue({ code: 'custom', path: ['timeline', i, 'duration'], message: `duration ${entry.duration} ms must be shorter than repeat.every ${entry.repeat.every} ms` });
      }
      if (entry.fault === 'restart' && entry.duration !== undefined) {
        ctx.addIssue({ code: 'custom', path: ['timeline', i, 'duration'], message: 'a restart has no duration: it is over when the container is back' });
      }
      for (const [path, name] of targetsOf(entry)) {
        const problem = impossibleTarget(name, topo);
        if (problem) ctx.addIssue({ code: 'custom', path: ['timeline', i, ...path], message: problem });
      }
    });
  });

/** Every target or party an entry names, with its path inside the entry (for error messages). */
function targetsOf(entry: z.output<typeof timelineEntry>): [(string | number)[], string][] {
  const out: [(string | number)[], string][] = [];
  if ('target' in entry) out.push([['target'], entry.target]);
  if (entry.fault === 'partition') {
    if (entry.isolate) out.push([['isolate'], entry.isolate]);
    entry.groups?.forEach((g, gi) => g.forEach((p, pi) => out.push([['groups', gi, pi], p])));
    entry.oneway?.from.forEach((p, pi) => out.push([['oneway', 'from', pi], p]));
    entry.oneway?.to.forEach((p, pi) => out.push([['oneway', 'to', pi], p]));
  }
  if (entry.fault === 'loss') entry.peers?.forEach((p, pi) => out.push([['peers', pi], p]));
  return out;
}

/** Why a target can never exist in this topology (null when it can). */
function impossibleTarget(name: string, topo: z.output<typeof topology>): string | null {
  if (name.startsWith('replica') && topo.replicas === 0) return `target "${name}" needs replicas, and the topology has none`;
  if ((name.startsWith('sentinel') || name === 'all-sentinels') && topo.sentinels === 0) return `target "${name}" needs sentinels, and the topology has none`;
  const m = /^(redis|sentinel)-(\d+)$/.exec(name);
  if (m) {
    const count = m[1] === 'redis' ? topo.replicas + 1 : topo.sentinels;
    const n = Number(m[2]);
    if (n < 1 || n > count) return `no node "${name}": this topology has ${m[1]}-1 to ${m[1]}-${count}`;
  }
  return null;
}

export type Scenario = z.output<typeof scenarioSchema>;
export type TimelineEntry = z.output<typeof timelineEntry>;
export type Limit = z.output<typeof limit>;

/** JSON Schema of the scenario file (input shape: what a user writes, before defaults). */
export function scenarioJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(scenarioSchema, { io: 'input', unrepresentable: 'any' }),
    $id: 'https://ferrite-drill.dev/schema/scenario.json',
    title: 'ferrite-drill scenario',
  };
}
