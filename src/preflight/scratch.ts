/**
 * The checks that would disturb the drill's own nodes, run on two throwaway nodes of the same image and
 * config instead (see ScratchNodes): min-replicas-to-write on a primary with no replica, REPLICAOF
 * making the second a replica of the first that receives data, SHUTDOWN on the second, SIGTERM to the
 * first. The drill's sentinels never learn of them; they are removed before the drill goes on.
 */
import type { Deployment } from '../topology/deployment.ts';
import type { Node } from '../topology/node.ts';
import type { ScratchNodes } from '../topology/provision/provisioner.ts';
import type { ServerProfile } from '../topology/profiles/index.ts';
import type { PreflightStatus } from '../record/result.ts';
import { fieldsSeen, infoFields, quote, within, type Probe } from './probe.ts';
import type { Outcome } from './replication.ts';
import type { CheckId, Requirement } from './requirements.ts';

const SYNC_MS = 3000;
const SHUTDOWN_MS = 3000;
/** Redis waits up to shutdown-timeout (10 s) for lagging replicas on SIGTERM; the first node has none left by then. */
const SIGTERM_MS = 12_000;

export type ScratchCheck = Extract<CheckId, 'replicaof' | 'min-replicas' | 'shutdown' | 'sigterm'>;
export type ScratchOutcomes = Record<ScratchCheck, Outcome & { ms: number }>;

export interface ScratchContext {
  dep: Deployment;
  scratch: ScratchNodes;
  profile: ServerProfile;
  requirements: Record<CheckId, Requirement>;
  /** The drill's min-replicas-to-write (0: none). */
  minReplicas: number;
  /** Tells the death watch that a scratch node is about to stop. */
  expectDeath: (node: string) => void;
  signal: AbortSignal;
  probe: Probe;
  runId: string;
}

const skipped = (why: string): Outcome & { ms: number } => ({ status: 'skipped', evidence: [why], ms: 0 });

async function stopsWithin(dep: Deployment, node: Node, ms: number): Promise<{ after: number | null; exitCode: number | null }> {
  let exitCode: number | null = null;
  const after = await within(ms, async () => {
    const s = await dep.runtime.inspect(node);
    exitCode = s.exitCode;
    return !s.running;
  }, 20);
  return { after, exitCode };
}

export async function scratchChecks(ctx: ScratchContext): Promise<ScratchOutcomes> {
  const { dep, scratch, profile, requirements: req, probe } = ctx;
  const out = {} as ScratchOutcomes;
  const startedAt = performance.now();
  const [first, second] = await scratch.start(2, ctx.signal);
  const startMs = Math.round(performance.now() - startedAt);
  const stopped = new Set<Node>();
  try {
    const key = `ferrite-drill:preflight:${ctx.runId}:scratch`;
    const value = `preflight-${Math.random().toString(36).slice(2)}`;

    let t = performance.now();
    if (req['min-replicas'].skip) out['min-replicas'] = skipped(req['min-replicas'].why);
    else {
      const reply = await probe.call(first, 'SET', key, value);
      const refused = !reply.ok && /^NOREPLICAS/.test(reply.error);
      out['min-replicas'] = {
        status: refused ? 'pass' : 'fail',
        evidence: [`${first.name} (a throwaway primary with the drill's config: min-replicas-to-write ${ctx.minReplicas}, no replica): SET → ${quote(reply)}${refused ? '' : ' (expected a NOREPLICAS error)'}`],
        ms: Math.round(performance.now() - t),
      };
      // The write below must not be refused for want of replicas: relax the throwaway's own setting.
      await probe.call(first, 'CONFIG', 'SET', 'min-replicas-to-write', '0');
    }

    t = performance.now();
    if (req.replicaof.skip) out.replicaof = skipped(req.replicaof.why);
    else {
      const [command, ...args] = profile.replicaOfCommand(first.ip, first.port);
      const reply = await probe.call(second, command, ...args);
      const set = await probe.call(first, 'SET', key, value);
      let info: Record<string, string> = {};
      const ms = await within(SYNC_MS, async () => {
        info = infoFields(await probe.call(second, 'INFO', 'replication'));
        const got = await probe.call(second, 'GET', key);
        return info.role === 'slave' && info.master_link_status === 'up' && got.ok && got.value === value;
      });
      const got = await probe.call(second, 'GET', key);
      out.replicaof = {
        status: ms !== null ? 'pass' : 'fail',
        evidence: [
          `${second.name}: ${[command, ...args].join(' ')} → ${quote(reply)}`,
          `${first.name}: SET ${key} → ${quote(set)}`,
          ms !== null
            ? `${second.name} became a replica with the key after ${ms} ms: ${fieldsSeen(info, ['role', 'master_host', 'master_link_status'])}`
            : `${SYNC_MS} ms later ${second.name} reports ${Object.keys(info).length ? fieldsSeen(info, ['role', 'master_host', 'master_link_status']) : 'no Replication section'} and GET ${key} → ${quote(got)}`,
        ],
        ms: Math.round(performance.now() - t),
      };
    }

    // SHUTDOWN to the second and SIGTERM to the first at once: neither waits on the other (the replica
    // is caught up, so the primary's shutdown has nothing to wait for).
    const shutdownCheck = async (): Promise<Outcome & { ms: number }> => {
      const t = performance.now();
      ctx.expectDeath(second.name);
      const shutdown = await probe.call(second, 'SHUTDOWN', 'NOSAVE');
      const down = await stopsWithin(dep, second, SHUTDOWN_MS);
      if (down.after !== null) stopped.add(second);
      const ping = down.after === null ? await probe.call(second, 'PING') : null;
      return {
        status: statusOf(down.after),
        evidence: [
          down.after !== null
            ? `${second.name}: SHUTDOWN NOSAVE → ${shutdown.ok ? quote(shutdown) : 'connection closed'}; the server exited after ${down.after} ms (exit code ${down.exitCode})`
            : `${second.name}: SHUTDOWN NOSAVE → ${quote(shutdown)}; ${SHUTDOWN_MS} ms later it still runs (PING → ${quote(ping!)})`,
        ],
        ms: Math.round(performance.now() - t),
      };
    };
    const sigtermCheck = async (): Promise<Outcome & { ms: number }> => {
      const t = performance.now();
      ctx.expectDeath(first.name);
      await dep.runtime.signal(first, 'SIGTERM');
      const term = await stopsWithin(dep, first, SIGTERM_MS);
      if (term.after !== null) stopped.add(first);
      return {
        status: statusOf(term.after),
        evidence: [term.after !== null ? `${first.name}: SIGTERM → the server exited after ${term.after} ms (exit code ${term.exitCode})` : `${first.name}: SIGTERM → ${SIGTERM_MS} ms later it still runs`],
        ms: Math.round(performance.now() - t),
      };
    };
    [out.shutdown, out.sigterm] = await Promise.all([shutdownCheck(), sigtermCheck()]);
  } finally {
    // A node that did not stop is killed by its removal: that death is ours too.
    for (const n of [first, second]) if (!stopped.has(n)) ctx.expectDeath(n.name);
    await scratch.remove([first, second]);
  }
  // The line that shows a problem: the last one of a check that did not pass.
  for (const o of Object.values(out)) if (o.status === 'fail') o.reason = o.evidence.at(-1);
  // Starting the throwaways is part of what the node-stopping checks cost.
  out.sigterm.evidence.push(`(two throwaway nodes of the drill's image were ready ${startMs} ms after the preflight asked for them)`);
  return out;
}

function statusOf(after: number | null): PreflightStatus {
  return after !== null ? 'pass' : 'fail';
}
