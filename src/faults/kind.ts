/**
 * A fault kind: its timeline-entry schema, how it describes itself, which targets it names (checked
 * against the topology before anything starts), how it resolves them when it fires, and how it injects
 * and heals. One module per kind under kinds/; the registry lists them.
 */
import type { z } from 'zod';
import type { Journal } from '../record/journal.ts';
import type { Deployment } from '../topology/deployment.ts';
import type { Node } from '../topology/node.ts';
import type { LinkMechanism, LinkProxies } from './links.ts';

export type Heal = () => Promise<void>;

export interface FaultContext {
  dep: Deployment;
  journal: Journal;
  runId: string;
  /** Told before a fault kills or stops a node, so its death is not taken for a crash. */
  expectDeath?: (node: string) => void;
  /** The run's link proxies (latency without netem); absent where no fault needs them. */
  links?: LinkProxies;
}

/** While one fault is being injected: the context plus who is primary right now (looked up once). */
export interface InjectionContext extends FaultContext {
  primaries: Map<number, Node>;
}

/** What injecting did: the heal, and whether teardown must still heal it (a killed node is removed anyway). */
export interface Injected {
  heal: Heal;
  healAtTeardown: boolean;
  /** For faults with more than one way to apply them: the one used (recorded with the fault). */
  mechanism?: LinkMechanism;
}

/** The targets resolved when the fault fires: the faulted side first (what "hit the primary" is judged by). */
export interface Resolved {
  nodes: Node[];
}

export interface FaultKind<S extends z.ZodType = z.ZodType, R extends Resolved = Resolved, E extends z.output<S> & { fault: string } = z.output<S> & { fault: string }> {
  readonly name: E['fault'];
  /** The timeline entry's schema (zod), with descriptions for the JSON Schema. */
  readonly schema: S;
  /** One line for the fault catalogue (README, `--help`). */
  readonly summary: string;
  /** What this entry does, in one line (progress and journal). */
  describe(entry: E): string;
  /** Every target or party the entry names, with its path inside the entry (for validation messages). */
  targetsOf(entry: E): [(string | number)[], string][];
  /** A problem with the entry that the schema alone cannot see, or null. */
  check?(entry: E): { path: (string | number)[]; message: string } | null;
  /** Whether the fault takes its targets' processes down (the death watch must expect it). */
  kills?(entry: E): boolean;
  /** Network faults need the runtime's namespace helpers ready before the load. */
  readonly network?: boolean;
  /** Resolves the entry's targets right now. */
  resolve(entry: E, ctx: InjectionContext): Promise<R>;
  /** Applies the fault to resolved targets (called just after t0 is taken). */
  inject(entry: E, resolved: R, ctx: InjectionContext): Promise<Injected>;
}
