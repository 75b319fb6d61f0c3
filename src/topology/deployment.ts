/**
 * The deployment under test, as the engine, faults and observers see it: its nodes, the runtime that
 * acts on them, the HA mode, how clients reach them, and admin connections. It knows nothing of
 * Docker or Sentinel itself; a provisioner builds it (create or attach) and says how it is torn down.
 */
import type { Journal } from '../record/journal.ts';
import { nodeRef, type Node } from './node.ts';
import type { NodeRuntime } from './runtime/types.ts';
import type { FailoverMode } from './modes/mode.ts';
import type { ClientAccess } from './access.ts';
import { AdminClients } from './admin.ts';
import { redact, type Credentials } from './secrets.ts';
import { InfrastructureError } from '../util/errors.ts';

export interface DeploymentOptions {
  runId: string;
  runtime: NodeRuntime;
  mode: FailoverMode;
  access: ClientAccess;
  journal: Journal;
  /** The address the harness's own connections come from, as the nodes see it (a partition's "client"). */
  clientSource: string;
  /** Removes what the provisioner created (for attach: nothing of the user's). */
  teardown: () => Promise<void>;
  credentials?: Credentials;
  /** Availability zones: zone name -> node names (topology.zones). */
  zones?: Record<string, string[]>;
}

export class Deployment {
  readonly nodes: Node[] = [];
  readonly admin = new AdminClients();
  readonly runId: string;
  readonly runtime: NodeRuntime;
  readonly mode: FailoverMode;
  /** How clients reach the nodes; chosen once the first node runs (see access.ts). */
  access: ClientAccess;
  readonly clientSource: string;
  readonly credentials?: Credentials;
  readonly zones: Record<string, string[]>;
  private journal: Journal;
  private readonly teardown: () => Promise<void>;
  private tornDown = false;

  constructor(opts: DeploymentOptions) {
    this.runId = opts.runId;
    this.runtime = opts.runtime;
    this.mode = opts.mode;
    this.access = opts.access;
    this.clientSource = opts.clientSource;
    this.credentials = opts.credentials;
    this.zones = opts.zones ?? {};
    this.journal = opts.journal;
    this.teardown = opts.teardown;
  }

  get dataNodes(): Node[] {
    return this.nodes.filter((n) => n.kind === 'data');
  }

  get sentinels(): Node[] {
    return this.nodes.filter((n) => n.kind === 'sentinel');
  }

  /** The proxy between the clients and the servers (HAProxy), when the scenario puts one there. */
  get proxy(): Node | undefined {
    return this.nodes.find((n) => n.kind === 'proxy');
  }

  /**
   * The data node whose server has this run_id (INFO server): how a connection through a proxy learns
   * which server it reached. Asked afresh on a miss, since a restarted server has a new run_id.
   */
  async nodeByRunId(runId: string): Promise<Node | undefined> {
    const cached = this.runIds.get(runId);
    if (cached) return cached;
    await Promise.all(
      (await this.runningNodes(this.dataNodes)).map(async (n) => {
        try {
          const id = /run_id:(\w+)/.exec(String(await this.command(n, 'INFO', 'server')))?.[1];
          if (id) this.runIds.set(id, n);
        } catch {
          // unreachable: not it, for now
        }
      }),
    );
    return this.runIds.get(runId);
  }
  private readonly runIds = new Map<string, Node>();

  node(name: string): Node {
    const node = this.nodes.find((n) => n.name === name);
    if (!node) throw new Error(`no node named ${name}`);
    return node;
  }

  /** The node at an address on the deployment's network. */
  nodeAt(ip: string, port: number): Node | undefined {
    return this.nodes.find((n) => n.ip === ip && n.port === port);
  }

  indexOf(node: Node | undefined): number {
    return node ? this.nodes.indexOf(node) : -1;
  }

  command(node: Node, command: string, ...args: (string | number)[]): Promise<unknown> {
    return this.admin.call(this.access.endpoint(node), command, ...args);
  }

  async isRunning(node: Node): Promise<boolean> {
    try {
      const s = await this.runtime.inspect(node);
      return s.running && !s.paused;
    } catch {
      return false;
    }
  }

  /** The nodes (of those given) that run and are not frozen, asked in parallel. */
  async runningNodes(nodes: Node[]): Promise<Node[]> {
    const flags = await Promise.all(nodes.map((n) => this.isRunning(n)));
    return nodes.filter((_, i) => flags[i]);
  }

  /** Throws an infrastructure error when a node that should be running is not. */
  async assertRunning(node: Node): Promise<void> {
    const state = await this.runtime.inspect(node);
    if (!state.running) {
      const logs = await this.runtime.logs(node).catch(() => '');
      throw new InfrastructureError(
        `${node.runtimeName} is not running (exit code ${state.exitCode}); last log lines:\n${logs.trim().split('\n').slice(-5).join('\n')}`,
      );
    }
  }

  /**
   * Re-reads a node's address after it was started again (the runtime may hand out another), and says
   * whether it changed.
   */
  async refresh(node: Node): Promise<boolean> {
    const ip = (await this.runtime.inspect(node)).ip;
    if (!ip || ip === node.ip) return false;
    this.journal.append('topology.address-changed', { node: node.name, from: node.ip, to: ip });
    node.ip = ip;
    this.access.natMap(this.nodes);
    return true;
  }

  /** Repeats: a deployment kept for the next run records into that run's journal from now on. */
  useJournal(journal: Journal): void {
    this.journal = journal;
  }

  /** Records the deployment as it stands (the reference for analysis). */
  record(): void {
    const zones = Object.keys(this.zones).length > 0 ? { zones: this.zones } : {};
    this.journal.append('topology.nodes', { mode: this.mode.name, nodes: this.nodes.map(nodeRef), ...zones, ...this.mode.describe(this) });
  }

  /**
   * Every node's log, with secrets scrubbed; a node whose log cannot be read is left out. `since`: only
   * what was logged from then on (a deployment reused by repeated runs holds every earlier run's lines).
   */
  async collectLogs(since?: Date): Promise<Record<string, string>> {
    const out: Record<string, string> = {};
    await Promise.all(
      this.nodes.map(async (node) => {
        try {
          out[node.name] = redact(await this.runtime.logs(node, since), this.credentials);
        } catch {
          // a node that never got created has no log; teardown still proceeds
        }
      }),
    );
    return out;
  }

  /** Closes connections, removes the runtime's helpers and what the provisioner created. Safe to call twice. */
  async down(): Promise<void> {
    if (this.tornDown) return;
    this.tornDown = true;
    this.admin.closeAll();
    await this.runtime.removeHelpers();
    await this.teardown();
  }
}
