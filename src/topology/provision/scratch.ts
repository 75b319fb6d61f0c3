/**
 * Throwaway data nodes for the preflight (see ScratchNodes): containers of the drill's image with the
 * drill's data-node config, standalone (no replicaof, no HA mode lines), on the run's network at
 * addresses reserved at bring-up, labelled with the run (teardown and `clean` find them). They can be
 * warmed while the topology converges, so the preflight does not wait for Docker to start them.
 */
import type { Deployment } from '../deployment.ts';
import type { Node } from '../node.ts';
import type { NodeRuntime } from '../runtime/types.ts';
import type { ScratchNodes } from './provisioner.ts';
import type { ServerProfile } from '../profiles/index.ts';
import { REDIS_PORT, type ConfigInput, type Directive } from '../serverConfig.ts';
import type { ContainerSpec } from '../runtime/docker/create.ts';
import { createContainer, startContainer } from '../runtime/docker/create.ts';
import { waitHealthy } from '../health.ts';

/** Names (and reserved addresses) of the throwaway nodes. */
export const SCRATCH_NAMES = ['preflight-1', 'preflight-2'];
/** The throwaway primary's own setting, not under test: Redis would wait 5 s before a replica's first sync. */
const SCRATCH_OVERRIDES: Directive[] = [['repl-diskless-sync-delay', 0]];

export interface ScratchSetup {
  runId: string;
  network: string;
  addresses: Map<string, string>;
  config: ConfigInput;
  profile: ServerProfile;
  runtime: NodeRuntime;
  deployment: () => Deployment | undefined;
  /** The container spec's image, command and files for a profile's launch. */
  spec: (launch: ReturnType<ServerProfile['dataNode']>) => Omit<ContainerSpec, 'name' | 'node' | 'ip' | 'port'>;
}

export class DockerScratchNodes implements ScratchNodes {
  private readonly free: { name: string; ip: string }[];
  /** Every container made, for teardown. */
  readonly ids: string[] = [];
  private warmed: Promise<Node[]> | undefined;

  constructor(private readonly setup: ScratchSetup) {
    this.free = SCRATCH_NAMES.map((name) => ({ name, ip: setup.addresses.get(name)! }));
  }

  private created: Promise<Node[]> | undefined;

  /** Creates (not starts) all of them, alongside the drill's own containers. */
  prepare(): Promise<void> {
    this.created ??= this.create(this.free.length);
    return this.created.then(() => undefined);
  }

  /** Starts them in the background (while the topology converges); `start` hands them out. */
  warm(): void {
    const created = this.created ?? this.create(this.free.length);
    this.created = undefined;
    this.warmed ??= created.then(async (nodes) => {
      for (const n of nodes) await startContainer(n.id);
      return nodes;
    });
    this.warmed.catch(() => {}); // surfaced by start()
  }

  /** Until a warm-up has finished (so no other container starts at the same time: see create.ts). */
  async settled(): Promise<void> {
    await this.created?.catch(() => {});
    await this.warmed?.catch(() => {});
  }

  async start(count: number, signal: AbortSignal): Promise<Node[]> {
    const warmed = this.warmed;
    this.warmed = undefined;
    const nodes = warmed ? await warmed : await this.make(count);
    const dep = this.setup.deployment();
    if (!dep) throw new Error('scratch nodes need a deployment that is up');
    await waitHealthy(dep, nodes, this.setup.profile.healthCheck, signal, 30_000);
    return nodes.slice(0, count);
  }

  async remove(nodes: Node[]): Promise<void> {
    await Promise.all(nodes.map((n) => this.setup.runtime.remove(n).catch(() => {})));
    // Their names and addresses serve the next preflight (a repeat on the same topology).
    for (const n of nodes) this.free.push({ name: n.name, ip: n.ip });
  }

  /** Creates and starts them, the starts one after another (Docker 20.10 miscounts endpoints of concurrent starts). */
  private async make(count: number): Promise<Node[]> {
    const nodes = await this.create(count);
    for (const n of nodes) await startContainer(n.id);
    return nodes;
  }

  /** Creates them (in parallel: creating is not what Docker 20.10 miscounts). */
  private async create(count: number): Promise<Node[]> {
    if (count > this.free.length) throw new Error(`at most ${SCRATCH_NAMES.length} scratch nodes at a time`);
    const { runId, network, config, profile } = this.setup;
    return Promise.all(
      this.free.splice(0, count).map(async ({ name, ip }) => {
        const launch = profile.dataNode(config, { replicaOf: null, modeLines: [], overrides: SCRATCH_OVERRIDES });
        const c = await createContainer(runId, network, { ...this.setup.spec(launch), name: `${network}-${name}`, node: name, ip, port: REDIS_PORT });
        this.ids.push(c.id);
        return { name, kind: 'data' as const, shard: null, id: c.id, runtimeName: c.name, ip, port: REDIS_PORT, hostPort: c.hostPort, owned: true };
      }),
    );
  }
}
