/**
 * Resetting a Sentinel deployment between repeated runs, instead of creating it again: every node runs
 * again, the data is flushed, the original primary (redis-1) is primary again and the sentinels agree,
 * each with live links — the state a fresh bring-up ends in, so the next run measures the same thing.
 *
 * The original primary comes back through SENTINEL FAILOVER, as an operator would do it. Sentinel picks
 * the replica to promote itself (priority, then offset, then run id), so the others are made ineligible
 * (replica-priority 0) for that one failover; sentinels re-read a replica's INFO only every 10 s, which
 * SENTINEL DEBUG info-period shortens while the reset waits for them to see it. Both are put back after.
 */
import { parseInfo, pairsToRecord } from '../../admin.ts';
import type { Deployment } from '../../deployment.ts';
import type { Node } from '../../node.ts';
import { Journal } from '../../../record/journal.ts';
import { waitFor } from '../../../util/time.ts';
import type { FailoverMode } from '../mode.ts';

export interface SentinelResetDeps {
  masterName: string;
  mode: FailoverMode;
  /** The mode's own readiness wait with the drill's down-after (what a bring-up ends with). */
  sentinelsReady: (dep: Deployment, primaryIp: string, signal: AbortSignal, timeoutMs: number) => Promise<void>;
}

/** A fast INFO refresh while the reset waits for the sentinels to see the replicas' new priorities. */
const RESET_INFO_PERIOD_MS = 200;

export async function resetSentinelDeployment(dep: Deployment, d: SentinelResetDeps, signal: AbortSignal, timeoutMs: number, report: (what: string) => void): Promise<void> {
  const original = dep.node('redis-1');
  const t = performance.now();
  const step = (what: string) => report(`${what} (at ${Math.round(performance.now() - t)} ms)`);

  for (const node of dep.nodes) {
    const state = await dep.runtime.inspect(node);
    if (state.paused) {
      await dep.runtime.unpause(node);
      step(`unpaused ${node.name}`);
    } else if (!state.running) {
      await dep.runtime.start(node);
      await dep.refresh(node);
      step(`started ${node.name} again`);
    }
  }
  await waitFor('every data node to answer PING after the reset', async (note) => {
    for (const n of dep.dataNodes) {
      const reply = String(await dep.command(n, 'PING'));
      if (reply !== 'PONG') return note(`${n.name} answered ${reply}`), undefined;
    }
    return true;
  }, { timeoutMs, signal, intervalMs: 25 });

  await withFastInfo(dep, () => restore(dep, d, original, signal, timeoutMs, step));
}

async function restore(dep: Deployment, d: SentinelResetDeps, original: Node, signal: AbortSignal, timeoutMs: number, step: (what: string) => void): Promise<void> {
  const scratch = new Journal();
  const current = await followPrimary(dep, d, signal, timeoutMs, step);
  await dep.command(current, 'FLUSHALL');
  step(`FLUSHALL on ${current.name}`);
  await converged(dep, d, scratch, signal, timeoutMs);
  step('converged');

  if (current !== original) {
    await failBackTo(dep, d, original, current, signal, timeoutMs, step);
    step(`SENTINEL FAILOVER back to ${original.name} (it had moved to ${current.name})`);
    await followPrimary(dep, d, signal, timeoutMs, step);
    await converged(dep, d, scratch, signal, timeoutMs);
    step('converged');
  }
  await d.sentinelsReady(dep, original.ip, signal, timeoutMs);
  step('sentinels ready');
}

/**
 * Until every data node replicates from the primary the sentinels name, and returns it. A node that
 * claims to be a primary of its own (a restarted old primary, or the one a failover demoted) Sentinel
 * would turn into a replica only after 8 s (4 publish periods): the harness does what Sentinel would,
 * at once. Retried: a connection to a node that was just restarted may still be the dead one's.
 */
async function followPrimary(dep: Deployment, d: SentinelResetDeps, signal: AbortSignal, timeoutMs: number, step: (what: string) => void): Promise<Node> {
  return waitFor('every data node to follow the primary the sentinels name', async (note) => {
    const primary = (await d.mode.primaries(dep)).get(1);
    if (!primary) return note('no sentinel names a primary'), undefined;
    for (const n of dep.dataNodes) {
      if (n === primary) continue;
      const info = parseInfo(String(await dep.command(n, 'INFO', 'replication')));
      if (info.role !== 'slave' || info.master_host !== primary.ip) {
        await dep.command(n, 'REPLICAOF', primary.ip, primary.port);
        step(`${n.name}: REPLICAOF ${primary.name}`);
      }
    }
    return primary;
  }, { timeoutMs, signal, intervalMs: 50 });
}

/** Convergence waits journal what they saw: into a scratch journal, not the run's (its record ended with its verification). */
async function converged(dep: Deployment, d: SentinelResetDeps, journal: Journal, signal: AbortSignal, timeoutMs: number): Promise<void> {
  const c = await d.mode.converge(dep, journal, timeoutMs, signal);
  if (!c.converged) throw new Error(`did not converge: ${c.reason}`);
}

async function failBackTo(dep: Deployment, d: SentinelResetDeps, original: Node, current: Node, signal: AbortSignal, timeoutMs: number, step: (what: string) => void): Promise<void> {
  const others = dep.dataNodes.filter((n) => n !== original && n !== current);
  const priorities = new Map<Node, string>();
  for (const n of others) priorities.set(n, pairsToRecord(await dep.command(n, 'CONFIG', 'GET', 'replica-priority'))['replica-priority'] ?? '100');
  try {
    for (const n of others) await dep.command(n, 'CONFIG', 'SET', 'replica-priority', 0);
    const asker = dep.sentinels[0];
    await waitFor(
      `${asker.name} to see ${original.name} as the only replica fit for promotion`,
      async (note) => {
        const replicas = ((await dep.command(asker, 'SENTINEL', 'REPLICAS', d.masterName)) as unknown[]).map(pairsToRecord);
        for (const r of replicas) {
          const node = dep.nodeAt(r.ip, Number(r.port));
          if (node === original && (r.flags !== 'slave' || r['master-link-status'] !== 'ok')) return note(`${original.name}: flags ${r.flags}, link ${r['master-link-status']}`), undefined;
          if (node && others.includes(node) && r['slave-priority'] !== '0') return note(`${node.name}: priority ${r['slave-priority']} as ${asker.name} last saw it`), undefined;
        }
        if (!replicas.some((r) => dep.nodeAt(r.ip, Number(r.port)) === original)) return note(`${asker.name} does not list ${original.name} as a replica`), undefined;
        return true;
      },
      { timeoutMs, signal, intervalMs: 50 },
    );
    step(`${asker.name} sees ${original.name} as the only replica fit for promotion`);
    // INPROG: the failover of the drill itself may still be finishing; NOGOODSLAVE: a refresh raced us.
    await waitFor(`SENTINEL FAILOVER ${d.masterName} to be accepted`, async (note) => {
      try {
        await dep.command(asker, 'SENTINEL', 'FAILOVER', d.masterName);
        return true;
      } catch (err) {
        return note((err as Error).message), undefined;
      }
    }, { timeoutMs, signal, intervalMs: 100 });
    step('SENTINEL FAILOVER accepted');
    await waitFor(`every sentinel to name ${original.name} primary`, async (note) => {
      for (const s of dep.sentinels) {
        const [ip] = (await dep.command(s, 'SENTINEL', 'GET-MASTER-ADDR-BY-NAME', d.masterName)) as [string, string];
        if (ip !== original.ip) return note(`${s.name} names ${dep.nodeAt(ip, original.port)?.name ?? ip}`), undefined;
      }
      const role = (await dep.command(original, 'ROLE')) as unknown[];
      return role[0] === 'master' ? true : (note(`${original.name} reports role ${String(role[0])}`), undefined);
    }, { timeoutMs, signal, intervalMs: 50 });
    step(`every sentinel names ${original.name}`);
    // The priorities go back first, and the fast refresh stays until every sentinel has seen them: a
    // sentinel that still believed a replica ineligible would refuse to promote it in the next run's failover.
    for (const [n, p] of priorities) await dep.command(n, 'CONFIG', 'SET', 'replica-priority', p);
    await waitFor('every sentinel to see the replicas\' priorities restored', async (note) => {
      for (const s of dep.sentinels) {
        const replicas = ((await dep.command(s, 'SENTINEL', 'REPLICAS', d.masterName)) as unknown[]).map(pairsToRecord);
        for (const r of replicas) {
          const node = dep.nodeAt(r.ip, Number(r.port));
          const want = node && priorities.get(node);
          if (want && r['slave-priority'] !== want) return note(`${s.name} still sees ${node.name} with priority ${r['slave-priority']}`), undefined;
        }
      }
      return true;
    }, { timeoutMs, signal, intervalMs: 50 });
  } finally {
    // Put back what the drill runs with, also when the failover did not come (the topology is then torn down anyway).
    await Promise.allSettled([...priorities].map(([n, p]) => dep.command(n, 'CONFIG', 'SET', 'replica-priority', p)));
  }
}

/**
 * Runs `work` with the sentinels refreshing INFO every RESET_INFO_PERIOD_MS instead of every 10 s (what
 * they learn of replicas and of a promoted primary comes from INFO), and puts their own period back after.
 * A sentinel without SENTINEL DEBUG (older than Redis 7) keeps its period: the reset is then only slower.
 */
async function withFastInfo<T>(dep: Deployment, work: () => Promise<T>): Promise<T> {
  const periods = new Map<Node, string>();
  for (const s of dep.sentinels) {
    const debug = pairsToRecord(await dep.command(s, 'SENTINEL', 'DEBUG').catch(() => []));
    if (debug['INFO-PERIOD']) periods.set(s, debug['INFO-PERIOD']);
  }
  try {
    for (const s of periods.keys()) await dep.command(s, 'SENTINEL', 'DEBUG', 'info-period', RESET_INFO_PERIOD_MS);
    return await work();
  } finally {
    await Promise.allSettled([...periods].map(([s, p]) => dep.command(s, 'SENTINEL', 'DEBUG', 'info-period', p)));
  }
}
