/** Waits every HA mode shares: data nodes' replication links up; convergence after the faults, recorded. */
import { parseInfo } from '../admin.ts';
import type { Deployment } from '../deployment.ts';
import type { Journal } from '../../record/journal.ts';
import type { Convergence } from '../../record/result.ts';
import { DeadlineError, waitFor } from '../../util/time.ts';

/** Until every replica among the data nodes reports master_link_status:up. */
export async function waitReplicationOnline(dep: Deployment, signal: AbortSignal, timeoutMs: number): Promise<void> {
  await waitFor(
    'replicas to report master_link_status:up',
    async (note) => {
      for (const node of dep.dataNodes) {
        await dep.assertRunning(node);
        const info = parseInfo(String(await dep.command(node, 'INFO', 'replication')));
        if (info.role === 'slave' && info.master_link_status !== 'up') {
          note(`${node.name}: master_link_status:${info.master_link_status}`);
          return undefined;
        }
      }
      return true;
    },
    { timeoutMs, signal, intervalMs: 25 },
  );
}

/**
 * Waits (bounded) for the mode's idea of converged — `probe` returns the primary (and, per shard, the
 * primaries) once it holds — and records in the journal whether it came.
 */
export async function convergeWithin(
  journal: Journal,
  what: string,
  probe: (note: (reason: string) => void) => Promise<{ primary: string | null; primaries?: Record<string, string> } | undefined>,
  opts: { timeoutMs: number; signal: AbortSignal; intervalMs: number },
): Promise<Convergence> {
  const started = journal.now();
  try {
    const found = await waitFor(what, probe, opts);
    const result: Convergence = { converged: true, ...found, ms: journal.now() - started };
    journal.append('recovery.converged', { primary: found.primary ?? '', ...(found.primaries ? { primaries: found.primaries } : {}), ms: result.ms });
    return result;
  } catch (err) {
    if (!(err instanceof DeadlineError)) throw err;
    const result: Convergence = { converged: false, primary: null, ms: journal.now() - started, reason: err.message };
    journal.append('recovery.incomplete', { reason: err.message });
    return result;
  }
}
