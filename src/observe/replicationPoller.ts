/**
 * Polls every data node's INFO a few times a second and journals changes only: role, master, link
 * status (replication.state), and full/partial resync counters (replication.sync). Lets analysis say
 * when a replica caught up and whether it needed a full resync. Works the same in every HA mode.
 */
import { parseInfo } from '../topology/admin.ts';
import type { Deployment } from '../topology/deployment.ts';
import type { Journal } from '../record/journal.ts';
import type { Observer } from '../topology/modes/mode.ts';
import { DataNodePoller } from './poller.ts';

const INTERVAL_MS = 100;

export class ReplicationPoller extends DataNodePoller implements Observer {
  constructor(dep: Deployment, journal: Journal) {
    super(dep, journal, INTERVAL_MS);
  }

  /**
   * One more sample of every running data node, awaited: the engine's last word after convergence, so a
   * resync that finished just before it (a node repointed at the very end) is counted, not missed
   * between two polls.
   */
  async sampleAll(): Promise<void> {
    await Promise.all((await this.dep.runningNodes(this.dep.dataNodes)).map((n) => this.pollNode(n.name).catch(() => {})));
  }

  protected async pollNode(name: string): Promise<void> {
    const node = this.dep.node(name);
    const info = parseInfo(String(await this.dep.command(node, 'INFO')));
    const masterNode = info.master_host ? (this.dep.nodeAt(info.master_host, Number(info.master_port))?.name ?? info.master_host) : null;
    // run_id changes when the server restarts: a restart is a new state even if role and link look the same.
    const state = { role: info.role, master: masterNode, link: info.master_link_status ?? null, runId: info.run_id };
    if (this.changed(`state:${name}`, JSON.stringify(state))) {
      this.journal.append('replication.state', { node: name, ...state, offset: Number(info.master_repl_offset ?? 0) });
    }
    const sync = { syncFull: Number(info.sync_full ?? 0), syncPartialOk: Number(info.sync_partial_ok ?? 0) };
    // The first sample is journaled too: it is the baseline later changes are measured against.
    if (this.changed(`sync:${name}`, JSON.stringify(sync))) {
      this.journal.append('replication.sync', { node: name, ...sync });
    }
  }
}
