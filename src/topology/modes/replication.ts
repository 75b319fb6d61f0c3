/** Waits every HA mode shares: data nodes' replication links up; convergence after the faults, recorded. */
import { parseInfo } from '../admin.ts';
import type { Deployment } from '../deployment.ts';
import type { Journal } from '../../record/journal.ts';
import type { Convergence } from '../../record/result.ts';
import { DeadlineError, waitFor } from '../../util/time.ts';

/**
 * Until every replica among the data nodes reports master_link_status:up and the primaries, between
 * them, list every replica as state=online. Both sides: a replica that synced once and asked again (a
 * second diskless sync waiting its turn: state=wait_bgsave) is not linked yet, whatever it said before.
 */
export async function waitReplicationOnline(dep: Deployment, signal: AbortSignal, timeoutMs: number): Promise<void> {
  await waitFor(
    'replicas to report master_link_status:up, and their primaries to list them online',
    async (note) => {
      let replicas = 0;
      let online = 0;
      for (const node of dep.dataNodes) {
        await dep.assertRunning(node);
        const info = parseInfo(String(await dep.command(node, 'INFO', 'replication')));
        if (info.role === 'slave') {
          replicas++;
          if (info.master_link_status !== 'up') {
            note(`${node.name}: master_link_status:${info.master_link_status}`);
            return undefined;
          }
        } else {
          const lines = Object.entries(info).filter(([k]) => /^slave\d+$/.test(k));
          const waiting = lines.filter(([, v]) => !v.includes('state=online'));
          if (waiting.length > 0) {
            note(`${node.name}: ${waiting.map(([k, v]) => `${k}:${v}`).join(' ')}`);
            return undefined;
          }
          online += lines.length;
        }
      }
      if (online < replicas) return note(`the primaries list ${online} of ${replicas} replicas online`), undefined;
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
