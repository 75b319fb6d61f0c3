/**
 * Injecting and healing any fault kind: resolve the targets now, snapshot the replicas' offsets when a
 * primary is hit, take t0 just before the fault command, record in the journal what was hit and in
 * which role, and return the active fault with its heal.
 */
import { parseInfo } from '../topology/admin.ts';
import type { Node } from '../topology/node.ts';
import type { FaultRole } from '../record/events.ts';
import type { FaultEntry } from '../scenario/schema.ts';
import type { FaultContext, Heal } from './kind.ts';
import { faultKind } from './registry.ts';

export interface ActiveFault {
  /** Unique per injection: `<id or kind>#<n>`. */
  key: string;
  kind: string;
  nodes: string[];
  /** Whether teardown must heal it: not when its nodes are removed anyway (a killed node the harness created). */
  healAtTeardown: boolean;
  heal: Heal;
}

export function describeEntry(entry: FaultEntry): string {
  return faultKind(entry.fault).describe(entry as never);
}

export async function injectFault(entry: FaultEntry, key: string, ctx: FaultContext): Promise<ActiveFault> {
  const { dep, journal } = ctx;
  const kind = faultKind(entry.fault);
  const primaries = await dep.mode.primaries(dep);
  const injection = { ...ctx, primaries };
  const resolved = await kind.resolve(entry as never, injection);
  const nodes = resolved.nodes;
  const hitShards = [...primaries].filter(([, p]) => nodes.includes(p)).map(([shard]) => shard);
  if (hitShards.length > 0) await snapshotReplicas(ctx, [...primaries.values()]);
  if (kind.kills?.(entry as never)) for (const n of nodes) ctx.expectDeath?.(n.name);
  const t0 = journal.now();
  const injected = await kind.inject(entry as never, resolved, injection);
  const role: FaultRole = hitShards.length > 0 ? 'primary' : nodes.length === 0 ? 'none' : nodes.every((n) => n.kind === 'sentinel') ? 'sentinel' : 'replica';
  journal.append(
    'fault.inject',
    {
      key,
      kind: entry.fault,
      description: kind.describe(entry as never),
      ...('target' in entry ? { target: String(entry.target) } : {}),
      ...(entry.fault === 'kill' ? { signal: entry.signal } : {}),
      node: nodes[0]?.name ?? null,
      nodes: nodes.map((n) => n.name),
      role,
      ...(dep.mode.name === 'cluster' ? { shards: hitShards } : {}),
      ...(injected.mechanism ? { mechanism: injected.mechanism } : {}),
      issuedMs: journal.now() - t0,
    },
    t0,
  );
  // A node the harness did not create must be healed whatever happens: it is the user's.
  const healAtTeardown = injected.healAtTeardown || nodes.some((n) => !n.owned);
  return { key, kind: entry.fault, nodes: nodes.map((n) => n.name), healAtTeardown, heal: injected.heal };
}

export async function healFault(fault: ActiveFault, ctx: FaultContext, reason: 'scheduled' | 'teardown'): Promise<void> {
  const base = { key: fault.key, kind: fault.kind, node: fault.nodes[0] ?? null, nodes: fault.nodes, reason };
  if (reason === 'teardown' && !fault.healAtTeardown) {
    ctx.journal.append('fault.heal', { ...base, skipped: 'its nodes are removed at teardown' });
    return;
  }
  const t = ctx.journal.now();
  await fault.heal();
  ctx.journal.append('fault.heal', { ...base, issuedMs: ctx.journal.now() - t }, t);
}

/** Before a fault hits a primary: every replica's offset, to judge the promoted replica later. */
async function snapshotReplicas(ctx: FaultContext, primaries: Node[]): Promise<void> {
  const offsets: Record<string, number> = {};
  await Promise.all(
    ctx.dep.dataNodes
      .filter((n) => !primaries.includes(n))
      .map(async (n) => {
        try {
          const info = parseInfo(String(await ctx.dep.command(n, 'INFO', 'replication')));
          offsets[n.name] = Number(info.slave_repl_offset ?? -1);
        } catch {
          // unreachable replica: no offset
        }
      }),
  );
  ctx.journal.append('replication.snapshot', { primary: primaries.map((p) => p.name).join(','), offsets });
}
