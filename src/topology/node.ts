/** A node of the deployment under test, as every part of the harness outside the runtime sees it. */
import type { NodeKind, NodeRef } from '../record/events.ts';

export interface Node {
  /** redis-N / sentinel-N for created topologies; the container's name for attached ones. */
  name: string;
  kind: NodeKind;
  /** Cluster mode: the shard (1-based) the node was created for; null otherwise. */
  shard: number | null;
  /** The runtime's handle (a container id): opaque outside the runtime. */
  id: string;
  /** The runtime's name for the node (a container name), for messages. */
  runtimeName: string;
  /** Address on the deployment's network (what Sentinel and the cluster bus report). */
  ip: string;
  /** Port inside the node. */
  port: number;
  /** Port published on 127.0.0.1 (the fallback client path); 0 when there is none. */
  hostPort: number;
  /** Whether the harness created it: only those may ever be removed. */
  owned: boolean;
  /** Cluster mode: CLUSTER MYID. */
  clusterId?: string;
}

export function nodeRef(n: Node): NodeRef {
  return {
    name: n.name,
    kind: n.kind,
    ip: n.ip,
    port: n.port,
    hostPort: n.hostPort,
    runtimeName: n.runtimeName,
    shard: n.shard,
    ...(n.clusterId ? { clusterId: n.clusterId } : {}),
  };
}
