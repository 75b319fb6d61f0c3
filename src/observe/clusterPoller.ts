/**
 * Polls every cluster node ten times a second — CLUSTER INFO and CLUSTER NODES — and journals changes
 * only: a node's cluster_state, and how each node sees each other node (flags such as fail? = PFAIL,
 * fail, master, slave). PFAIL is logged by Redis only at debug level, so this is where it is seen.
 */
import { parseInfo } from '../topology/admin.ts';
import type { Deployment } from '../topology/deployment.ts';
import type { Journal } from '../record/journal.ts';
import type { Observer } from '../topology/modes/mode.ts';
import { DataNodePoller } from './poller.ts';
import { parseClusterNodes } from '../topology/modes/cluster/slots.ts';

const INTERVAL_MS = 100;

export class ClusterPoller extends DataNodePoller implements Observer {
  constructor(dep: Deployment, journal: Journal) {
    super(dep, journal, INTERVAL_MS);
  }

  protected async pollNode(name: string): Promise<void> {
    const node = this.dep.node(name);
    const [info, nodes] = await Promise.all([this.dep.command(node, 'CLUSTER', 'INFO'), this.dep.command(node, 'CLUSTER', 'NODES')]);
    const state = parseInfo(String(info)).cluster_state ?? '?';
    if (this.changed(`state:${name}`, state)) this.journal.append('cluster.state', { node: name, state });
    const byId = new Map(this.dep.dataNodes.map((n) => [n.clusterId, n.name]));
    for (const line of parseClusterNodes(String(nodes))) {
      if (line.flags.includes('myself')) continue;
      const subject = byId.get(line.id) ?? line.id;
      const flags = line.flags.filter((f) => f !== 'noflags').join(',');
      if (this.changed(`view:${name}:${subject}`, flags)) this.journal.append('cluster.view', { node: name, subject, flags });
    }
  }
}
