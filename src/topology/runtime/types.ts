/**
 * NodeRuntime: everything done *to* a node — inspect, signal, start/stop/restart, pause, logs, death
 * events, a shell in its network namespace, removal. Docker is the one implementation today; nothing
 * outside it sees a container object, so another runtime (Kubernetes) can stand in.
 */
import type { Node } from '../node.ts';

export interface NodeState {
  running: boolean;
  paused: boolean;
  /** Changes whenever the node (re)starts: a restarted node has a fresh network namespace. */
  startedAt: string;
  exitCode: number | null;
  /** The kernel's OOM killer ended its last run (the container's memory limit was reached). */
  oomKilled: boolean;
  /** Its address on the deployment's network right now (may change after a restart). */
  ip: string | null;
}

export interface ExecResult {
  exitCode: number;
  output: string;
}

export interface DeathWatch {
  stop(): void;
}

export interface NodeRuntime {
  readonly kind: string;
  /** How messages name it ("Docker"). */
  readonly displayName: string;
  inspect(node: Node): Promise<NodeState>;
  /** A signal to the node's main process (SIGKILL, SIGTERM, SIGSTOP, SIGCONT, ...). */
  signal(node: Node, signal: string): Promise<void>;
  start(node: Node): Promise<void>;
  /** Graceful stop: SIGTERM, then SIGKILL after `graceSeconds`. */
  stop(node: Node, graceSeconds: number): Promise<void>;
  restart(node: Node, graceSeconds: number): Promise<void>;
  pause(node: Node): Promise<void>;
  unpause(node: Node): Promise<void>;
  /** The node's log so far (stdout and stderr); with `since`, only the lines logged from then on. */
  logs(node: Node, since?: Date): Promise<string>;
  /**
   * Calls `onDeath` when a node of this run dies (any cause) and `onGone` when the runtime itself
   * stops answering.
   */
  watchDeaths(onDeath: (nodeName: string, action: string, exitCode: string | undefined) => void, onGone: (reason: string) => void): Promise<DeathWatch>;
  /** Runs a shell script in the node's network namespace (iptables, tc); never in the node's own image. */
  netExec(node: Node, script: string): Promise<ExecResult>;
  /** Readies the network-namespace helpers of these nodes ahead of the first fault. */
  prepareNet(nodes: Node[]): Promise<void>;
  /** Whether this kernel can run `tc qdisc ... netem`; null when it can, else the reason. */
  probeNetem(): Promise<string | null>;
  /** Closes shells and removes every helper the runtime added for this run. */
  removeHelpers(): Promise<void>;
  /** The files under a directory of the node's filesystem (also while it is stopped), by path relative to `dir`. */
  readFiles(node: Node, dir: string): Promise<Map<string, Buffer>>;
  /** Replaces one file in the node's filesystem (also while it is stopped): what a disk-damage fault does. */
  writeFile(node: Node, dir: string, name: string, content: Buffer): Promise<void>;
  /** Removes a node the harness created. Refuses nodes it did not create. */
  remove(node: Node): Promise<void>;
}
