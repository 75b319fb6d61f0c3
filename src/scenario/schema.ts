/**
 * The scenario file's schema. zod validates it (with defaults) and the same schema is exported as JSON
 * Schema by `ferrite-drill schema` so editors can autocomplete and check scenario files.
 */
import { z } from 'zod';
import { METRIC_NAMES } from '../analysis/metricNames.ts';
import { parseDurationMs } from '../util/time.ts';

const DURATION_PATTERN = /^\s*\d+(\.\d+)?\s*(ms|s|m|h)?\s*$/;

/** A duration: milliseconds as a number, or a string such as "1500ms", "5s", "2m". */
const duration = z
  .union([
    z.number().nonnegative(),
    z.string().regex(DURATION_PATTERN, 'expected a duration such as 1500, "1500ms", "5s" or "2m"'),
  ])
  .transform((value) => parseDurationMs(value) as number)
  .meta({ description: 'Milliseconds, or a string with a unit: "1500ms", "5s", "2m".' });

export const SERVER_KINDS = ['redis', 'valkey', 'ferrite'] as const;
export const FAULT_KINDS = ['kill'] as const;
export const SIGNALS = ['SIGKILL', 'SIGTERM', 'SIGINT', 'SIGQUIT'] as const;

const sentinelSettings = z.strictObject({
  masterName: z.string().regex(/^[A-Za-z0-9._-]+$/).default('mymaster').meta({ description: 'Name the sentinels monitor the primary under.' }),
  quorum: z.number().int().min(1).default(2).meta({ description: 'Sentinels that must agree the primary is down (odown).' }),
  downAfter: duration.default(1000).meta({ description: 'down-after-milliseconds: silence before a sentinel marks a node +sdown.' }),
  failoverTimeout: duration.default(10_000).meta({ description: 'failover-timeout.' }),
  parallelSyncs: z.number().int().min(1).default(1),
});

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
  serverConfig: z
    .record(z.string().regex(/^[a-z][a-z0-9-]*$/, 'config names are lower-case words joined by "-"'), z.union([z.string(), z.number(), z.boolean()]))
    .default({})
    .meta({ description: 'Config directives passed to every data node, e.g. { min-replicas-to-write: 1 }.' }),
});

const load = z.strictObject({
  writers: z.number().int().min(1).max(256).default(4).meta({ description: 'Concurrent writers, one connection each.' }),
  rate: z
    .union([z.literal('unlimited'), z.number().positive()])
    .default('unlimited')
    .meta({ description: 'Total target writes per second across writers, or "unlimited".' }),
  wait: z
    .strictObject({
      replicas: z.number().int().min(0).default(1).meta({ description: 'WAIT <replicas>: a write is durable when this many replicas acknowledged it.' }),
      timeout: duration.default(100).meta({ description: 'WAIT timeout.' }),
    })
    .prefault({}),
  commandTimeout: duration.default(1000).meta({ description: 'A command without a reply after this long is indeterminate.' }),
  valueSize: z.number().int().min(8).max(65536).default(32).meta({ description: 'Bytes per value (values stay unique).' }),
});

const killFault = z.strictObject({
  at: duration.meta({ description: 'When the fault fires, from the start of the load.' }),
  fault: z.literal('kill'),
  target: z.string().min(1).default('primary').meta({ description: 'Role resolved when the fault fires ("primary") or a node name ("redis-2").' }),
  signal: z.enum(SIGNALS).default('SIGKILL'),
});

export const timelineEntry = z.discriminatedUnion('fault', [killFault]);

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
    timeline.forEach((entry, i) => {
      if (entry.at >= s.duration) {
        ctx.addIssue({ code: 'custom', path: ['timeline', i, 'at'], message: `fault at ${entry.at} ms is not before the drill's end (duration ${s.duration} ms)` });
      }
    });
  });

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
