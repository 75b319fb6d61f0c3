/**
 * Taking one runbook step: resolve its targets now (the selectors faults use), snapshot the replicas'
 * offsets when the step moves the primary, send the command, journal it (`action.send`, at the moment
 * the command went out), then wait — bounded — until it took effect and journal that (`action.effect`).
 * The timeline waits too, as an operator does before the next step.
 */
import type { FaultRole } from '../record/events.ts';
import type { ActionEntry } from '../scenario/schema.ts';
import type { FaultContext } from '../faults/kind.ts';
import { snapshotReplicas } from '../faults/inject.ts';
import { DeadlineError, waitFor } from '../util/time.ts';
import { actionKind } from './registry.ts';
import type { Effect } from './kind.ts';

/** How long a step may take to show its effect before the journal says it did not. */
export const EFFECT_TIMEOUT_MS = 10_000;

export function describeAction(entry: ActionEntry): string {
  return actionKind(entry.action).describe(entry as never);
}

export async function performAction(entry: ActionEntry, key: string, ctx: FaultContext, signal?: AbortSignal, timeoutMs = EFFECT_TIMEOUT_MS): Promise<{ nodes: string[]; effect: Effect | null }> {
  const { dep, journal } = ctx;
  const kind = actionKind(entry.action);
  const primaries = await dep.mode.primaries(dep);
  const injection = { ...ctx, primaries };
  const resolved = await kind.resolve(entry as never, injection);
  const nodes = resolved.nodes;
  const primaryNodes = new Set(primaries.values());
  // Only a step that moves the primary away (a switchover) counts as hitting it: drills measure from it
  // as from a fault on the primary. A write or a REPLICAOF sent to the primary disturbs nothing.
  const movesPrimary = kind.movesPrimary === true && nodes.some((n) => primaryNodes.has(n));
  if (movesPrimary || kind.snapshotsOffsets) await snapshotReplicas(ctx, [...primaryNodes]);
  const role: FaultRole = movesPrimary ? 'primary' : nodes.length === 0 || nodes.some((n) => primaryNodes.has(n)) ? 'none' : nodes.every((n) => n.kind === 'sentinel') ? 'sentinel' : 'replica';
  const sentAt = journal.now();
  const sent = await kind.send(entry as never, resolved, injection);
  journal.append(
    'action.send',
    {
      key,
      kind: entry.action,
      description: kind.describe(entry as never),
      target: entry.target,
      node: nodes[0]?.name ?? null,
      nodes: nodes.map((n) => n.name),
      role,
      issuedMs: journal.now() - sentAt,
      reply: sent.reply,
    },
    sentAt,
  );
  let effect: Effect | null = null;
  try {
    effect = await waitFor(`${key} to take effect`, sent.effect, { timeoutMs, intervalMs: 20, signal });
    journal.append('action.effect', { key, kind: entry.action, node: effect.node ?? nodes[0]?.name ?? null, afterMs: journal.now() - sentAt, ok: effect.ok ?? true, detail: effect.detail });
  } catch (err) {
    if (!(err instanceof DeadlineError)) throw err;
    journal.append('action.effect', { key, kind: entry.action, node: nodes[0]?.name ?? null, afterMs: null, ok: false, detail: err.message });
  }
  return { nodes: nodes.map((n) => n.name), effect };
}
