/** Pieces the fault kinds share: resolving a single `target`, and starting a node again. */
import type { Deployment } from '../../topology/deployment.ts';
import type { Node } from '../../topology/node.ts';
import type { InjectionContext, Resolved } from '../kind.ts';
import { resolveTargets } from '../selectors.ts';

export async function resolveTarget(entry: { target: string }, ctx: InjectionContext): Promise<Resolved> {
  return { nodes: await resolveTargets(ctx, entry.target) };
}

export function targetOf(entry: { target: string }): [(string | number)[], string][] {
  return [[['target'], entry.target]];
}

/** Starts a node again and re-reads its address (the runtime may give it another). */
export async function startAgain(dep: Deployment, node: Node): Promise<void> {
  const state = await dep.runtime.inspect(node);
  if (!state.running) await dep.runtime.start(node);
  await dep.refresh(node);
}

/** Runs one heal per node, in order. */
export function healEach(heals: (() => Promise<void>)[]): () => Promise<void> {
  return async () => {
    for (const h of heals) await h();
  };
}
