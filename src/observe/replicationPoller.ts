/**
 * Polls every data node's INFO a few times a second and journals changes only: role, master, link
 * status (replication.state), and full/partial resync counters (replication.sync). Lets analysis say
 * when a replica caught up and whether it needed a full resync.
 */
import { parseInfo } from '../topology/admin.ts';
import type { Topology } from '../topology/topology.ts';
import type { Journal } from '../journal/journal.ts';

const INTERVAL_MS = 100;

export class ReplicationPoller {
  private timer: NodeJS.Timeout | undefined;
  private last = new Map<string, string>();
  private busy = false;

  constructor(
    private readonly topology: Topology,
    private readonly journal: Journal,
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.poll(), INTERVAL_MS);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private async poll(): Promise<void> {
    if (this.busy) return; // a frozen node makes a poll slow; never stack them
    this.busy = true;
    try {
      await Promise.allSettled(this.topology.dataNodes.map((node) => this.pollNode(node.name)));
    } finally {
      this.busy = false;
    }
  }

  private async pollNode(name: string): Promise<void> {
    const node = this.topology.node(name);
    const info = parseInfo(String(await this.topology.command(node, 'INFO')));
    const masterNode = info.master_host ? this.topology.nodeByIp(info.master_host)?.name ?? info.master_host : null;
    // run_id changes when the server restarts: a restart is a new state even if role and link look the same.
    const state = { role: info.role, master: masterNode, link: info.master_link_status ?? null, runId: info.run_id };
    const stateKey = JSON.stringify(state);
    if (this.last.get(`state:${name}`) !== stateKey) {
      this.last.set(`state:${name}`, stateKey);
      this.journal.append('replication.state', { node: name, ...state, offset: Number(info.master_repl_offset ?? 0) });
    }
    const sync = { syncFull: Number(info.sync_full ?? 0), syncPartialOk: Number(info.sync_partial_ok ?? 0) };
    const syncKey = JSON.stringify(sync);
    // The first sample is journaled too: it is the baseline later changes are measured against.
    if (this.last.get(`sync:${name}`) !== syncKey) {
      this.last.set(`sync:${name}`, syncKey);
      this.journal.append('replication.sync', { node: name, ...sync });
    }
  }
}
