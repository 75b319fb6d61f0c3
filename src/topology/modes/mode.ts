/**
 * FailoverMode: everything that knows how HA works in a deployment — its nodes' HA configuration,
 * readiness, the writers' client, who is primary now (per shard), convergence, what to observe while
 * the drill runs, and how the nodes' own logs turn into journal events. `sentinel` and `cluster`.
 * Analysis reads the mode's name from the journal and applies the matching checker.
 */
import type { HaMode } from '../../record/events.ts';
import type { Journal } from '../../record/journal.ts';
import type { Convergence } from '../../record/result.ts';
import type { Node } from '../node.ts';
import type { Deployment } from '../deployment.ts';
import type { Scenario } from '../../scenario/schema.ts';

/** A node the create provisioner should start: its name, role, address and the mode's config lines. */
export interface NodePlan {
  name: string;
  kind: Node['kind'];
  shard: number | null;
  /** Initial role for data nodes. */
  primary: boolean;
  port: number;
  /** Extra config lines from the mode (cluster-enabled, sentinel monitor ...), in redis.conf / sentinel.conf form. */
  configLines: string[];
  /** Data nodes that start as a replica: of this address (each server profile writes it its own way). */
  replicaOf?: { host: string; port: number };
}

/** Something that watches the deployment while the drill runs. */
export interface Observer {
  start(): Promise<void> | void;
  stop(): void;
}

/** What a writer sees of one write. */
export interface WriteOutcome {
  code: number;
  waitReply: number;
  /** Index of the node that acknowledged it (deployment order), or NODE_UNKNOWN. */
  node: number;
  /** A connection dropped while it was in flight and the client may have sent it again. */
  acrossDrop?: boolean;
}

/** One writer's connection to the deployment (own connections, so WAIT counts only its writes). */
export interface WriterClient {
  connect(): Promise<void>;
  readonly ready: boolean;
  /** SET then WAIT on the same connection; never throws. */
  write(key: string, value: string): Promise<WriteOutcome>;
  close(): void;
}

/** Reads keys back from the converged final state. */
export interface KeyReader {
  /** Where it reads (for the journal and report). */
  readonly source: string;
  get(keys: string[]): Promise<(string | null)[]>;
  close(): void;
}

export interface FailoverMode {
  readonly name: HaMode;
  /** The data nodes and monitors to create, in start order, with their HA configuration. */
  plan(addresses: Map<string, string>): NodePlan[];
  /** Names of the nodes plan() will return, in start order (to assign addresses first). */
  nodeNames(): string[];
  /** After every node runs: join them into one deployment (cluster: MEET, slots, REPLICATE). */
  join(dep: Deployment, signal: AbortSignal, timeoutMs: number): Promise<void>;
  /** Until the deployment is ready for a drill (replication up, monitors agree). */
  awaitReady(dep: Deployment, signal: AbortSignal, timeoutMs: number): Promise<void>;
  /** Extra fields for the journal's `topology.nodes` record (master name, slot ranges). */
  describe(dep: Deployment): { masterName?: string; slots?: Record<string, [number, number][]> };
  /** Who is primary now, by shard (Sentinel: shard 1 only). Unreachable shards are absent. */
  primaries(dep: Deployment): Promise<Map<number, Node>>;
  /**
   * Which keys each writer uses (cluster mode: tags that keep a writer on one shard, so a stalled shard
   * does not starve the writers of the others); undefined: plain keys spread by the server's hashing.
   */
  keyPlan?(dep: Deployment, writers: number): { keyTags: string[][]; writerShards: number[] };
  /** The writers' client, configured as the scenario's client section says. */
  writerClient(dep: Deployment, writer: number, journal: Journal, stopping: () => boolean): WriterClient;
  /** Observers for the drill's whole run (event tap, cluster state poller). */
  observers(dep: Deployment, journal: Journal): Observer[];
  /** A one-line progress message for a live event worth showing, or null. */
  progressLine(event: import('../../record/events.ts').JournalEvent, t0: number | null): string | null;
  /** Turns the nodes' saved logs into journal events (authoritative event times). */
  journalLogs(dep: Deployment, logs: Record<string, string>, journal: Journal): void;
  /** Bounded wait until one primary per shard and every running replica linked to it. */
  converge(dep: Deployment, journal: Journal, timeoutMs: number, signal: AbortSignal): Promise<Convergence>;
  /**
   * Repeats: brings a deployment a drill has run on back to the state a fresh bring-up ends in (every node
   * running, data flushed, the original primary primary again, monitors agreed and ready), so the next run
   * can reuse it; throws when it cannot. Absent: the mode cannot, and repeats create the topology again.
   */
  reset?(dep: Deployment, signal: AbortSignal, timeoutMs: number, step: (what: string) => void): Promise<void>;
  /** Reader of the final state, once converged. */
  finalReader(dep: Deployment, convergence: Convergence): Promise<KeyReader | null>;
  /**
   * Selectors that only make sense in this mode (cluster: primary:shard-N), or undefined to let the
   * common selectors handle it.
   */
  resolveTarget(selector: string, dep: Deployment, journal: Journal): Promise<Node[] | undefined>;
}

export type ModeFactory = (scenario: Scenario) => FailoverMode;
