/**
 * A timeline action: an operator's step of a runbook (promote a replica, repoint the others, ask
 * Sentinel for a switchover, check that a write goes through). Not a fault — nothing is broken and
 * nothing is healed — but scheduled, targeted and journalled the way faults are: the same `at`, the same
 * selectors (resolved when the step runs, see faults/selectors.ts), one module per action under kinds/.
 * Each action is *sent* (the command returns) and later *takes effect* (what it asked for is seen on the
 * nodes); both moments are journalled, because an operator's procedure is as slow as its slowest wait.
 */
import type { z } from 'zod';
import type { InjectionContext, Resolved } from '../faults/kind.ts';

/** What the step's command answered, and how to tell that it took effect. */
export interface Sent {
  /** The reply, in a few words (journalled with the send). */
  reply: string;
  /** Polled until it returns a description of the effect seen (or the step's deadline passes). */
  effect: (note: (why: string) => void) => Promise<Effect | undefined>;
}

export interface Effect {
  /** What was seen, in words. */
  detail: string;
  /** The node the effect is about when it names one (the new primary of a switchover). */
  node?: string;
  /** false: the step's command was answered with an error (e.g. a verify-write refused). */
  ok?: boolean;
}

export interface ActionKind<S extends z.ZodType = z.ZodType, R extends Resolved = Resolved, E extends z.output<S> & { action: string } = z.output<S> & { action: string }> {
  readonly name: E['action'];
  readonly schema: S;
  /** Whether the step moves the primary away (a switchover): drills then measure from it as from a fault on the primary. */
  readonly movesPrimary?: boolean;
  /** Whether the replicas' offsets are snapshot just before the step (to judge the replica it promotes). */
  readonly snapshotsOffsets?: boolean;
  /** One line for the README's action table and `--help`. */
  readonly summary: string;
  describe(entry: E): string;
  /** Every target the entry names, with its path inside the entry (checked against the topology). */
  targetsOf(entry: E): [(string | number)[], string][];
  /** A problem with the entry that the schema alone cannot see, or null. */
  check?(entry: E): { path: (string | number)[]; message: string } | null;
  /** Resolves the step's targets right now (the nodes it acts on; the first is the one it is about). */
  resolve(entry: E, ctx: InjectionContext): Promise<R>;
  /** Sends the step's command(s); returns the reply and the effect to wait for. */
  send(entry: E, resolved: R, ctx: InjectionContext): Promise<Sent>;
}
