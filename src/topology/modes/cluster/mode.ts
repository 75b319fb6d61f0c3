/**
 * Redis Cluster mode: shards of one primary and its replicas, joined with CLUSTER MEET, slots split
 * evenly (ADDSLOTSRANGE), replicas attached with CLUSTER REPLICATE. Ready when every node reports
 * cluster_state:ok, all agree on who serves which slots, and every replica's link is up. "Primary now"
 * is what the majority of reachable nodes say serves each shard's slots; times come from the nodes' logs.
 */
import { parseInfo } from '../../admin.ts';
import type { Deployment } from '../../deployment.ts';
import type { Node } from '../../node.ts';
import type { FailoverMode, KeyReader, NodePlan, Observer, WriterClient } from '../mode.ts';
import type { Journal } from '../../../record/journal.ts';
import type { JournalEvent } from '../../../record/events.ts';
import type { Convergence } from '../../../record/result.ts';
import type { Scenario } from '../../../scenario/schema.ts';
import type { Credentials } from '../../secrets.ts';
import { REDIS_PORT, directive } from '../../serverConfig.ts';
import { convergeWithin, waitReplicationOnline } from '../replication.ts';
import { ClusterPoller } from '../../../observe/clusterPoller.ts';
import { parseClusterLog } from '../../../observe/clusterLog.ts';
import { ClusterWriter } from '../../../workload/clusterWriter.ts';
import { writerSettings } from '../../../workload/clientOptions.ts';
import { ShardedReader } from '../../../workload/readers.ts';
import { waitFor } from '../../../util/time.ts';
import { ownerOfSlot, parseClusterNodes, shardRanges, slotOwners, tagsForShard, type ClusterNodeLine } from './slots.ts';

/** Distinct slots each writer's keys cycle through. */
const TAGS_PER_WRITER = 64;

export class ClusterMode implements FailoverMode {
  readonly name = 'cluster' as const;
  private readonly ranges: Record<string, [number, number][]>;

  constructor(
    private readonly scenario: Scenario,
    private readonly credentials: Credentials | undefined,
  ) {
    this.ranges = shardRanges(scenario.topology.shards);
  }

  private get perShard(): number {
    return 1 + this.scenario.topology.replicas;
  }

  /** Shard k's nodes are redis-((k-1)*(1+R)+1) (its first primary) and the R after it. */
  nodeNames(): string[] {
    return Array.from({ length: this.scenario.topology.shards * this.perShard }, (_, i) => `redis-${i + 1}`);
  }

  plan(): NodePlan[] {
    const c = this.scenario.topology.cluster;
    const tls = Boolean(this.scenario.topology.tls?.enabled);
    const lines = [
      directive('cluster-enabled', 'yes'),
      directive('cluster-config-file', 'nodes.conf'),
      directive('cluster-node-timeout', c.nodeTimeout),
      directive('cluster-replica-validity-factor', c.replicaValidityFactor),
      directive('cluster-require-full-coverage', c.requireFullCoverage),
      ...(tls ? [directive('tls-cluster', 'yes')] : []),
    ];
    return this.nodeNames().map((name, i) => ({
      name,
      kind: 'data' as const,
      shard: Math.floor(i / this.perShard) + 1,
      primary: i % this.perShard === 0,
      port: REDIS_PORT,
      configLines: lines,
    }));
  }

  private initialPrimaries(dep: Deployment): Node[] {
    return dep.dataNodes.filter((_, i) => i % this.perShard === 0);
  }

  async join(dep: Deployment, signal: AbortSignal, timeoutMs: number): Promise<void> {
    const nodes = dep.dataNodes;
    await waitFor('every node to answer', async () => ((await Promise.all(nodes.map((n) => dep.command(n, 'PING')))).length ? true : undefined), { timeoutMs, signal, intervalMs: 25 });
    for (const n of nodes) n.clusterId = String(await dep.command(n, 'CLUSTER', 'MYID'));
    for (const [k, primary] of this.initialPrimaries(dep).entries()) {
      for (const [a, b] of this.ranges[String(k + 1)]) await dep.command(primary, 'CLUSTER', 'ADDSLOTSRANGE', a, b);
    }
    const [first, ...rest] = nodes;
    for (const n of rest) await dep.command(first, 'CLUSTER', 'MEET', n.ip, n.port);
    await waitFor(
      'every cluster node to know every other (CLUSTER MEET)',
      async (note) => {
        for (const n of nodes) {
          const view = parseClusterNodes(String(await dep.command(n, 'CLUSTER', 'NODES')));
          const pending = view.filter((l) => l.flags.includes('handshake') || l.flags.includes('noaddr'));
          if (view.length < nodes.length || pending.length > 0) return note(`${n.name} knows ${view.length - pending.length}/${nodes.length} nodes`), undefined;
        }
        return true;
      },
      { timeoutMs, signal, intervalMs: 50 },
    );
    for (const n of nodes) {
      const primary = this.initialPrimaries(dep)[n.shard! - 1];
      if (n !== primary) await dep.command(n, 'CLUSTER', 'REPLICATE', primary.clusterId!);
    }
  }

  async awaitReady(dep: Deployment, signal: AbortSignal, timeoutMs: number): Promise<void> {
    const primaries = this.initialPrimaries(dep);
    await waitFor(
      'every node to report cluster_state:ok and agree on the slot map, replicas attached',
      async (note) => {
        for (const n of dep.dataNodes) {
          await dep.assertRunning(n);
          const info = parseInfo(String(await dep.command(n, 'CLUSTER', 'INFO')));
          if (info.cluster_state !== 'ok' || Number(info.cluster_slots_ok) !== 16384) return note(`${n.name}: cluster_state:${info.cluster_state}, slots ok ${info.cluster_slots_ok}`), undefined;
          const view = parseClusterNodes(String(await dep.command(n, 'CLUSTER', 'NODES')));
          for (const [k, p] of primaries.entries()) {
            const owner = ownerOfSlot(view, this.ranges[String(k + 1)][0][0]);
            if (owner?.id !== p.clusterId) return note(`${n.name} sees shard ${k + 1} served by ${owner?.id ?? 'nobody'}`), undefined;
          }
          for (const other of dep.dataNodes) {
            const line = view.find((l) => l.id === other.clusterId);
            const want = other === primaries[other.shard! - 1] ? 'master' : 'slave';
            if (!line || !line.flags.includes(want) || line.flags.some((f) => f === 'fail' || f === 'fail?') || line.linkState !== 'connected') {
              return note(`${n.name} sees ${other.name} as ${line ? `${line.flags.join(',')} (${line.linkState})` : 'unknown'}`), undefined;
            }
          }
        }
        return true;
      },
      { timeoutMs, signal, intervalMs: 50 },
    );
    await waitReplicationOnline(dep, signal, timeoutMs);
  }

  describe(): { slots: Record<string, [number, number][]> } {
    return { slots: this.ranges };
  }

  keyPlan(_dep: Deployment, writers: number): { keyTags: string[][]; writerShards: number[] } {
    const owners = slotOwners(this.ranges);
    const writerShards = Array.from({ length: writers }, (_, w) => (w % this.scenario.topology.shards) + 1);
    return { writerShards, keyTags: writerShards.map((shard, w) => tagsForShard(owners, shard, TAGS_PER_WRITER, `w${w}`)) };
  }

  /** Each running data node's CLUSTER NODES, in parallel; unreachable ones are absent. */
  private async views(dep: Deployment): Promise<ClusterNodeLine[][]> {
    const replies = await Promise.allSettled((await dep.runningNodes(dep.dataNodes)).map((n) => dep.command(n, 'CLUSTER', 'NODES')));
    return replies.filter((r): r is PromiseFulfilledResult<unknown> => r.status === 'fulfilled').map((r) => parseClusterNodes(String(r.value)));
  }

  /** Per shard, the node a majority of the answering nodes say serves its slots. */
  async primaries(dep: Deployment): Promise<Map<number, Node>> {
    const views = await this.views(dep);
    const out = new Map<number, Node>();
    for (const [shard, ranges] of Object.entries(this.ranges)) {
      const votes = new Map<string, number>();
      for (const view of views) {
        const owner = ownerOfSlot(view, ranges[0][0]);
        if (owner) votes.set(owner.id, (votes.get(owner.id) ?? 0) + 1);
      }
      const best = [...votes].sort((a, b) => b[1] - a[1])[0];
      const node = best && dep.dataNodes.find((n) => n.clusterId === best[0]);
      if (node) out.set(Number(shard), node);
    }
    return out;
  }

  writerClient(dep: Deployment, writer: number, journal: Journal, stopping: () => boolean): WriterClient {
    const { load } = this.scenario;
    return new ClusterWriter(dep, writer, journal, load.wait, writerSettings(this.scenario), stopping);
  }

  observers(dep: Deployment, journal: Journal): Observer[] {
    return [new ClusterPoller(dep, journal)];
  }

  /** After a fault: state changes, and nodes seeing another as failing or newly master (the poller's first sample is the baseline). */
  progressLine(e: JournalEvent, t0: number | null): string | null {
    if (t0 === null || e.t < t0) return null;
    const when = `after ${Math.round(e.t - t0)} ms`;
    if (e.type === 'cluster.state') return `${e.node}: cluster_state:${e.state} ${when}`;
    if (e.type === 'cluster.view' && /fail|master/.test(e.flags)) return `${e.node} sees ${e.subject} as ${e.flags} ${when}`;
    return null;
  }

  journalLogs(dep: Deployment, logs: Record<string, string>, journal: Journal): void {
    const byId = new Map(dep.dataNodes.map((n) => [n.clusterId, n.name]));
    for (const n of dep.dataNodes) {
      const text = logs[n.name];
      if (!text) continue;
      for (const ev of parseClusterLog(text)) {
        const subject = ev.subjectId ? (byId.get(ev.subjectId) ?? ev.subjectId) : null;
        journal.append('cluster.log', { node: n.name, event: ev.event, subject, detail: ev.detail, logWall: ev.wall }, ev.wall - journal.originWall);
      }
    }
  }

  /**
   * Converged: every answering node agrees which node serves each shard, those nodes run and report
   * role master, every running node reports cluster_state:ok, and every running replica of a shard
   * replicates from its primary with the link up.
   */
  async converge(dep: Deployment, journal: Journal, timeoutMs: number, signal: AbortSignal): Promise<Convergence> {
    return convergeWithin(
      journal,
      'the cluster to converge (each shard served by one primary, cluster_state:ok, replicas linked)',
      async (note) => {
        const running = await dep.runningNodes(dep.dataNodes);
        const out = new Map<number, Node>();
        for (const [shard, ranges] of Object.entries(this.ranges)) {
          const owners = new Set<string>();
          for (const n of running) {
            const view = parseClusterNodes(String(await dep.command(n, 'CLUSTER', 'NODES')));
            owners.add(ownerOfSlot(view, ranges[0][0])?.id ?? 'nobody');
          }
          if (owners.size !== 1) return note(`nodes disagree on who serves shard ${shard}: ${[...owners].join(' vs ')}`), undefined;
          const primary = running.find((n) => n.clusterId === [...owners][0]);
          if (!primary) return note(`shard ${shard} is served by no running node`), undefined;
          out.set(Number(shard), primary);
        }
        for (const n of running) {
          const info = parseInfo(String(await dep.command(n, 'CLUSTER', 'INFO')));
          if (info.cluster_state !== 'ok') return note(`${n.name}: cluster_state:${info.cluster_state}`), undefined;
          const primary = out.get(n.shard!);
          if (n === primary) continue;
          const repl = parseInfo(String(await dep.command(n, 'INFO', 'replication')));
          if (repl.role !== 'slave' || repl.master_host !== primary?.ip || repl.master_link_status !== 'up') {
            return note(`${n.name}: role ${repl.role}, master ${repl.master_host ?? '-'}, link ${repl.master_link_status ?? '-'}`), undefined;
          }
        }
        return { primary: out.get(1)?.name ?? null, primaries: Object.fromEntries([...out].map(([shard, p]) => [String(shard), p.name])) };
      },
      { timeoutMs, signal, intervalMs: 100 },
    );
  }

  async finalReader(dep: Deployment, convergence: Convergence): Promise<KeyReader | null> {
    if (!convergence.converged || !convergence.primaries) return null;
    const shards = Object.keys(this.ranges).map(Number);
    const primaries = shards.map((k) => dep.node(convergence.primaries![String(k)]));
    const owners = slotOwners(this.ranges);
    const ownerIndex = new Int16Array(owners.length).map((_, slot) => (owners[slot] === 0 ? -1 : shards.indexOf(owners[slot])));
    return new ShardedReader(primaries.map((p) => p.name).join(', '), primaries.map((p) => dep.access.endpoint(p)), ownerIndex);
  }

  async resolveTarget(): Promise<Node[] | undefined> {
    return undefined; // primary:shard-N and replica:shard-N are resolved with primaries() by the common selectors
  }
}
