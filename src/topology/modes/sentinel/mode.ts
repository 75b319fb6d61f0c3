/**
 * Sentinel mode: one primary, its replicas, and sentinels that monitor it and fail it over. Readiness
 * means every sentinel has a live link to the primary, each replica and each other sentinel, and a
 * reachable quorum; "primary now" is what the sentinels say; times come from the sentinels' own logs.
 */
import { randomBytes } from 'node:crypto';
import { parseInfo, pairsToRecord } from '../../admin.ts';
import type { Deployment } from '../../deployment.ts';
import type { Node } from '../../node.ts';
import type { FailoverMode, KeyReader, NodePlan, Observer, WriterClient } from '../mode.ts';
import type { Journal } from '../../../record/journal.ts';
import type { JournalEvent } from '../../../record/events.ts';
import type { Convergence } from '../../../record/result.ts';
import type { Scenario } from '../../../scenario/schema.ts';
import type { Credentials } from '../../secrets.ts';
import { REDIS_PORT, SENTINEL_PORT } from '../../serverConfig.ts';
import { convergeWithin, waitReplicationOnline } from '../replication.ts';
import { SentinelTap, parseSentinelLog } from '../../../observe/sentinelTap.ts';
import { SentinelWriter } from '../../../workload/sentinelWriter.ts';
import { writerSettings } from '../../../workload/clientOptions.ts';
import { NodeReader } from '../../../workload/readers.ts';
import { waitFor } from '../../../util/time.ts';
import { resetSentinelDeployment } from './reset.ts';

/** Sentinels' down-after until the whole topology is up (see the sentinel config below). */
const BRINGUP_DOWN_AFTER_MS = 60_000;
/** Sentinel events worth a progress line while the drill runs. */
const KEY_EVENTS = new Set(['+sdown', '+odown', '+try-failover', '+elected-leader', '+selected-slave', '+promoted-slave', '+switch-master', '+slave-reconf-done', '-odown', '-sdown']);

export class SentinelMode implements FailoverMode {
  readonly name = 'sentinel' as const;
  private readonly sentinelIds: Map<string, string>;

  constructor(
    private readonly scenario: Scenario,
    private readonly credentials: Credentials | undefined,
  ) {
    this.sentinelIds = new Map(this.sentinelNames().map((n) => [n, randomBytes(20).toString('hex')]));
  }

  get masterName(): string {
    return this.scenario.topology.sentinel.masterName;
  }

  private replicaNames(): string[] {
    return Array.from({ length: this.scenario.topology.replicas }, (_, i) => `redis-${i + 2}`);
  }

  private sentinelNames(): string[] {
    return Array.from({ length: this.scenario.topology.sentinels }, (_, i) => `sentinel-${i + 1}`);
  }

  nodeNames(): string[] {
    return ['redis-1', ...this.replicaNames(), ...this.sentinelNames()];
  }

  /**
   * Every address is fixed before anything starts: replicas know their primary, and each sentinel
   * already knows the replicas and the other sentinels (no waiting for Sentinel's 2 s hello and 10 s
   * INFO discovery). Fixed addresses also survive a restart.
   */
  plan(addresses: Map<string, string>): NodePlan[] {
    const primaryIp = addresses.get('redis-1')!;
    const data: NodePlan[] = [
      { name: 'redis-1', kind: 'data', shard: null, primary: true, port: REDIS_PORT, configLines: [] },
      ...this.replicaNames().map((name) => ({ name, kind: 'data' as const, shard: null, primary: false, port: REDIS_PORT, configLines: [], replicaOf: { host: primaryIp, port: REDIS_PORT } })),
    ];
    const sentinels: NodePlan[] = this.sentinelNames().map((name) => ({
      name,
      kind: 'sentinel',
      shard: null,
      primary: false,
      port: SENTINEL_PORT,
      configLines: this.sentinelLines(name, addresses),
    }));
    return [...data, ...sentinels];
  }

  private sentinelLines(name: string, addresses: Map<string, string>): string[] {
    const s = this.scenario.topology.sentinel;
    const m = this.masterName;
    const c = this.credentials;
    const peers = this.sentinelNames().filter((o) => o !== name);
    return [
      `sentinel myid ${this.sentinelIds.get(name)}`,
      `sentinel monitor ${m} ${addresses.get('redis-1')} ${REDIS_PORT} ${s.quorum}`,
      // All containers start at once, so a sentinel may start before the primary's address even exists;
      // its first connection then hangs, and with the drill's down-after it would flag (or fail over) a
      // healthy primary. It starts patient and gets the scenario's value once every link is live.
      `sentinel down-after-milliseconds ${m} ${Math.max(s.downAfter, BRINGUP_DOWN_AFTER_MS)}`,
      `sentinel failover-timeout ${m} ${s.failoverTimeout}`,
      `sentinel parallel-syncs ${m} ${s.parallelSyncs}`,
      ...this.replicaNames().map((r) => `sentinel known-replica ${m} ${addresses.get(r)} ${REDIS_PORT}`),
      ...peers.map((p) => `sentinel known-sentinel ${m} ${addresses.get(p)} ${SENTINEL_PORT} ${this.sentinelIds.get(p)}`),
      ...(c ? [`sentinel auth-pass ${m} ${c.password}`, ...(c.user ? [`sentinel auth-user ${m} ${c.user}`] : [])] : []),
    ];
  }

  async join(): Promise<void> {
    // Replicas and sentinels were configured with every address: nothing to join.
  }

  async awaitReady(dep: Deployment, signal: AbortSignal, timeoutMs: number): Promise<void> {
    await waitReplicationOnline(dep, signal, timeoutMs);
    const primary = dep.node('redis-1');
    const { downAfter } = this.scenario.topology.sentinel;
    await this.waitSentinelsReady(dep, primary.ip, Math.max(downAfter, BRINGUP_DOWN_AFTER_MS), signal, timeoutMs);
    if (downAfter < BRINGUP_DOWN_AFTER_MS) {
      await Promise.all(dep.sentinels.map((s) => dep.command(s, 'SENTINEL', 'SET', this.masterName, 'down-after-milliseconds', downAfter)));
      await this.waitSentinelsReady(dep, primary.ip, downAfter, signal, timeoutMs);
    }
  }

  /**
   * Ready: each sentinel has a live, answering link to the intended primary, to every replica and to
   * every other sentinel (flags exactly master/slave/sentinel, so not "disconnected", and a PING answered
   * within the last 1.5 s), uses `downAfterMs`, and has a reachable quorum. A link merely "not down" is
   * not enough: a sentinel whose first connection is still pending (the address did not exist yet when
   * it started) counts down-after from its own start and flags a healthy primary moments later.
   */
  private async waitSentinelsReady(dep: Deployment, primaryIp: string, downAfterMs: number, signal: AbortSignal, timeoutMs: number): Promise<void> {
    const expectPeers = dep.sentinels.length - 1;
    const expectReplicas = dep.dataNodes.length - 1;
    const live = (r: Record<string, string>, flags: string) => r.flags === flags && Number(r['last-ok-ping-reply']) < 1500;
    const m = this.masterName;
    await waitFor(
      'sentinels to be connected to the primary, the replicas and each other, with a reachable quorum',
      async (note) => {
        for (const s of dep.sentinels) {
          await dep.assertRunning(s);
          const master = pairsToRecord(await dep.command(s, 'SENTINEL', 'MASTER', m));
          if (!live(master, 'master') || master.ip !== primaryIp || Number(master['down-after-milliseconds']) !== downAfterMs) {
            note(`${s.name} sees the primary at ${master.ip} with flags ${master.flags}, last PING answered ${master['last-ok-ping-reply']} ms ago, down-after ${master['down-after-milliseconds']} ms`);
            return undefined;
          }
          const replicas = ((await dep.command(s, 'SENTINEL', 'REPLICAS', m)) as unknown[]).map(pairsToRecord);
          const liveReplicas = replicas.filter((r) => live(r, 'slave')).length;
          if (liveReplicas < expectReplicas) return note(`${s.name} has live links to ${liveReplicas}/${expectReplicas} replicas`), undefined;
          const peers = ((await dep.command(s, 'SENTINEL', 'SENTINELS', m)) as unknown[]).map(pairsToRecord);
          const livePeers = peers.filter((p) => live(p, 'sentinel')).length;
          if (livePeers < expectPeers) return note(`${s.name} has live links to ${livePeers}/${expectPeers} other sentinels`), undefined;
          const ck = String(await dep.command(s, 'SENTINEL', 'CKQUORUM', m));
          if (!ck.startsWith('OK')) return note(`${s.name}: CKQUORUM ${ck}`), undefined;
        }
        return true;
      },
      { timeoutMs, signal, intervalMs: 25 },
    );
  }

  describe(): { masterName: string } {
    return { masterName: this.masterName };
  }

  /** The sentinels' view (what clients follow), by majority of those answering; else ROLE on the data nodes. */
  async primaries(dep: Deployment): Promise<Map<number, Node>> {
    const votes = new Map<Node, number>();
    // Only running sentinels: a dead or frozen one would hold the fault up for a whole connect timeout.
    await Promise.all(
      (await dep.runningNodes(dep.sentinels)).map(async (s) => {
        try {
          const [ip, port] = (await dep.command(s, 'SENTINEL', 'GET-MASTER-ADDR-BY-NAME', this.masterName)) as [string, string];
          const node = dep.nodeAt(ip, Number(port));
          if (node) votes.set(node, (votes.get(node) ?? 0) + 1);
        } catch {
          // a sentinel that does not answer (killed, paused, cut off) casts no vote
        }
      }),
    );
    const best = [...votes].sort((a, b) => b[1] - a[1])[0];
    if (best) return new Map([[1, best[0]]]);
    for (const node of await dep.runningNodes(dep.dataNodes)) {
      try {
        const role = (await dep.command(node, 'ROLE')) as unknown[];
        if (role[0] === 'master') return new Map([[1, node]]);
      } catch {
        // dead or frozen
      }
    }
    return new Map();
  }

  writerClient(dep: Deployment, writer: number, journal: Journal, stopping: () => boolean): WriterClient {
    const { load } = this.scenario;
    return new SentinelWriter(dep, writer, journal, this.masterName, load.wait, writerSettings(this.scenario), stopping);
  }

  observers(dep: Deployment, journal: Journal): Observer[] {
    return [new SentinelTap(dep, journal)];
  }

  progressLine(e: JournalEvent, t0: number | null): string | null {
    if (e.type !== 'sentinel.event' || !KEY_EVENTS.has(e.channel)) return null;
    const when = t0 === null ? 'before any fault' : `after ${Math.round(e.t - t0)} ms`;
    return `${e.node}: ${e.channel} ${when}: ${e.message}`;
  }

  journalLogs(dep: Deployment, logs: Record<string, string>, journal: Journal): void {
    for (const s of dep.sentinels) {
      const text = logs[s.name];
      if (!text) continue;
      for (const ev of parseSentinelLog(text)) {
        journal.append('sentinel.log', { node: s.name, event: ev.event, detail: ev.detail, logWall: ev.wall }, ev.wall - journal.originWall);
      }
    }
  }

  /** Without sentinels (a manual failover's topology): the one running data node that reports role master. */
  private async onlyMaster(dep: Deployment, note: (why: string) => void): Promise<Node | undefined> {
    const masters: Node[] = [];
    for (const node of await dep.runningNodes(dep.dataNodes)) {
      if (((await dep.command(node, 'ROLE')) as unknown[])[0] === 'master') masters.push(node);
    }
    if (masters.length !== 1) return note(`no sentinels, and ${masters.length} running data nodes report role master${masters.length ? `: ${masters.map((n) => n.name).join(', ')}` : ''}`), undefined;
    return masters[0];
  }

  /**
   * Converged: the sentinels that answer agree on one primary (without sentinels: exactly one running
   * data node reports role master), it reports role master, and every other running data node
   * replicates from it with its link up.
   */
  async converge(dep: Deployment, journal: Journal, timeoutMs: number, signal: AbortSignal): Promise<Convergence> {
    return convergeWithin(
      journal,
      'the topology to converge (one primary, replicas linked to it)',
      async (note) => {
        const primary = dep.sentinels.length === 0 ? await this.onlyMaster(dep, note) : await this.sentinelsPrimary(dep, note);
        if (!primary) return undefined;
        const role = (await dep.command(primary, 'ROLE')) as unknown[];
        if (role[0] !== 'master') return note(`${primary.name} is named primary but reports role ${String(role[0])}`), undefined;
        for (const node of await dep.runningNodes(dep.dataNodes)) {
          if (node === primary) continue;
          const info = parseInfo(String(await dep.command(node, 'INFO', 'replication')));
          if (info.role !== 'slave' || info.master_host !== primary.ip || info.master_link_status !== 'up') {
            return note(`${node.name}: role ${info.role}, master ${info.master_host ?? '-'}, link ${info.master_link_status ?? '-'}`), undefined;
          }
        }
        return { primary: primary.name };
      },
      { timeoutMs, signal, intervalMs: 50 },
    );
  }

  /** The primary the answering sentinels agree on, or undefined (with the reason noted). */
  private async sentinelsPrimary(dep: Deployment, note: (why: string) => void): Promise<Node | undefined> {
    const answers: string[] = [];
    for (const s of await dep.runningNodes(dep.sentinels)) {
      try {
        const [ip, port] = (await dep.command(s, 'SENTINEL', 'GET-MASTER-ADDR-BY-NAME', this.masterName)) as [string, string];
        answers.push(`${ip}:${port}`);
      } catch {
        // unreachable sentinel: not counted
      }
    }
    if (answers.length === 0) return note('no sentinel answers'), undefined;
    if (new Set(answers).size > 1) return note(`sentinels disagree: ${[...new Set(answers)].join(' vs ')}`), undefined;
    const [ip, port] = answers[0].split(':');
    const primary = dep.nodeAt(ip, Number(port));
    if (!primary) return note(`sentinels name an unknown primary ${answers[0]}`), undefined;
    return primary;
  }

  async reset(dep: Deployment, signal: AbortSignal, timeoutMs: number, step: (what: string) => void): Promise<void> {
    const { downAfter } = this.scenario.topology.sentinel;
    await resetSentinelDeployment(
      dep,
      { masterName: this.masterName, mode: this, sentinelsReady: (d, ip, sig, ms) => this.waitSentinelsReady(d, ip, downAfter, sig, ms) },
      signal,
      timeoutMs,
      step,
    );
  }

  async finalReader(dep: Deployment, convergence: Convergence): Promise<KeyReader | null> {
    if (!convergence.primary) return null;
    const primary = dep.node(convergence.primary);
    return new NodeReader(primary.name, dep.access.endpoint(primary));
  }

  async resolveTarget(selector: string, dep: Deployment, journal: Journal): Promise<Node[] | undefined> {
    if (selector !== 'sentinel:leader') return undefined;
    const elected = journal.filter('sentinel.event').filter((e) => e.channel === '+elected-leader').at(-1);
    if (!elected) throw new Error('fault target "sentinel:leader": no sentinel has been elected leader yet in this drill');
    return [dep.node(elected.node)];
  }
}
