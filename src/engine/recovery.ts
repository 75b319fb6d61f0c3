/**
 * Waits (bounded) until the topology has converged after the faults: the sentinels that answer agree
 * on one primary, it reports role master, and every other running data node replicates from it with
 * its link up.
 */
import { parseInfo } from '../topology/admin.ts';
import type { NodeInfo, Topology } from '../topology/topology.ts';
import type { Journal } from '../journal/journal.ts';
import { DeadlineError, waitFor } from '../util/time.ts';

export interface Convergence {
  converged: boolean;
  primary: string | null;
  ms: number;
  reason?: string;
}

async function isRunning(topology: Topology, node: NodeInfo): Promise<boolean> {
  try {
    const info = await topology.container(node).inspect();
    return info.State.Running && !info.State.Paused;
  } catch {
    return false;
  }
}

export async function waitForConvergence(topology: Topology, journal: Journal, timeoutMs: number, signal: AbortSignal): Promise<Convergence> {
  const started = journal.now();
  try {
    const primary = await waitFor(
      'the topology to converge (one primary, replicas linked to it)',
      async (note) => {
        const answers: string[] = [];
        for (const s of topology.sentinels) {
          if (!(await isRunning(topology, s))) continue;
          try {
            const [ip, port] = (await topology.command(s, 'SENTINEL', 'GET-MASTER-ADDR-BY-NAME', topology.masterName)) as [string, string];
            answers.push(`${ip}:${port}`);
          } catch {
            // unreachable sentinel: not counted
          }
        }
        if (topology.sentinels.length > 0 && answers.length === 0) return note('no sentinel answers'), undefined;
        if (new Set(answers).size > 1) return note(`sentinels disagree: ${[...new Set(answers)].join(' vs ')}`), undefined;
        let primary: NodeInfo | undefined;
        if (answers.length > 0) {
          const [ip, port] = answers[0].split(':');
          primary = topology.nodeByIp(ip, Number(port));
        }
        if (!primary) return note(`sentinels name an unknown primary ${answers[0]}`), undefined;
        const role = (await topology.command(primary, 'ROLE')) as unknown[];
        if (role[0] !== 'master') return note(`${primary.name} is named primary but reports role ${String(role[0])}`), undefined;
        for (const node of topology.dataNodes) {
          if (node === primary || !(await isRunning(topology, node))) continue;
          const info = parseInfo(String(await topology.command(node, 'INFO', 'replication')));
          if (info.role !== 'slave' || info.master_host !== primary.ip || info.master_link_status !== 'up') {
            return note(`${node.name}: role ${info.role}, master ${info.master_host ?? '-'}, link ${info.master_link_status ?? '-'}`), undefined;
          }
        }
        return primary;
      },
      { timeoutMs, signal, intervalMs: 50 },
    );
    const result: Convergence = { converged: true, primary: primary.name, ms: journal.now() - started };
    journal.append('recovery.converged', { primary: primary.name, ms: result.ms });
    return result;
  } catch (err) {
    if (!(err instanceof DeadlineError)) throw err;
    const result: Convergence = { converged: false, primary: null, ms: journal.now() - started, reason: err.message };
    journal.append('recovery.incomplete', { reason: err.message });
    return result;
  }
}
