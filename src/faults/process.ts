/**
 * Process faults on a node's container: signals (SIGKILL crash, SIGTERM, SIGSTOP freeze), docker
 * stop/restart, cgroup pause, and a DEBUG SLEEP stall. Each returns how to heal it.
 */
import { Redis } from 'ioredis';
import type { NodeInfo, Topology } from '../topology/topology.ts';

export type Heal = () => Promise<void>;

/** Starts a container again and re-reads its address (Docker may give it another IP). */
async function startAgain(topology: Topology, node: NodeInfo): Promise<void> {
  const container = topology.container(node);
  const state = (await container.inspect()).State;
  if (!state.Running) await container.start();
  await topology.refresh(node);
}

export async function signalNode(topology: Topology, node: NodeInfo, signal: string): Promise<Heal> {
  await topology.container(node).kill({ signal });
  if (signal === 'SIGSTOP') return async () => void (await topology.container(node).kill({ signal: 'SIGCONT' }));
  return () => startAgain(topology, node);
}

export async function stopNode(topology: Topology, node: NodeInfo): Promise<Heal> {
  await topology.container(node).stop({ t: 1 });
  return () => startAgain(topology, node);
}

export async function restartNode(topology: Topology, node: NodeInfo): Promise<Heal> {
  await topology.container(node).restart({ t: 1 });
  await topology.refresh(node);
  return async () => {};
}

export async function pauseNode(topology: Topology, node: NodeInfo): Promise<Heal> {
  await topology.container(node).pause();
  return async () => void (await topology.container(node).unpause());
}

/**
 * DEBUG SLEEP blocks the server's event loop (a long fork, a slow command, a stuck disk). It is sent on
 * its own connection and not awaited: the server answers only when the stall is over.
 */
export async function stallNode(topology: Topology, node: NodeInfo, durationMs: number): Promise<Heal> {
  const client = new Redis({ ...topology.endpoint(node), lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  client.on('error', () => {});
  await client.connect();
  const done = client.call('DEBUG', 'SLEEP', (durationMs / 1000).toFixed(3)).finally(() => client.disconnect());
  done.catch(() => {});
  return async () => {
    await done.catch(() => {});
  };
}
