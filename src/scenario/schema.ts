/**
 * The scenario file's schema. zod validates it (with defaults) and the same schema is exported as JSON
 * Schema by `ferrite-drill schema` so editors can autocomplete and check scenario files.
 */
import { z } from 'zod';
import { EXPECTATION_NAMES, METRIC_NAMES, splitStat } from '../record/metrics.ts';
import { duration, size, SHARD_SELECTOR, ZONE_SELECTOR } from './primitives.ts';
import { FAULT_REGISTRY, faultKind } from '../faults/registry.ts';
import { ACTION_REGISTRY, actionKind } from '../actions/registry.ts';
import { profileFor } from '../topology/profiles/index.ts';
import { regressionSettings } from '../regression/schema.ts';

export { ROLE_SELECTORS } from './primitives.ts';
export const SERVER_KINDS = ['redis', 'valkey', 'ferrite'] as const;
export const HA_MODES = ['sentinel', 'cluster'] as const;
/** The durability guide's reference configurations (their directives: topology/presets.ts). */
export const PRESETS = ['balanced', 'max-durability', 'low-latency'] as const;

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

/** A redis.conf value: one line (a newline would smuggle in another directive). */
const configValue = z
  .union([z.string(), z.number(), z.boolean()])
  .refine((v) => typeof v !== 'string' || !/[\r\n\0]/.test(v), { message: 'a config value is one line: no newline, carriage return or NUL' });

const clusterSettings = z.strictObject({
  nodeTimeout: duration.default(2000).meta({ description: 'cluster-node-timeout: silence before a node flags another PFAIL; failover follows.' }),
  replicaValidityFactor: z.number().int().min(0).default(10).meta({ description: 'cluster-replica-validity-factor (0: a replica may always fail over).' }),
  requireFullCoverage: z.boolean().default(true).meta({ description: 'cluster-require-full-coverage: the whole cluster refuses writes while any slot is unserved.' }),
});

/** Host limits of one node the harness creates: what a memory or disk fault needs the node to have from the start. */
const nodeSettings = z
  .strictObject({
    memory: size.optional().meta({ description: 'Container memory limit (swap included): the kernel OOM-kills the server when it grows past it.' }),
    dataDisk: size
      .optional()
      .meta({ description: 'Put the server\'s data directory (dir: AOF and RDB files) on a tmpfs of this size, so writing it can fail with "No space left on device". Data nodes only.' }),
  })
  .meta({ description: 'Host settings of one node (by name: redis-1 is the initial primary).' });

const NODE_NAME_KEY = /^(redis|sentinel)-\d+$/;

const topologyInput = z.strictObject({
  mode: z.enum(HA_MODES).default('sentinel').meta({ description: 'How HA works: "sentinel" (primary, replicas, sentinels) or "cluster" (Redis Cluster shards).' }),
  server: z
    .enum(SERVER_KINDS)
    .default('redis')
    .meta({ description: 'Server profile: how nodes are configured (redis.conf, or Ferrite\'s TOML) and started, the default image, the sentinel (Ferrite ships none: Redis Sentinel watches it). The real server name and version are read from INFO and reported.' }),
  image: z
    .string()
    .min(1)
    .default('auto')
    .meta({ description: '"auto": the profile\'s upstream image when a registry is reachable (redis: else one built locally from the host\'s redis-server). Or an image name, e.g. your own build of the server.' }),
  replicas: z.number().int().min(0).max(16).optional().meta({ description: 'Sentinel mode: replicas of the primary (default 2).' }),
  sentinels: z.number().int().min(0).max(15).optional().meta({ description: 'Sentinel mode: sentinels (default 3). Refused in cluster mode.' }),
  sentinel: sentinelSettings.prefault({}),
  shards: z.number().int().min(3, 'at least 3 shards: a replica is promoted only with the votes of a majority of the primaries').max(16).optional().meta({ description: 'Cluster mode: shards (primaries), default 3; a failover needs a majority of primaries, so at least 3.' }),
  replicasPerShard: z.number().int().min(0).max(5).optional().meta({ description: 'Cluster mode: replicas of each shard primary (default 1).' }),
  cluster: clusterSettings.optional().meta({ description: 'Cluster mode settings.' }),
  auth: auth.optional(),
  tls: tls.optional(),
  configFiles: z
    .strictObject({
      server: z.string().min(1).optional().meta({ description: 'Your redis.conf (path relative to the scenario): the base of every data node\'s config; the harness changes only what it must (port, bind, replicaof, ...) and the report lists each change.' }),
      sentinel: z.string().min(1).optional().meta({ description: 'Your sentinel.conf (path relative to the scenario): the base of every sentinel\'s config; the harness sets port and sentinel monitor, and moves your per-master settings under its master name.' }),
    })
    .optional()
    .meta({ description: 'Your own config files as the base of the nodes\' configs. Checked by a throwaway server of the drill\'s image before the drill starts: a directive it rejects is bad input naming the file and line.' }),
  preset: z
    .enum(PRESETS)
    .optional()
    .meta({ description: 'A reference configuration from the durability guide, over the config file and under serverConfig: "balanced" (appendonly yes, appendfsync everysec, min-replicas-to-write 1, min-replicas-max-lag 5), "max-durability" (appendfsync always, min-replicas-to-write 2, max-lag 2), "low-latency" (AOF everysec, no min-replicas).' }),
  nodes: z
    .record(z.string().regex(NODE_NAME_KEY, 'node names are redis-N or sentinel-N'), nodeSettings)
    .default({})
    .meta({ description: 'Per-node host settings: a memory limit, a size-limited data disk. E.g. { redis-1: { memory: 64mb } }.' }),
  zones: z
    .record(z.string().regex(/^[A-Za-z0-9_-]+$/, 'zone names are letters, digits, "-" and "_"'), z.array(z.string().regex(NODE_NAME_KEY, 'zone members are node names: redis-N or sentinel-N')).min(1))
    .optional()
    .meta({ description: 'Availability zones: zone name -> the nodes placed in it, e.g. { a: [redis-1, sentinel-1] }. Faults can then target zone:NAME (or zone:primary, the zone the primary is in when the fault fires). Default: none.' }),
  serverConfig: z
    .record(z.string().regex(/^[a-z][a-z0-9-]*$|^[a-z]+\.[a-z0-9_]+$/, 'config names are lower-case words joined by "-" (or, for Ferrite, a TOML key section.key)'), configValue)
    .default({})
    .meta({ description: 'Config directives passed to every data node, in redis.conf names, e.g. { min-replicas-to-write: 1 }. Ferrite: the names it has an equivalent for, or dotted TOML keys such as storage.backend.' }),
});

type TopologyInput = z.output<typeof topologyInput>;

/** The topology with every mode-dependent default filled in. */
export interface Topology extends Omit<TopologyInput, 'replicas' | 'sentinels' | 'shards' | 'replicasPerShard' | 'cluster'> {
  /** Replicas of each primary (Sentinel: of the one primary; cluster: of each shard's). */
  replicas: number;
  sentinels: number;
  /** Shards (1 in Sentinel mode). */
  shards: number;
  cluster: z.output<typeof clusterSettings>;
}

function withModeDefaults(t: TopologyInput): Topology {
  const cluster = t.mode === 'cluster';
  const { replicasPerShard, ...rest } = t;
  return {
    ...rest,
    replicas: cluster ? (replicasPerShard ?? 1) : (t.replicas ?? 2),
    sentinels: cluster ? 0 : (t.sentinels ?? 3),
    shards: cluster ? (t.shards ?? 3) : 1,
    cluster: t.cluster ?? clusterSettings.parse({}),
  };
}

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

const healStep = z.strictObject({
  at: duration,
  fault: z.literal('heal'),
  of: z.string().meta({ description: 'The id of the fault to heal.' }),
});

type KindSchema = (typeof FAULT_REGISTRY)[number]['schema'];
const faultEntry = z.discriminatedUnion('fault', [...FAULT_REGISTRY.map((k) => k.schema), healStep] as unknown as [KindSchema, ...KindSchema[], typeof healStep]);
type ActionSchema = (typeof ACTION_REGISTRY)[number]['schema'];
const actionEntry = z.discriminatedUnion('action', ACTION_REGISTRY.map((k) => k.schema) as unknown as [ActionSchema, ...ActionSchema[]]);
/**
 * A timeline entry is a fault (`fault: kill`, ..., `fault: heal`) or an operator's step (`action:
 * promote`, ...). The loader reports a bad entry against the branch its key names (see loader.ts).
 */
export const timelineEntry = z.union([faultEntry, actionEntry]);

const limit = z
  .strictObject({
    max: z.number().optional(),
    min: z.number().optional(),
    never: z.literal(true).optional().meta({ description: 'The event must not happen at all (the metric stays null): e.g. no failover, writes never resumed.' }),
  })
  .refine((l) => l.max !== undefined || l.min !== undefined || l.never !== undefined, { message: 'give max, min, both, or never: true' })
  .refine((l) => !(l.never && (l.max !== undefined || l.min !== undefined)), { message: 'never: true cannot go with max or min' });

const haproxySettings = z
  .strictObject({
    backend: z
      .enum(['docs', 'role'])
      .default('role')
      .meta({ description: '"docs": the HA docs\' config as written (one server, the initial primary, PING check); "role": every data node, checked for role:master.' }),
    config: z.string().min(1).optional().meta({ description: 'Your own haproxy.cfg instead (path relative to the scenario); its frontend must bind port 6379; servers may be named by node name (redis-1, ...).' }),
    check: z
      .strictObject({
        interval: duration.default(2000).meta({ description: 'HAProxy `inter`: time between health checks of a server (HAProxy\'s default 2 s).' }),
        fall: z.number().int().min(1).max(100).default(3).meta({ description: 'Failed checks before a server is DOWN.' }),
        rise: z.number().int().min(1).max(100).default(2).meta({ description: 'Passed checks before a server is UP.' }),
      })
      .prefault({}),
  })
  .meta({ description: 'HAProxy between the writers and the servers.' });

/** The writers' client defaults: the harness's strict settings, or what ioredis does when told nothing. */
export const CLIENT_BASES = ['strict', 'ioredis-defaults'] as const;

/** A reconnection backoff, as a description (ioredis takes a function): delay in ms before attempt n. */
const backoff = z
  .discriminatedUnion('kind', [
    z.strictObject({ kind: z.literal('constant'), ms: duration }),
    z.strictObject({ kind: z.literal('linear'), stepMs: duration, maxMs: duration }),
    z.strictObject({ kind: z.literal('exponential'), baseMs: duration, maxMs: duration, factor: z.number().min(1).max(10).default(2) }),
    z.strictObject({ kind: z.literal('none') }),
  ])
  .meta({ description: '{ kind: constant, ms }, { kind: linear, stepMs, maxMs } (n x step, at most max), { kind: exponential, baseMs, maxMs, factor } (base x factor^(n-1), at most max), or { kind: none } (give up).' });

const client = z
  .strictObject({
    via: z
      .enum(['direct', 'haproxy'])
      .default('direct')
      .meta({ description: '"direct": the writers use the HA client (Sentinel or Cluster aware); "haproxy": they connect to an HAProxy in front of the servers, as in the HA docs.' }),
    haproxy: haproxySettings.optional(),
    base: z
      .enum(CLIENT_BASES)
      .default('strict')
      .meta({ description: '"strict" (the default): no offline queue, no re-send, a 1 s connect timeout, reconnect every 25 ms; "ioredis-defaults": ioredis\'s own defaults, as an application that sets nothing gets them. The fields below override it.' }),
    commandTimeout: z
      .union([duration, z.literal('none')])
      .optional()
      .meta({ description: 'ioredis commandTimeout: a write without a reply after this long is indeterminate ("none": wait for ever, ioredis\'s default). Strict: load.commandTimeout.' }),
    connectTimeout: duration.optional().meta({ description: 'ioredis connectTimeout (strict 1 s, ioredis 10 s).' }),
    maxRetriesPerRequest: z
      .union([z.number().int().min(0).max(1000), z.literal('unlimited')])
      .optional()
      .meta({ description: 'ioredis maxRetriesPerRequest: reconnections a queued or unanswered command waits through before it fails (strict 0, ioredis 20; "unlimited": null).' }),
    enableOfflineQueue: z.boolean().optional().meta({ description: 'ioredis enableOfflineQueue: queue commands while disconnected (strict no, ioredis yes).' }),
    autoResendUnfulfilledCommands: z.boolean().optional().meta({ description: 'ioredis autoResendUnfulfilledCommands: re-send unanswered commands after a reconnect (strict no, ioredis yes).' }),
    reconnectOnReadonly: z.boolean().optional().meta({ description: 'Reconnect (asking Sentinel again) when a demoted primary answers READONLY, without re-sending the write (strict yes; ioredis has no reconnectOnError by default).' }),
    retryStrategy: backoff.optional().meta({ description: 'ioredis retryStrategy, as a backoff: delay before reconnection n (strict constant 25 ms; ioredis linear 50 ms steps up to 2 s).' }),
    sentinelRetryStrategy: backoff.optional().meta({ description: 'ioredis sentinelRetryStrategy: delay before asking the sentinels again when none answered (strict constant 25 ms; ioredis linear 10 ms steps up to 1 s).' }),
    failoverDetector: z.boolean().optional().meta({ description: 'ioredis failoverDetector: subscribe to +switch-master on the sentinels and reconnect at once (default no).' }),
  })
  .meta({ description: 'How the writers reach the deployment, and the client settings that decide what RTO an application sees.' });

const scenarioObject = z.strictObject({
  name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'names are lower-case words joined by "-"'),
  description: z.string().default(''),
  topology: topologyInput.prefault({}),
  load: load.prefault({}),
  client: client.prefault({}),
  timeline: z.array(timelineEntry).default([]),
  duration: duration.meta({ description: 'How long the load runs, from its start.' }),
  recovery: z
    .strictObject({ timeout: duration.default(30_000).meta({ description: 'Bound on waiting for the topology to converge after the load.' }) })
    .prefault({}),
  expect: z
    .partialRecord(z.enum(EXPECTATION_NAMES), limit)
    .default({})
    .meta({ description: 'Limits on metrics; the drill fails when one does not hold. A metric with .min, .p50, .p95 or .max (rtoMs.p95) limits that statistic over repeated runs (--repeat N, nearest-rank percentiles); a single run is a sample of one, whose statistics are its own value.' }),
  regression: regressionSettings.prefault({}),
});
type ScenarioInput = z.output<typeof scenarioObject>;

export const scenarioSchema = scenarioObject
  .superRefine((s, ctx) => {
    const issue = (path: (string | number)[], message: string) => ctx.addIssue({ code: 'custom', path, message });
    const raw = s.topology;
    if (raw.mode === 'cluster') {
      if (raw.sentinels !== undefined && raw.sentinels > 0) issue(['topology', 'sentinels'], 'sentinels are refused in cluster mode: Redis Cluster fails over by itself (remove sentinels, or use mode: sentinel)');
      if (raw.replicas !== undefined) issue(['topology', 'replicas'], 'in cluster mode say replicasPerShard (replicas of each shard primary)');
    } else {
      for (const field of ['shards', 'replicasPerShard', 'cluster'] as const) {
        if (raw[field] !== undefined) issue(['topology', field], `${field} is a cluster setting; add topology.mode: cluster`);
      }
    }
    const topo = withModeDefaults(raw);
    for (const [name, settings] of Object.entries(raw.nodes)) {
      const why = impossibleTarget(name, topo);
      if (why) issue(['topology', 'nodes', name], why);
      else if (settings.dataDisk !== undefined && name.startsWith('sentinel')) issue(['topology', 'nodes', name, 'dataDisk'], 'a sentinel has no data directory: dataDisk is for data nodes (redis-N)');
    }
    const placed = new Map<string, string>();
    for (const [zone, members] of Object.entries(raw.zones ?? {})) {
      members.forEach((member, j) => {
        const why = impossibleTarget(member, topo);
        if (why) issue(['topology', 'zones', zone, j], why);
        else if (placed.has(member)) issue(['topology', 'zones', zone, j], `${member} is already in zone "${placed.get(member)}": a node is in one zone`);
        else placed.set(member, zone);
      });
    }
    for (const r of profileFor(topo.server).refuse(topo)) issue(r.path, r.message);
    const { load: l, timeline } = s;
    if (topo.sentinels > 0 && topo.sentinel.quorum > topo.sentinels) {
      issue(['topology', 'sentinel', 'quorum'], `quorum ${topo.sentinel.quorum} is larger than the ${topo.sentinels} sentinels`);
    }
    if (l.wait.replicas > topo.replicas) {
      issue(['load', 'wait', 'replicas'], `WAIT for ${l.wait.replicas} replicas but ${topo.mode === 'cluster' ? 'each shard' : 'the topology'} has ${topo.replicas}`);
    }
    if (raw.configFiles?.server && topo.server === 'ferrite') issue(['topology', 'configFiles', 'server'], 'Ferrite reads a TOML file, not redis.conf: give its settings as serverConfig (redis.conf names it has an equivalent for, or dotted TOML keys)');
    if (raw.configFiles?.sentinel && topo.sentinels === 0) issue(['topology', 'configFiles', 'sentinel'], topo.mode === 'cluster' ? 'a sentinel.conf in cluster mode: there are no sentinels' : 'a sentinel.conf, and the topology has no sentinels');
    if (raw.preset === 'max-durability' && topo.replicas < 2 && !('min-replicas-to-write' in raw.serverConfig)) {
      issue(['topology', 'preset'], `max-durability sets min-replicas-to-write 2, and the topology has ${topo.replicas} replica${topo.replicas === 1 ? '' : 's'}${topo.mode === 'cluster' ? ' per shard' : ''}: every write would be refused; add replicas or override min-replicas-to-write in serverConfig`);
    }
    for (const field of ['sentinelRetryStrategy', 'failoverDetector'] as const) {
      if (s.client[field] !== undefined && (topo.mode !== 'sentinel' || s.client.via !== 'direct')) issue(['client', field], `${field} is a setting of ioredis's Sentinel client; the writers use it only with topology.mode: sentinel and client.via: direct`);
    }
    if (s.client.via === 'haproxy') {
      for (const field of ['retryStrategy', 'reconnectOnReadonly'] as const) {
        if (s.client[field] !== undefined) issue(['client', field], `${field} is not used through HAProxy: the writer there opens a new connection to HAProxy after every drop or READONLY`);
      }
    }
    if (s.client.reconnectOnReadonly !== undefined && topo.mode === 'cluster') issue(['client', 'reconnectOnReadonly'], 'reconnectOnReadonly is a Sentinel-mode setting: the cluster client follows MOVED and the slot map instead');
    if (s.client.haproxy && s.client.via !== 'haproxy') issue(['client', 'haproxy'], 'haproxy settings without client.via: haproxy');
    if (s.client.via === 'haproxy') {
      if (topo.mode === 'cluster') issue(['client', 'via'], 'HAProxy cannot front a Redis Cluster (clients must follow the slot map); use via: direct');
      if (topo.tls?.enabled) issue(['client', 'via'], 'via: haproxy with TLS is not supported yet: HAProxy would have to check the servers over TLS; drop tls or use via: direct');
    }
    if (l.wait.replicas === 0) {
      for (const name of Object.keys(s.expect) as (keyof typeof s.expect)[]) {
        const metric = splitStat(name).metric;
        if (metric !== 'lostWrites.durable' && metric !== 'durableRtoMs') continue;
        issue(['expect', name], `${metric} means nothing without WAIT (load.wait.replicas is 0: no write is confirmed by a replica); expect lostWrites.total or lostWrites.unconfirmed, or set load.wait.replicas`);
      }
    }
    if (topo.mode === 'cluster' && l.writers < topo.shards) {
      issue(['load', 'writers'], `${l.writers} writers for ${topo.shards} shards: in cluster mode each writer writes to one shard, so give at least one writer per shard`);
    }
    const ids = new Map<string, number>();
    timeline.forEach((entry, i) => {
      if (entry.at >= s.duration) issue(['timeline', i, 'at'], `${isAction(entry) ? 'step' : 'fault'} at ${entry.at} ms is not before the drill's end (duration ${s.duration} ms)`);
      if (isAction(entry)) {
        const kind = actionKind(entry.action);
        if (entry.id !== undefined) {
          if (ids.has(entry.id)) issue(['timeline', i, 'id'], `id "${entry.id}" is used twice`);
          ids.set(entry.id, i);
        }
        const problem = kind.check?.(entry as never);
        if (problem) issue(['timeline', i, ...problem.path], problem.message);
        for (const [path, name] of kind.targetsOf(entry as never)) {
          const why = impossibleTarget(name, topo);
          if (why) issue(['timeline', i, ...path], why);
        }
        if (topo.mode === 'cluster') issue(['timeline', i, 'action'], 'runbook actions are for Sentinel-mode topologies (with or without sentinels); a cluster fails over with CLUSTER FAILOVER');
        return;
      }
      if (entry.fault === 'heal') {
        const j = ids.get(entry.of);
        if (j === undefined || isAction(timeline[j])) issue(['timeline', i, 'of'], `no earlier fault has id "${entry.of}"`);
        else if (timeline[j].at > entry.at) issue(['timeline', i, 'at'], `heals "${entry.of}" before it is injected`);
        return;
      }
      if (entry.id !== undefined) {
        if (ids.has(entry.id)) issue(['timeline', i, 'id'], `id "${entry.id}" is used twice`);
        ids.set(entry.id, i);
      }
      if (entry.repeat && entry.duration === undefined) issue(['timeline', i, 'repeat'], 'a repeated fault needs a duration (it is healed between repeats)');
      if (entry.repeat && entry.duration !== undefined && entry.duration >= entry.repeat.every) {
        issue(['timeline', i, 'duration'], `duration ${entry.duration} ms must be shorter than repeat.every ${entry.repeat.every} ms`);
      }
      if (entry.fault === 'latency' && entry.link === 'client' && (topo.mode === 'cluster' || s.client.via === 'haproxy')) {
        // The client-link proxy is wired into the Sentinel writers' address map; other writers would bypass it.
        issue(['timeline', i, 'link'], `link: client slows the writers' Sentinel connections; it is not supported ${topo.mode === 'cluster' ? 'in cluster mode' : 'with client.via: haproxy'} yet (use link: replication)`);
      }
      const kind = faultKind(entry.fault);
      const problem = kind.check?.(entry as never);
      if (problem) issue(['timeline', i, ...problem.path], problem.message);
      for (const [path, name] of kind.targetsOf(entry as never)) {
        const why = impossibleTarget(name, topo);
        if (why) issue(['timeline', i, ...path], why);
      }
    });
  })
  .transform((s): Omit<ScenarioInput, 'topology'> & { topology: Topology } => ({ ...s, topology: withModeDefaults(s.topology) }));

/** Data nodes in a topology: the primary and replicas, or every shard's. */
export function dataNodeCount(topo: Topology): number {
  return topo.shards * (1 + topo.replicas);
}

/** Why a target can never exist in this topology (null when it can). */
function impossibleTarget(name: string, topo: Topology): string | null {
  if (name === 'client' || name === 'rest') return null;
  const zone = ZONE_SELECTOR.exec(name);
  if (zone) {
    const zones = Object.keys(topo.zones ?? {});
    if (zones.length === 0) return `target "${name}" names a zone, and the topology declares none (topology.zones)`;
    if (zone[1] !== 'primary' && !zones.includes(zone[1])) return `no zone "${zone[1]}": the topology's zones are ${zones.join(', ')}`;
    return null;
  }
  const shard = SHARD_SELECTOR.exec(name);
  if (shard) {
    if (topo.mode !== 'cluster') return `target "${name}" names a shard; shards exist in cluster mode (topology.mode: cluster)`;
    const n = Number(shard[2]);
    if (n < 1 || n > topo.shards) return `no shard ${n}: this cluster has shards 1 to ${topo.shards}`;
    if (shard[1] === 'replica' && topo.replicas === 0) return `target "${name}" needs replicas, and the shards have none`;
    return null;
  }
  if (name.startsWith('replica') && topo.replicas === 0) return `target "${name}" needs replicas, and the topology has none`;
  if ((name.startsWith('sentinel') || name === 'all-sentinels') && topo.sentinels === 0) {
    return topo.mode === 'cluster' ? `target "${name}": there are no sentinels in cluster mode` : `target "${name}" needs sentinels, and the topology has none`;
  }
  const m = /^(redis|sentinel)-(\d+)$/.exec(name);
  if (m) {
    const count = m[1] === 'redis' ? dataNodeCount(topo) : topo.sentinels;
    const n = Number(m[2]);
    if (count === 0) return `no node "${name}": this topology has no ${m[1] === 'redis' ? 'data nodes' : 'sentinels'}`;
    if (n < 1 || n > count) return `no node "${name}": this topology has ${m[1]}-1 to ${m[1]}-${count}`;
  }
  return null;
}

export type Scenario = z.output<typeof scenarioSchema>;
export type TimelineEntry = z.output<typeof timelineEntry>;
export type ActionEntry = Extract<TimelineEntry, { action: string }>;
export type FaultEntry = Exclude<TimelineEntry, { fault: 'heal' } | ActionEntry>;

/** The timeline's faults and heals, without the operator's steps. */
export function faultsOf(timeline: readonly TimelineEntry[]): Exclude<TimelineEntry, ActionEntry>[] {
  return timeline.filter((e): e is Exclude<TimelineEntry, ActionEntry> => !isAction(e));
}

/** Whether a timeline entry is an operator's step rather than a fault or a heal. */
export function isAction(entry: TimelineEntry): entry is ActionEntry {
  return 'action' in entry;
}
export type Limit = z.output<typeof limit>;

/** JSON Schema of the scenario file (input shape: what a user writes, before defaults). */
export function scenarioJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(scenarioSchema, { io: 'input', unrepresentable: 'any' }),
    $id: 'https://ferrite-drill.dev/schema/scenario.json',
    title: 'ferrite-drill scenario',
  };
}
