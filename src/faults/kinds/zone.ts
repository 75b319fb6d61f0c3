/**
 * Availability-zone faults over `topology.zones`: `zone-down` takes a whole zone out at once (every node
 * SIGKILLed, or cut off from everything by a partition), `zone-isolate` cuts one zone off from the
 * others while the clients stay with it and keep writing (the split brain a zone's network failure
 * makes). Both are the kill and partition kinds applied to the zone's nodes; `zone: primary` is the zone
 * of the primary when the fault fires.
 */
import { z } from 'zod';
import { faultCommon } from '../../scenario/primitives.ts';
import type { FaultKind } from '../kind.ts';
import { kill } from './kill.ts';
import { partition } from './partition.ts';

const zoneName = z
  .string()
  .regex(/^[A-Za-z0-9_-]+$/, 'a zone is a name from topology.zones, or "primary" (the zone of the primary when the fault fires)')
  .meta({ description: 'A zone from topology.zones, or "primary": the zone the primary is in when the fault fires.' });

const downSchema = z.strictObject({
  ...faultCommon,
  fault: z.literal('zone-down'),
  zone: zoneName.default('primary'),
  how: z.enum(['kill', 'partition']).default('kill').meta({ description: 'kill: SIGKILL every node of the zone (heal: start them again); partition: cut the zone off from every other node and from the clients (heal: rules removed).' }),
});
type DownEntry = z.output<typeof downSchema>;

const asKill = (e: DownEntry | IsolateEntry) => ({ ...e, fault: 'kill' as const, target: `zone:${e.zone}`, signal: 'SIGKILL' as const });
const asIsolate = (e: DownEntry) => ({ ...e, fault: 'partition' as const, isolate: `zone:${e.zone}` });

type PartitionResolved = Awaited<ReturnType<typeof partition.resolve>>;

export const zoneDown: FaultKind<typeof downSchema, PartitionResolved> = {
  name: 'zone-down',
  schema: downSchema,
  summary: 'a whole zone at once: every node SIGKILLed (`how: kill`) or cut off from everything, clients too (`how: partition`); heal: started again / rules removed',
  describe: (e) => `zone-down (${e.how}) zone ${e.zone}`,
  targetsOf: (e) => [[['zone'], `zone:${e.zone}`]],
  kills: (e) => e.how === 'kill',
  network: (e) => e.how === 'partition',
  async resolve(e, ctx) {
    if (e.how === 'partition') return partition.resolve(asIsolate(e), ctx);
    const { nodes } = await kill.resolve(asKill(e), ctx);
    return { nodes, groups: [], oneway: false };
  },
  inject: (e, resolved, ctx) => (e.how === 'partition' ? partition.inject(asIsolate(e), resolved, ctx) : kill.inject(asKill(e), resolved, ctx)),
};

const isolateSchema = z.strictObject({
  ...faultCommon,
  fault: z.literal('zone-isolate'),
  zone: zoneName.default('primary'),
});
type IsolateEntry = z.output<typeof isolateSchema>;

const asSplit = (e: IsolateEntry) => ({ ...e, fault: 'partition' as const, groups: [[`zone:${e.zone}`, 'client'], ['rest']] });

export const zoneIsolate: FaultKind<typeof isolateSchema, PartitionResolved> = {
  name: 'zone-isolate',
  schema: isolateSchema,
  summary: 'one zone cut off from the other zones while the clients stay with it and keep writing (`groups: [[zone, client], [rest]]`); heal: rules removed',
  describe: (e) => `zone-isolate zone ${e.zone} (clients stay with it)`,
  targetsOf: (e) => [[['zone'], `zone:${e.zone}`]],
  network: true,
  resolve: (e, ctx) => partition.resolve(asSplit(e), ctx),
  inject: (e, resolved, ctx) => partition.inject(asSplit(e), resolved, ctx),
};
