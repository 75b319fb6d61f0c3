/**
 * Provisioner: where the deployment under test comes from. `create` brings a topology up from the
 * scenario (and removes it afterwards); `attach` discovers one the user already runs (and removes only
 * what the harness added). Either yields a Deployment: nodes, runtime, mode, client access.
 */
import type { Deployment } from '../deployment.ts';
import type { NodeRuntime } from '../runtime/types.ts';
import type { Node } from '../node.ts';

export interface PreparedImage {
  image: string;
  /** How it was obtained, in one sentence. */
  how: string;
  /** The sentinels' image when it is not the data nodes' (Ferrite ships no sentinel: Redis Sentinel's). */
  sentinel?: { image: string; how: string };
}

/**
 * Throwaway data nodes of the deployment's own image and server config, for checks that would disturb
 * the drill's nodes (REPLICAOF, SHUTDOWN, SIGTERM, min-replicas-to-write with no replica): standalone
 * primaries on the deployment's network, unknown to its monitors, removed after use and at teardown.
 */
export interface ScratchNodes {
  /** `count` of them (at most two), started and answering their health check. */
  start(count: number, signal: AbortSignal): Promise<Node[]>;
  /** Removes them; safe for nodes that already stopped. */
  remove(nodes: Node[]): Promise<void>;
}

export interface Provisioner {
  readonly kind: 'create' | 'attach';
  /** What acts on the nodes (available before bring-up, for probes). */
  readonly runtime: NodeRuntime;
  /** Everything that may fail before anything starts (the engine, images, leftovers of dead runs); says what it did. */
  prepare(log: (message: string) => void): Promise<PreparedImage>;
  /** Brings the deployment up (or finds it) and waits until it is ready for a drill. */
  bringUp(signal: AbortSignal): Promise<Deployment>;
  /** The deployment as far as it exists (also after a failed bring-up), for logs and teardown. */
  readonly deployment: Deployment | undefined;
  /** Removes what the harness created; never a user's node. Safe to call twice, and after a failed bring-up. */
  tearDown(): Promise<void>;
  /** Throwaway nodes for the preflight; absent where the provisioner cannot make nodes (attach). */
  readonly scratch?: ScratchNodes;
}
