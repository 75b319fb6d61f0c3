/**
 * The replication checks on the drill's own nodes, per replication group (Sentinel: the primary and
 * its replicas; cluster: each shard): INFO replication, ROLE, a write that must reach every replica,
 * WAIT, and offsets that advance. One probe key per group, deleted afterwards; nothing else changes.
 */
import type { Deployment } from '../topology/deployment.ts';
import type { Node } from '../topology/node.ts';
import { shardRanges, slotOwners, tagsForShard } from '../topology/modes/cluster/slots.ts';
import type { PreflightStatus } from '../record/result.ts';
import { fieldsSeen, infoFields, quote, within, type Probe, type Reply } from './probe.ts';

export interface Outcome {
  status: PreflightStatus;
  evidence: string[];
  /** The first line that shows the problem (for one-line summaries). */
  reason?: string;
}

/** Evidence as it is gathered: every line, whether each shows a problem, and the first that does. */
export class Findings {
  readonly lines: string[] = [];
  private firstBad: string | undefined;

  add(line: string, good = true): boolean {
    this.lines.push(line);
    if (!good) this.firstBad ??= line;
    return good;
  }

  get ok(): boolean {
    return this.firstBad === undefined;
  }

  outcome(status: PreflightStatus = this.ok ? 'pass' : 'fail'): Outcome {
    return { status, evidence: this.lines, ...(this.firstBad ? { reason: this.firstBad } : {}) };
  }
}

export interface Group {
  /** "" in Sentinel mode; "shard 2: " in cluster mode (prefixes evidence). */
  label: string;
  primary: Node;
  replicas: Node[];
  /** A key that lands on this group's primary. */
  key: string;
  /** Cluster mode: a replica serves reads only on a connection that said READONLY. */
  cluster: boolean;
}

/** How long a write may take to reach a replica before the check calls it missing. */
const PROPAGATION_MS = 2000;
const WAIT_TIMEOUT_MS = 1000;

/** The groups as the HA mode sees them now: each shard's primary and the data nodes of its shard. */
export async function replicationGroups(dep: Deployment, runId: string): Promise<Group[]> {
  const primaries = await dep.mode.primaries(dep);
  const cluster = dep.mode.name === 'cluster';
  const shards = new Set(dep.dataNodes.map((n) => n.shard ?? 1)).size;
  const owners = cluster ? slotOwners(shardRanges(shards)) : null;
  return [...primaries].map(([shard, primary]) => {
    const base = `ferrite-drill:preflight:${runId}:${shard}`;
    // Cluster mode: a hash tag whose slot the shard serves, so the write is not MOVED elsewhere.
    const key = owners ? `{${tagsForShard(owners, shard, 1, `fd-preflight-${runId}`)[0]}}${base}` : base;
    return { label: cluster ? `shard ${shard}: ` : '', primary, replicas: dep.dataNodes.filter((n) => n !== primary && (n.shard ?? 1) === shard), key, cluster };
  });
}

const PRIMARY_FIELDS = ['role', 'connected_slaves', 'master_repl_offset'];
const REPLICA_FIELDS = ['role', 'master_host', 'master_link_status', 'slave_repl_offset'];

/** INFO replication on every node of a group: role, link, offsets, and a slaveN line per replica. */
export async function checkInfoReplication(probe: Probe, g: Group): Promise<Outcome> {
  const f = new Findings();
  const primaryReply = await probe.call(g.primary, 'INFO', 'replication');
  const p = infoFields(primaryReply);
  if (!primaryReply.ok || !('role' in p)) {
    f.add(`${g.label}${g.primary.name} (primary): INFO replication answered ${quote(primaryReply)}: no Replication section`, false);
  } else {
    const lines = Object.entries(p).filter(([k]) => /^slave\d+$/.test(k));
    const listed = g.replicas.filter((r) => lines.some(([, v]) => v.includes(`ip=${r.ip},`) && v.includes('state=online')));
    const good = p.role === 'master' && Number(p.connected_slaves) === g.replicas.length && /^\d+$/.test(p.master_repl_offset ?? '') && listed.length === g.replicas.length;
    f.add(`${g.label}${g.primary.name} (primary): ${fieldsSeen(p, PRIMARY_FIELDS)}; ${lines.length} slaveN line(s)${lines.length ? `: ${lines.map(([k, v]) => `${k}:${v}`).join(' ')}` : ''}${good ? '' : ` (expected role:master and ${g.replicas.length} online replicas)`}`, good);
  }
  for (const r of g.replicas) {
    const reply = await probe.call(r, 'INFO', 'replication');
    const i = infoFields(reply);
    const good = i.role === 'slave' && i.master_host === g.primary.ip && i.master_link_status === 'up' && /^\d+$/.test(i.slave_repl_offset ?? '');
    f.add(
      'role' in i
        ? `${g.label}${r.name}: ${fieldsSeen(i, REPLICA_FIELDS)}${good ? '' : ` (expected role:slave of ${g.primary.ip}, link up)`}`
        : `${g.label}${r.name}: INFO replication answered ${quote(reply)}: no Replication section`,
      good,
    );
  }
  return f.outcome();
}

/** ROLE on every node: the primary lists each replica, each replica names the primary and is connected. */
export async function checkRole(probe: Probe, g: Group): Promise<Outcome> {
  const f = new Findings();
  const pr = await probe.call(g.primary, 'ROLE');
  const pv = pr.ok && Array.isArray(pr.value) ? (pr.value as unknown[]) : [];
  const listed = Array.isArray(pv[2]) ? (pv[2] as unknown[][]).map((e) => String(e[0])) : [];
  const missing = g.replicas.filter((r) => !listed.includes(r.ip));
  const primaryOk = pv[0] === 'master' && missing.length === 0;
  f.add(`${g.label}${g.primary.name} (primary): ROLE → ${quote(pr)}${primaryOk ? '' : missing.length ? ` (does not list ${missing.map((m) => `${m.name} ${m.ip}`).join(', ')})` : ' (expected master)'}`, primaryOk);
  for (const r of g.replicas) {
    const reply = await probe.call(r, 'ROLE');
    const v = reply.ok && Array.isArray(reply.value) ? (reply.value as unknown[]) : [];
    const good = v[0] === 'slave' && v[1] === g.primary.ip && v[3] === 'connected';
    f.add(`${g.label}${r.name}: ROLE → ${quote(reply)}${good ? '' : ` (expected slave of ${g.primary.ip}, connected)`}`, good);
  }
  return f.outcome();
}

/** The primary's and replicas' offsets, read from INFO replication (null where not reported). */
async function offsets(probe: Probe, g: Group): Promise<{ primary: number | null; replicas: (number | null)[] }> {
  const num = (v: string | undefined) => (v !== undefined && /^\d+$/.test(v) ? Number(v) : null);
  const p = infoFields(await probe.call(g.primary, 'INFO', 'replication'));
  const rs = await Promise.all(g.replicas.map(async (r) => num(infoFields(await probe.call(r, 'INFO', 'replication')).slave_repl_offset)));
  return { primary: num(p.master_repl_offset), replicas: rs };
}

/**
 * One write, then: does it appear on every replica (GET), what does WAIT say, and do the offsets move
 * (the primary's past its value before the write, each replica's up to the primary's)?
 */
export async function checkWritePath(probe: Probe, g: Group): Promise<{ writeReplicates: Outcome; wait: Outcome; offsetsAdvance: Outcome; ms: { write: number; wait: number; offsets: number } }> {
  const before = await offsets(probe, g);
  if (g.cluster) await Promise.all(g.replicas.map((r) => probe.call(r, 'READONLY')));
  const value = `preflight-${Math.random().toString(36).slice(2)}`;
  const t0 = performance.now();
  const set = await probe.call(g.primary, 'SET', g.key, value);
  const waitStart = performance.now();
  const waitReply: Reply = set.ok ? await probe.call(g.primary, 'WAIT', g.replicas.length, WAIT_TIMEOUT_MS) : { ok: false, error: 'not sent: the SET failed' };
  const waitMs = Math.round(performance.now() - waitStart);
  const waited = new Findings();
  waited.add(`${g.label}SET then WAIT ${g.replicas.length} ${WAIT_TIMEOUT_MS} on ${g.primary.name} → ${quote(waitReply)} after ${waitMs} ms (expected ${g.replicas.length})`, waitReply.ok && Number(waitReply.value) === g.replicas.length);
  const seen = new Findings();
  if (!set.ok) seen.add(`${g.label}SET ${g.key} on ${g.primary.name} → ${quote(set)}`, false);
  const arrivals = await Promise.all(
    g.replicas.map(async (r) => ({ r, ms: set.ok ? await within(PROPAGATION_MS, async () => { const got = await probe.call(r, 'GET', g.key); return got.ok && got.value === value; }) : null })),
  );
  for (const { r, ms } of arrivals) {
    seen.add(ms === null ? `${g.label}${r.name} did not have the key ${PROPAGATION_MS} ms after the SET on ${g.primary.name}` : `${g.label}${r.name} had the key ${ms} ms after the SET on ${g.primary.name}`, ms !== null);
  }
  const writeMs = Math.round(performance.now() - t0);
  const offStart = performance.now();
  let after = await offsets(probe, g);
  await within(PROPAGATION_MS, async () => {
    after = await offsets(probe, g);
    return after.primary !== null && after.replicas.every((o) => o !== null && o >= after.primary!);
  });
  const fmt = (o: number | null) => (o === null ? 'not reported' : String(o));
  const moved = new Findings();
  const advanced = set.ok && before.primary !== null && after.primary !== null && after.primary > before.primary;
  moved.add(`${g.label}${g.primary.name} master_repl_offset ${fmt(before.primary)} before the write, ${fmt(after.primary)} after`, advanced);
  g.replicas.forEach((r, i) => {
    const caughtUp = after.primary !== null && after.replicas[i] !== null && after.replicas[i]! >= after.primary;
    moved.add(`${g.label}${r.name} slave_repl_offset ${fmt(before.replicas[i])} before, ${fmt(after.replicas[i])} after`, caughtUp);
  });
  // The probe key goes again (the DEL replicates too); nothing of the drill reads it.
  await probe.call(g.primary, 'DEL', g.key);
  return {
    writeReplicates: seen.outcome(),
    wait: waited.outcome(),
    offsetsAdvance: moved.outcome(),
    ms: { write: writeMs, wait: waitMs, offsets: Math.round(performance.now() - offStart) },
  };
}

/** Merges one check's outcomes over groups: the worst status, all evidence. */
export function mergeOutcomes(outcomes: Outcome[]): Outcome {
  const order: PreflightStatus[] = ['fail', 'unsupported', 'pass', 'skipped'];
  const status = order.find((s) => outcomes.some((o) => o.status === s)) ?? 'skipped';
  return { status, evidence: outcomes.flatMap((o) => o.evidence), ...(outcomes.find((o) => o.reason)?.reason ? { reason: outcomes.find((o) => o.reason)!.reason } : {}) };
}
