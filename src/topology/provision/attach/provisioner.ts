/**
 * The attach provisioner: a Sentinel deployment the user already runs (`--attach compose:<project>` or
 * `label:<key>=<value>`), discovered from the deployment itself and left as it was found. Its nodes are
 * never owned: teardown removes only the harness's helpers and rules, starts and unpauses what a fault
 * left down, waits until the deployment converged, and says which node is primary now; with
 * `--restore-primary` it first asks Sentinel to fail back (see restore.ts).
 */
import type { Scenario } from '../../../scenario/schema.ts';
import type { Journal } from '../../../record/journal.ts';
import type { AttachLeft } from '../../../record/events.ts';
import type { Credentials } from '../../secrets.ts';
import type { Node } from '../../node.ts';
import type { PreparedImage, Provisioner } from '../provisioner.ts';
import { Journal as ScratchJournal } from '../../../record/journal.ts';
import { Deployment } from '../../deployment.ts';
import { ClientAccess, chooseClientPath } from '../../access.ts';
import { AdminClients, pairsToRecord, type Endpoint } from '../../admin.ts';
import { SentinelMode } from '../../modes/sentinel/mode.ts';
import { waitReplicationOnline } from '../../modes/replication.ts';
import { DockerRuntime } from '../../runtime/docker/runtime.ts';
import { assertDockerAvailable } from '../../runtime/docker/client.ts';
import { cleanLeftovers } from '../../runtime/docker/cleanup.ts';
import { createAttachRecord, removeAttachRecord } from '../../runtime/docker/attachRecord.ts';
import { ensureNettoolsImage } from '../../runtime/docker/images.ts';
import { listContainers, networkGateway, probeContainer } from './discover.ts';
import { describePlan, planAttachment, type AttachPlan, type PlannedNode } from './plan.ts';
import { AttachRefused, remoteEngine, type AttachTarget } from './target.ts';
import { restorePrimary } from './restore.ts';
import { waitFor } from '../../../util/time.ts';

export interface AttachOptions {
  runId: string;
  scenario: Scenario;
  journal: Journal;
  credentials?: Credentials;
  target: AttachTarget;
  /** Ask Sentinel to fail back to the initial primary at teardown. */
  restorePrimary: boolean;
}

/** How long teardown waits for the deployment to settle (the restarted old primary to rejoin). */
const SETTLE_TIMEOUT_MS = 30_000;

export class AttachProvisioner implements Provisioner {
  readonly kind = 'attach' as const;
  runtime: DockerRuntime;
  deployment: Deployment | undefined;
  /** The scenario as the drill runs it: its topology replaced by what was discovered. */
  scenario: Scenario;
  plan: AttachPlan | undefined;
  /** The state the deployment was left in (after teardown). */
  left: AttachLeft | undefined;
  private mode: SentinelMode | undefined;
  /** The record container that lets `clean` revive the nodes after a killed run. */
  private record: string | undefined;
  /** No throwaway nodes: the preflight's checks that need them are skipped, saying why. */
  readonly scratch = undefined;

  constructor(private readonly opts: AttachOptions) {
    this.runtime = new DockerRuntime(opts.runId);
    this.scenario = opts.scenario;
  }

  async prepare(log: (message: string) => void): Promise<PreparedImage> {
    const { target, scenario, credentials, runId } = this.opts;
    if (scenario.topology.mode !== 'sentinel') throw new AttachRefused(target, 'attach drills Sentinel deployments only, and the scenario asks for cluster mode');
    if (scenario.topology.tls?.enabled) throw new AttachRefused(target, 'attach does not speak TLS to a deployment yet, and the scenario asks for it');
    if (scenario.client.via === 'haproxy') throw new AttachRefused(target, 'the scenario puts an HAProxy of its own in front, which attach does not add to a deployment');
    const far = remoteEngine(process.env.DOCKER_HOST);
    if (far) throw new AttachRefused(target, far);
    const engine = await assertDockerAvailable();
    log(`Docker engine ${engine.version}`);
    const stale = await cleanLeftovers({ all: false });
    if (stale.containers.length + stale.networks.length > 0) log(`removed what dead runs left: ${stale.containers.length} containers, ${stale.networks.length} networks`);

    const { running, stopped } = await listContainers(target);
    const admin = new AdminClients(800);
    let plan: AttachPlan;
    let persistence: Record<string, string>;
    try {
      const probed = await Promise.all(running.map(async (c) => ({ name: c.name, probe: await probeContainer(c, credentials, admin) })));
      plan = planAttachment({ target, probed, stopped, masterName: scenario.topology.sentinel.masterName });
      const primary = probed.find((p) => p.probe?.container.id === plan.primary.containerId)!.probe!;
      persistence = await readPersistence(admin, primary.via);
    } finally {
      admin.closeAll();
    }
    this.plan = plan;
    for (const line of describePlan(target, plan)) log(line);
    this.opts.journal.append('attach.found', {
      target: target.spec,
      network: plan.network,
      masterName: plan.masterName,
      primary: plan.primary.name,
      replicas: plan.replicas.map((r) => r.name),
      sentinels: plan.sentinels.map((s) => s.name),
      quorum: plan.quorum,
      downAfterMs: plan.downAfterMs,
      excluded: plan.excluded,
    });
    this.scenario = {
      ...scenario,
      topology: {
        ...scenario.topology,
        replicas: plan.replicas.length,
        sentinels: plan.sentinels.length,
        sentinel: { masterName: plan.masterName, quorum: plan.quorum, downAfter: plan.downAfterMs, failoverTimeout: plan.failoverTimeoutMs, parallelSyncs: plan.parallelSyncs },
        // The scenario's server settings do not apply to a deployment the harness did not configure; the
        // primary's own persistence is what the preflight then expects of every data node.
        serverConfig: persistence,
      },
    };
    this.mode = new SentinelMode(this.scenario, credentials);
    this.runtime = new DockerRuntime(runId, plan.network);
    await ensureNettoolsImage(log);
    return { image: plan.primary.image, how: `${plan.primary.image} (the image of ${target.spec}'s own containers; nothing was pulled or built for them)` };
  }

  async bringUp(signal: AbortSignal, timeoutMs = 20_000): Promise<Deployment> {
    const plan = this.plan!;
    const { runId, journal, credentials } = this.opts;
    const toNode = (p: PlannedNode): Node => ({ name: p.name, kind: p.kind, shard: null, id: p.containerId, runtimeName: p.name, ip: p.ip, port: p.port, hostPort: p.hostPort, owned: false });
    const nodes = [plan.primary, ...plan.replicas, ...plan.sentinels].map(toNode);
    const path = await chooseClientPath(nodes[0]);
    const dep = new Deployment({
      runId,
      runtime: this.runtime,
      mode: this.mode!,
      access: new ClientAccess(path.path, path.reason, credentials),
      journal,
      clientSource: await networkGateway(plan.network),
      credentials,
      teardown: () => this.settle(),
    });
    dep.nodes.push(...nodes);
    dep.access.natMap(dep.nodes);
    this.deployment = dep;
    // Before any fault: what `clean` needs to bring these containers back if this process is killed.
    this.record = await createAttachRecord(runId, nodes.map((n) => n.id));
    this.runtime.watchNodes(nodes);
    // Ready as it is: replication links up, every sentinel sees the primary healthy (no sdown, odown or
    // failover under way: a drill must not start in the middle of one) and a reachable quorum. Nothing is set.
    await waitReplicationOnline(dep, signal, timeoutMs);
    await waitFor(
      'every sentinel to see the primary healthy, with a reachable quorum (SENTINEL MASTER flags, CKQUORUM)',
      async (note) => {
        for (const s of dep.sentinels) {
          const m = pairsToRecord(await dep.command(s, 'SENTINEL', 'MASTER', plan.masterName));
          if (m.flags !== 'master') return note(`${s.name} flags the primary ${m.flags}`), undefined;
          // A deployment just started: Sentinel learns replicas from the primary's INFO (every 10 s) and
          // peers from hello messages (every 2 s); the drill's view of it must be complete first.
          if (Number(m['num-slaves']) < plan.replicas.length || Number(m['num-other-sentinels']) < plan.sentinels.length - 1) {
            return note(`${s.name} knows ${m['num-slaves']}/${plan.replicas.length} replicas and ${m['num-other-sentinels']}/${plan.sentinels.length - 1} other sentinels`), undefined;
          }
          // A replica that just came back (an earlier drill's old primary) is linked before the sentinels
          // know it: they refresh a replica's INFO every 10 s. Until each sees every replica linked to the
          // primary, the preflight's sentinel check (the same condition) would fail a healthy deployment.
          const replicas = (await dep.command(s, 'SENTINEL', 'REPLICAS', plan.masterName)) as unknown[];
          for (const p of plan.replicas) {
            const seen = replicas.map((r) => pairsToRecord(r as string[])).find((r) => r.ip === p.ip && Number(r.port) === p.port);
            if (!seen || seen.flags !== 'slave' || seen['master-link-status'] !== 'ok' || seen['master-host'] !== plan.primary.ip) {
              return note(`${s.name} sees ${p.name} as ${seen ? `${seen.flags}, link ${seen['master-link-status']}, master-host ${seen['master-host']}` : 'unknown'}`), undefined;
            }
          }
          const ck = String(await dep.command(s, 'SENTINEL', 'CKQUORUM', plan.masterName).catch((err: Error) => err.message));
          if (!ck.startsWith('OK')) return note(`${s.name}: ${ck}`), undefined;
        }
        return true;
      },
      { timeoutMs, signal, intervalMs: 100 },
    );
    dep.record();
    return dep;
  }

  /**
   * After the faults' heals and the helpers' removal (Deployment.down): every container runs again and
   * is not paused, the deployment converged, optionally the first primary is back; the state is recorded.
   */
  private async settle(): Promise<void> {
    const dep = this.deployment!;
    const plan = this.plan!;
    const left: AttachLeft = { primary: null, initialPrimary: plan.primary.name, restarted: [], unpaused: [], notRunning: [], converged: false, restore: null };
    for (const node of dep.nodes) {
      try {
        const state = await this.runtime.inspect(node);
        if (state.paused) {
          await this.runtime.unpause(node);
          left.unpaused.push(node.name);
        } else if (!state.running) {
          await this.runtime.start(node);
          left.restarted.push(node.name);
        }
        await dep.refresh(node);
      } catch {
        // judged below: a container that does not run is listed
      }
    }
    const settleSignal = AbortSignal.timeout(SETTLE_TIMEOUT_MS * 3);
    const scratch = new ScratchJournal(); // teardown's own waits are not part of the drill's record
    const converged = await this.mode!.converge(dep, scratch, SETTLE_TIMEOUT_MS, settleSignal).catch(() => null);
    left.converged = converged?.converged ?? false;
    if (this.opts.restorePrimary) left.restore = await restorePrimary(dep, this.mode!, plan, scratch, settleSignal);
    const primaries = await this.mode!.primaries(dep).catch(() => new Map<number, Node>());
    left.primary = primaries.get(1)?.name ?? null;
    for (const node of dep.nodes) if (!(await dep.isRunning(node))) left.notRunning.push(node.name);
    dep.admin.closeAll();
    this.left = left;
    this.opts.journal.append('attach.left', left);
  }

  async tearDown(): Promise<void> {
    if (this.deployment) await this.deployment.down();
    else await this.runtime.removeHelpers();
    if (this.record) await removeAttachRecord(this.record);
    this.record = undefined;
  }
}

/** The primary's appendonly and save (what it runs with), as far as CONFIG GET answers. */
async function readPersistence(admin: AdminClients, via: Endpoint): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const name of ['appendonly', 'save']) {
    try {
      const [, value] = (await admin.call(via, 'CONFIG', 'GET', name)) as [string, string];
      if (value !== undefined) out[name] = value;
    } catch {
      // CONFIG renamed or refused: the preflight says what it could not read
    }
  }
  return out;
}
