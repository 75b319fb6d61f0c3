/**
 * `--restore-primary`: the deployment ends with the primary it started with. Sentinel's own failover
 * (SENTINEL FAILOVER) picks the replica with the best priority, then offset, so the other replicas are
 * made ineligible for that one failover (replica-priority 0) and given their own priority back right
 * after, whatever happened. Sentinel reads a replica's priority from its INFO (every 10 s, every second
 * during a failover), so the failover is asked for only once every sentinel sees the change.
 */
import type { Journal } from '../../../record/journal.ts';
import type { AttachLeft } from '../../../record/events.ts';
import type { Deployment } from '../../deployment.ts';
import type { SentinelMode } from '../../modes/sentinel/mode.ts';
import { pairsToRecord } from '../../admin.ts';
import type { AttachPlan } from './plan.ts';
import { waitFor } from '../../../util/time.ts';

export async function restorePrimary(dep: Deployment, mode: SentinelMode, plan: AttachPlan, journal: Journal, signal: AbortSignal): Promise<NonNullable<AttachLeft['restore']>> {
  const started = performance.now();
  const ms = () => Math.round(performance.now() - started);
  const wanted = dep.node(plan.primary.name);
  const name = plan.masterName;
  const now = (await mode.primaries(dep)).get(1);
  if (now === wanted) return { asked: true, done: true, ms: 0, note: `${wanted.name} was still primary: nothing to fail back` };
  if (!now) return { asked: true, done: false, ms: ms(), note: 'no primary could be determined, so no failback was asked' };
  const others = dep.dataNodes.filter((n) => n !== wanted && n !== now);
  const priorities = new Map<string, string>();
  try {
    for (const n of others) {
      const [, value] = (await dep.command(n, 'CONFIG', 'GET', 'replica-priority')) as [string, string];
      priorities.set(n.name, value);
      await dep.command(n, 'CONFIG', 'SET', 'replica-priority', 0);
    }
    const sentinels = await dep.runningNodes(dep.sentinels);
    await waitFor(
      `the sentinels to see replica-priority 0 on ${others.map((n) => n.name).join(', ') || 'no other replica'} and ${wanted.name} as a linked replica`,
      async (note) => {
        for (const s of sentinels) {
          const replicas = ((await dep.command(s, 'SENTINEL', 'REPLICAS', name)) as unknown[]).map(pairsToRecord);
          const seen = (n: typeof wanted) => replicas.find((r) => r.ip === n.ip && Number(r.port) === n.port);
          const target = seen(wanted);
          if (!target || target.flags !== 'slave' || target['master-link-status'] !== 'ok') return note(`${s.name} sees ${wanted.name} as ${target?.flags ?? 'unknown'}, link ${target?.['master-link-status'] ?? '-'}`), undefined;
          const eligible = others.filter((n) => seen(n)?.['slave-priority'] !== '0');
          if (eligible.length) return note(`${s.name} still sees priority ${seen(eligible[0])?.['slave-priority']} on ${eligible[0].name}`), undefined;
        }
        return true;
      },
      { timeoutMs: 25_000, signal, intervalMs: 200 },
    );
    await dep.command(sentinels[0], 'SENTINEL', 'FAILOVER', name);
    await waitFor(
      `the sentinels to name ${wanted.name} primary again`,
      async (note) => {
        const p = (await mode.primaries(dep)).get(1);
        if (p !== wanted) return note(`primary is ${p?.name ?? 'unknown'}`), undefined;
        return true;
      },
      { timeoutMs: plan.failoverTimeoutMs + 15_000, signal, intervalMs: 100 },
    );
    const converged = await mode.converge(dep, journal, 30_000, signal);
    return { asked: true, done: converged.converged, ms: ms(), note: converged.converged ? `Sentinel failed back to ${wanted.name} in ${ms()} ms` : `${wanted.name} is primary again but the deployment did not converge: ${converged.reason}` };
  } catch (err) {
    return { asked: true, done: false, ms: ms(), note: `the failback to ${wanted.name} did not happen: ${(err as Error).message}` };
  } finally {
    for (const [node, value] of priorities) await dep.command(dep.node(node), 'CONFIG', 'SET', 'replica-priority', value).catch(() => {});
  }
}
