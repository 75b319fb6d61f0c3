/**
 * The create provisioner: a topology the harness makes itself from the scenario, on a private bridge
 * network, every container labelled with the run id and published on 127.0.0.1 only. Containers are
 * created in parallel but started one at a time, in the mode's order (primary, replicas, monitors):
 * Docker 20.10's libnetwork counts a network's endpoints with a read-modify-write that concurrent
 * endpoint creation can count twice; the network then reports "active endpoints" with none attached
 * and can never be removed (seen in about 1 drill in 50 when all containers started at once).
 */
import type { Scenario } from '../../scenario/schema.ts';
import type { Journal } from '../../record/journal.ts';
import type { Credentials } from '../secrets.ts';
import type { FailoverMode } from '../modes/mode.ts';
import type { Node } from '../node.ts';
import type { PreparedImage, Provisioner, ScratchNodes } from './provisioner.ts';
import { DockerScratchNodes, SCRATCH_NAMES } from './scratch.ts';
import { checkUserConfig } from './configCheck.ts';
import { Deployment } from '../deployment.ts';
import { ClientAccess, chooseClientPath } from '../access.ts';
import { DockerRuntime } from '../runtime/docker/runtime.ts';
import { addressInSubnet, createContainer, createRunNetwork, removeRun, startContainer } from '../runtime/docker/create.ts';
import { ensureNettoolsImage, resolveSentinelImage, resolveServerImage } from '../runtime/docker/images.ts';
import { assertDockerAvailable } from '../runtime/docker/client.ts';
import { cleanLeftovers } from '../runtime/docker/cleanup.ts';
import { clientTlsOptions, makeDrillCertificates, removeDrillCertificates, tlsFiles, type TlsMaterial } from '../tls.ts';
import { type ConfigInput } from '../serverConfig.ts';
import { profileFor, sentinelProfileFor, type NodeLaunch } from '../profiles/index.ts';
import { waitHealthy } from '../health.ts';
import { HAPROXY_NODE, HAPROXY_PORT, docsConfig, fileConfig, roleConfig } from '../haproxy.ts';
import { waitForHaproxy } from '../haproxyReady.ts';
import { HAPROXY_CONFIG_DIR, resolveHaproxyImage } from '../runtime/docker/haproxyImage.ts';
import { scenarioRelative } from '../../scenario/loader.ts';
import { readFileSync } from 'node:fs';
import { InfrastructureError } from '../../util/errors.ts';

export interface CreateOptions {
  runId: string;
  scenario: Scenario;
  journal: Journal;
  mode: FailoverMode;
  credentials?: Credentials;
  /** The stall fault needs the DEBUG command. */
  enableDebugCommand: boolean;
  /** The scenario's file: paths it names are relative to it. */
  scenarioFile?: string;
  /** Start the preflight's throwaway nodes while the topology converges (a preflight will follow). */
  warmScratch?: boolean;
}

export class CreateProvisioner implements Provisioner {
  readonly kind = 'create' as const;
  deployment: Deployment | undefined;
  private image = '';
  private sentinelImage = '';
  private haproxyImage = '';
  private scratchNodes: DockerScratchNodes | undefined;
  private tls: TlsMaterial | undefined;
  readonly runtime: DockerRuntime;

  constructor(private readonly opts: CreateOptions) {
    this.runtime = new DockerRuntime(opts.runId);
  }

  async prepare(log: (message: string) => void): Promise<PreparedImage> {
    const engine = await assertDockerAvailable();
    log(`Docker engine ${engine.version}`);
    const stale = await cleanLeftovers({ all: false });
    if (stale.containers.length + stale.networks.length > 0) {
      log(`removed what dead runs left: ${stale.containers.length} containers, ${stale.networks.length} networks`);
    }
    for (const f of stale.failures) log(`could not remove what a dead run left: ${f}`);
    const topology = this.opts.scenario.topology;
    const image: PreparedImage = await resolveServerImage(topology, log);
    this.image = image.image;
    this.sentinelImage = image.image;
    if (topology.sentinels > 0) {
      const sentinel = await resolveSentinelImage(topology, image, log);
      this.sentinelImage = sentinel.image;
      if (sentinel !== image) image.sentinel = sentinel;
    }
    // The user's directives, checked by the server itself before anything of the drill exists.
    const { runId, scenario, mode, credentials, enableDebugCommand } = this.opts;
    await checkUserConfig({ runId, scenario, scenarioFile: this.opts.scenarioFile ?? scenario.name, mode, credentials, enableDebugCommand, image: this.image, sentinelImage: this.sentinelImage }, log);
    await ensureNettoolsImage(log);
    if (this.opts.scenario.client.via === 'haproxy') {
      const haproxy = await resolveHaproxyImage(log);
      this.haproxyImage = haproxy.image;
      log(`HAProxy image: ${haproxy.how}`);
    }
    return image;
  }

  async bringUp(signal: AbortSignal, timeoutMs = 60_000): Promise<Deployment> {
    const { runId, scenario, journal, mode, credentials } = this.opts;
    const network = await createRunNetwork(runId);
    journal.append('topology.network', { network: network.name, subnet: network.subnet });
    const withProxy = scenario.client.via === 'haproxy';
    // Throwaway preflight nodes get addresses too, fixed now so that a TLS certificate names them.
    const names = [...mode.nodeNames(), ...(withProxy ? [HAPROXY_NODE] : []), ...SCRATCH_NAMES];
    const addresses = new Map(names.map((name, i) => [name, addressInSubnet(network.subnet, i + 2)]));
    if (scenario.topology.tls?.enabled) {
      this.tls = await makeDrillCertificates(runId, ['127.0.0.1', ...addresses.values()], ['localhost', ...addresses.keys()]);
      journal.append('topology.tls', { clientAuth: scenario.topology.tls.clientAuth });
    }
    // Until the first node runs, the client path is unknown; it is chosen once the primary answers.
    const provisional = new ClientAccess('published', 'not chosen yet', credentials, this.tls ? clientTlsOptions(this.tls) : undefined);
    const dep = new Deployment({
      runId,
      runtime: this.runtime,
      mode,
      access: provisional,
      journal,
      clientSource: network.gateway,
      credentials,
      teardown: async () => {
        await this.scratchNodes?.settled(); // a warm-up still creating containers would leave one behind
        await removeRun(runId, [...dep.nodes.map((n) => n.id), ...(this.scratchNodes?.ids ?? [])]);
        await removeDrillCertificates(this.tls);
      },
    });
    this.deployment = dep;

    const config: ConfigInput = { topology: scenario.topology, credentials, tls: Boolean(this.tls), enableDebugCommand: this.opts.enableDebugCommand };
    const profile = profileFor(scenario.topology.server);
    const sentinelProfile = sentinelProfileFor(scenario.topology.server);
    this.scratchNodes = new DockerScratchNodes({
      runId,
      network: network.name,
      addresses,
      config,
      profile,
      runtime: this.runtime,
      deployment: () => this.deployment,
      spec: (launch) => this.launchSpec(launch, this.image),
    });
    const plans = mode.plan(addresses);
    // The preflight's throwaways are created with the rest (started later, while the topology converges).
    const scratchCreated = this.opts.warmScratch ? this.scratchNodes.prepare() : Promise.resolve();
    // Create in parallel (recorded at once, so teardown finds even a node whose start failed), start in order.
    const created = await Promise.allSettled(
      plans.map(async (plan) => {
        const launch: NodeLaunch =
          plan.kind === 'data' ? profile.dataNode(config, { replicaOf: plan.replicaOf ?? null, modeLines: plan.configLines }) : sentinelProfile.sentinel!(config, plan.configLines);
        const c = await createContainer(runId, network.name, {
          ...this.launchSpec(launch, plan.kind === 'data' ? this.image : this.sentinelImage),
          name: `${network.name}-${plan.name}`,
          node: plan.name,
          ip: addresses.get(plan.name)!,
          port: plan.port,
        });
        const node: Node = { name: plan.name, kind: plan.kind, shard: plan.shard, id: c.id, runtimeName: c.name, ip: addresses.get(plan.name)!, port: plan.port, hostPort: c.hostPort, owned: true };
        dep.nodes.push(node);
        return node;
      }),
    );
    await scratchCreated.catch(() => {}); // a failure there surfaces at the preflight
    const failed = created.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
    // The canonical order (the mode's) that reports, the journal and the ledger's node index rely on.
    dep.nodes.sort((a, b) => names.indexOf(a.name) - names.indexOf(b.name));
    for (const node of dep.nodes) {
      await startContainer(node.id);
      const state = await this.runtime.inspect(node);
      if (!state.ip) throw new InfrastructureError(`container ${node.runtimeName} started without an address`);
      journal.append('topology.container', { node: node.name, kind: node.kind, ip: node.ip, hostPort: node.hostPort });
    }
    const path = await chooseClientPath(dep.nodes[0]);
    dep.access = new ClientAccess(path.path, path.reason, credentials, provisional.tls);
    await waitHealthy(dep, dep.dataNodes, profile.healthCheck, signal, timeoutMs);
    // Every drill node has started: the throwaways may start now, while the topology converges.
    if (this.opts.warmScratch) this.scratchNodes.warm();
    await mode.join(dep, signal, timeoutMs);
    await mode.awaitReady(dep, signal, timeoutMs);
    if (withProxy) {
      await this.scratchNodes.settled(); // one container start at a time
      await this.startHaproxy(dep, network.name, addresses.get(HAPROXY_NODE)!, signal, timeoutMs);
    }
    dep.record();
    return dep;
  }

  /** HAProxy in front of the data nodes, once they are ready; ready itself when it sends clients to the primary only. */
  private async startHaproxy(dep: Deployment, network: string, ip: string, signal: AbortSignal, timeoutMs: number): Promise<void> {
    const { scenario, journal, credentials } = this.opts;
    const settings = scenario.client.haproxy ?? { backend: 'role' as const, check: { interval: 2000, fall: 3, rise: 2 }, config: undefined };
    const plan = settings.config
      ? fileConfig(readFileSync(scenarioRelative(this.opts.scenarioFile ?? '.', settings.config), 'utf8'), dep.dataNodes)
      : settings.backend === 'docs'
        ? docsConfig(dep.dataNodes[0], settings.check, credentials)
        : roleConfig(dep.dataNodes, settings.check, credentials);
    const c = await createContainer(this.opts.runId, network, {
      name: `${network}-${HAPROXY_NODE}`,
      image: this.haproxyImage,
      cmd: ['haproxy', '-f', `${HAPROXY_CONFIG_DIR}/haproxy.cfg`],
      node: HAPROXY_NODE,
      ip,
      port: HAPROXY_PORT,
      files: { 'haproxy.cfg': plan.config },
      filesDir: HAPROXY_CONFIG_DIR,
    });
    const node: Node = { name: HAPROXY_NODE, kind: 'proxy', shard: null, id: c.id, runtimeName: c.name, ip, port: HAPROXY_PORT, hostPort: c.hostPort, owned: true };
    dep.nodes.push(node);
    await startContainer(node.id);
    journal.append('topology.container', { node: node.name, kind: node.kind, ip, hostPort: node.hostPort });
    journal.append('haproxy.config', { node: node.name, backend: plan.backend, servers: plan.servers, check: plan.check });
    await waitForHaproxy(dep, node, signal, timeoutMs);
  }

  /** A container spec's image, command, files (TLS material beside the config) from a profile's launch. */
  private launchSpec(launch: NodeLaunch, image: string): { image: string; cmd: string[]; entrypoint?: string[]; files: Record<string, string>; filesDir: string } {
    // TLS material always sits in /data/tls (TLS_DIR_IN_CONTAINER), which the config names.
    const files = { ...launch.files, ...(this.tls && launch.filesDir === '/data' ? tlsFiles(this.tls) : {}) };
    return { image, cmd: launch.cmd, ...(launch.entrypoint ? { entrypoint: launch.entrypoint } : {}), files, filesDir: launch.filesDir };
  }

  /** Throwaway nodes for the preflight, once the network exists. */
  get scratch(): ScratchNodes | undefined {
    return this.scratchNodes;
  }

  async tearDown(): Promise<void> {
    if (this.deployment) await this.deployment.down();
    else await removeRun(this.opts.runId, []);
  }
}
