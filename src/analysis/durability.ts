/**
 * What every mode measures the same way about data that survives (or not) and about memory and disk:
 * the recovery point (how far back before t0 acknowledged writes were lost), what memory-fill faults did,
 * and the findings a number alone would hide — a crash of every data node is not a power loss, a full
 * disk or a full memory refuses writes without any failover. Pure: journal and ledger only.
 */
import { ofType, type JournalEvent } from '../record/events.ts';
import { deploymentOf, t0Of } from '../record/anchors.ts';
import { Final, outcomeOf, type Ledger } from '../record/ledger.ts';
import type { FillRecord, WriteCounts } from '../record/metrics.ts';
import { round1 } from './writes.ts';

/**
 * t0 minus the acknowledgement time of the earliest lost write: 0 when nothing acknowledged was lost,
 * null when the final state was not verified or there was no fault. Negative never: a write lost that was
 * acknowledged after t0 counts as 0 back.
 */
export function rpoMsOf(events: readonly JournalEvent[], ledger: Ledger): number | null {
  const t0 = t0Of(events);
  if (t0 === null || !events.some((e) => e.type === 'verify.done')) return null;
  let earliest = Infinity;
  for (const w of ledger.writers) {
    for (let i = 0; i < w.length; i++) {
      if (outcomeOf(w.code[i]) !== 'ok') continue;
      if (w.final[i] !== Final.absent && w.final[i] !== Final.otherValue) continue;
      const end = w.start[i] + w.latency[i];
      if (end < earliest) earliest = end;
    }
  }
  return Number.isFinite(earliest) ? round1(Math.max(0, t0 - earliest)) : 0;
}

export function fillsOf(events: readonly JournalEvent[]): FillRecord[] {
  return ofType(events, 'fault.fill').map(({ node, bytes, values, stoppedBy, error, ms, oomKilled }) => ({ node, bytes, values, stoppedBy, error, ms: round1(ms), oomKilled }));
}

/**
 * Kernel OOM kills as the runtime reported them (its own event, independent of the fill's inspect):
 * Docker may send several oom events for one kill (seen: two, 50 ms apart), so a node's oom events up
 * to its death count once.
 */
export function oomKillsOf(events: readonly JournalEvent[]): number {
  const pending = new Set<string>();
  let kills = 0;
  for (const e of ofType(events, 'container.die')) {
    if (e.action === 'oom') pending.add(e.node);
    else if (pending.delete(e.node)) kills++;
  }
  return kills + pending.size;
}

const MB = 1024 * 1024;

/** Findings about memory, disks and restarts, in words. */
export function durabilityFindings(events: readonly JournalEvent[], writes: WriteCounts, failovers: number, lost: number | null, rpoMs: number | null): string[] {
  const out: string[] = [];
  for (const f of fillsOf(events)) {
    const what = `memory-fill wrote ${(f.bytes / MB).toFixed(1)} MB (${f.values} values) to ${f.node} in ${Math.round(f.ms)} ms`;
    if (f.oomKilled) out.push(`${what}, then the kernel OOM-killed ${f.node} (the container's memory limit was reached: Docker reports OOMKilled)`);
    else if (f.stoppedBy === 'refused') out.push(`${what}, then ${f.node} refused: ${f.error}`);
    else if (f.stoppedBy === 'connection-lost') out.push(`${what}, then its connection was lost (${f.error}); the runtime did not report an OOM kill`);
    else out.push(`${what} (${f.stoppedBy})`);
  }
  if (writes.oom > 0) out.push(`${writes.oom} writes were refused with OOM (maxmemory reached under noeviction): the server stays up and keeps its data, and ${failovers === 0 ? 'Sentinel did not fail over: a primary that answers is healthy to Sentinel' : `${failovers} failover(s) happened`}`);
  if (writes.misconf > 0) {
    out.push(
      `${writes.misconf} writes were refused with MISCONF (the server could not write its AOF or RDB), and ${
        failovers === 0
          ? 'Sentinel did not fail over: to Sentinel the primary stayed healthy'
          : `Sentinel failed over (${failovers}): while it cannot persist, Redis answers PING with MISCONF too, which Sentinel does not count as a valid reply, so the primary is +sdown after down-after`
      }`,
    );
  }
  for (const d of ofType(events, 'fault.aof-damage')) {
    const restart = ofType(events, 'fault.aof-restart').find((r) => r.node === d.node && r.t >= d.t);
    const how = d.damage === 'truncate' ? `cut by ${d.bytes} bytes (${d.sizeBefore} -> ${d.sizeAfter})` : `garbled (${d.bytes} bytes in its middle)`;
    const words = restart?.log.length ? ` (it logged: "${restart.log.join(' / ')}")` : '';
    const then = !restart
      ? 'it was not started again'
      : restart.outcome === 'running'
        ? `started again, it came up${words}`
        : restart.outcome === 'exited'
          ? `started again, it refused the file and exited with code ${restart.exitCode}${words}: it stays down until the file is repaired (redis-check-aof --fix)`
          : `started again, it neither answered nor exited within 10 s${words}`;
    out.push(`${d.node}'s ${d.file} was ${how} while it was down; ${then}`);
  }
  const crash = crashOfEveryDataNode(events);
  if (crash) {
    out.push(
      `every data node was killed with ${crash} and started again from its own data (${lost === null ? 'what came back was not verified' : `${lost} acknowledged writes did not come back, reaching ${rpoMs} ms before the crash`}). A process crash keeps the kernel's page cache: what the server had written but not yet fsynced still reaches the disk, so this is not a power loss — appendfsync everysec can lose up to a second more when the machine itself goes down`,
    );
  }
  return out;
}

/** The signal, when kill faults took down every data node at the same instant (a whole-deployment crash). */
function crashOfEveryDataNode(events: readonly JournalEvent[]): string | null {
  const data = (deploymentOf(events)?.nodes ?? []).filter((n) => n.kind === 'data').map((n) => n.name);
  if (data.length === 0) return null;
  const kills = ofType(events, 'fault.inject').filter((e) => e.kind === 'kill' && e.signal && e.signal !== 'SIGSTOP');
  for (const k of kills) {
    const together = kills.filter((o) => Math.abs(o.t - k.t) < 1000).flatMap((o) => o.nodes);
    if (data.every((n) => together.includes(n))) return k.signal!;
  }
  return null;
}
