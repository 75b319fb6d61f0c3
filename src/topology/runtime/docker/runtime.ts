/**
 * The Docker implementation of NodeRuntime: containers are nodes. Only nodes the harness created are
 * ever removed; attached (user-owned) containers are signalled, paused or restarted by a fault and
 * healed, nothing more.
 */
import type Docker from 'dockerode';
import type { Node } from '../../node.ts';
import type { DeathWatch, ExecResult, NodeRuntime, NodeState } from '../types.ts';
import { docker, drain, demuxDockerStream, LABEL_NODE, LABEL_RUN } from './client.ts';
import { NetnsHelpers, probeNetem } from './netns.ts';
import tar from 'tar-stream';

export class DockerRuntime implements NodeRuntime {
  readonly kind = 'docker';
  readonly displayName = 'Docker';
  private readonly helpers: NetnsHelpers;
  /** Attached runs: container id -> node name, since user containers carry no harness label. */
  private readonly watched = new Map<string, string>();

  /**
   * `network`: the one network whose addresses count (an attached user's container may sit on several;
   * its address there is what the sentinels report). Unset: the container's only network (a run's own).
   */
  constructor(
    readonly runId: string,
    private readonly network?: string,
  ) {
    this.helpers = new NetnsHelpers(runId);
  }

  private container(node: Node): Docker.Container {
    return docker().getContainer(node.id);
  }

  /** Watch these (user-owned) containers for deaths too. */
  watchNodes(nodes: Node[]): void {
    for (const n of nodes) this.watched.set(n.id, n.name);
  }

  async inspect(node: Node): Promise<NodeState> {
    const info = await this.container(node).inspect();
    const all = info.NetworkSettings.Networks ?? {};
    const networks = this.network ? [all[this.network]].filter((n) => n) : Object.values(all);
    const ip = networks.map((n) => n.IPAddress).find((a) => a) ?? null;
    return { running: info.State.Running, paused: info.State.Paused, startedAt: info.State.StartedAt, exitCode: info.State.ExitCode ?? null, oomKilled: info.State.OOMKilled === true, ip };
  }

  /** The node's address on a given network (a container may be on several). */
  async addressOn(node: Node, network: string): Promise<string | null> {
    const info = await this.container(node).inspect();
    return info.NetworkSettings.Networks?.[network]?.IPAddress || null;
  }

  async signal(node: Node, signal: string): Promise<void> {
    await this.container(node).kill({ signal });
  }

  async start(node: Node): Promise<void> {
    await this.container(node).start();
  }

  async stop(node: Node, graceSeconds: number): Promise<void> {
    await this.container(node).stop({ t: graceSeconds });
  }

  async restart(node: Node, graceSeconds: number): Promise<void> {
    await this.container(node).restart({ t: graceSeconds });
  }

  async pause(node: Node): Promise<void> {
    await this.container(node).pause();
  }

  async unpause(node: Node): Promise<void> {
    await this.container(node).unpause();
  }

  async logs(node: Node, since?: Date): Promise<string> {
    // Docker takes "seconds.fraction" (its typings say number): milliseconds, written exactly.
    const ms = since?.getTime();
    const from = ms === undefined ? {} : { since: `${Math.floor(ms / 1000)}.${String(ms % 1000).padStart(3, '0')}` as unknown as number };
    const raw = await this.container(node).logs({ stdout: true, stderr: true, follow: false, timestamps: false, ...from });
    return demuxDockerStream(Buffer.isBuffer(raw) ? raw : await drain(raw as NodeJS.ReadableStream));
  }

  /**
   * Docker's event stream for this run's containers (by label) and for attached ones (by id). A
   * vanished engine ends the stream: that is `onGone`.
   */
  async watchDeaths(onDeath: (nodeName: string, action: string, exitCode: string | undefined) => void, onGone: (reason: string) => void): Promise<DeathWatch> {
    let stopped = false;
    const filters = { type: ['container' as const], event: ['die', 'oom'] };
    const stream = (await docker().getEvents({ filters })) as unknown as NodeJS.ReadableStream;
    let buffered = '';
    stream.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      let nl: number;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        if (!line.trim() || stopped) continue;
        const event = JSON.parse(line) as { id?: string; Action?: string; Actor?: { ID?: string; Attributes?: Record<string, string> } };
        const attrs = event.Actor?.Attributes ?? {};
        const id = event.Actor?.ID ?? event.id ?? '';
        const ours = attrs[LABEL_RUN] === this.runId;
        const name = ours ? (attrs[LABEL_NODE] ?? attrs.name ?? '?') : this.watched.get(id);
        if (name === undefined) continue; // another run's or an unrelated container
        if (name.startsWith('nettools:') || name === 'netem-probe') continue; // our own helpers come and go
        onDeath(name, event.Action ?? 'die', attrs.exitCode);
      }
    });
    const gone = (why: string) => {
      if (!stopped) onGone(why);
    };
    stream.on('error', (err: Error) => gone(err.message));
    stream.on('end', () => gone('event stream closed'));
    return {
      stop: () => {
        stopped = true;
        (stream as unknown as { destroy?: () => void }).destroy?.();
      },
    };
  }

  netExec(node: Node, script: string): Promise<ExecResult> {
    return this.helpers.exec(node, script);
  }

  prepareNet(nodes: Node[]): Promise<void> {
    return this.helpers.prepare(nodes);
  }

  probeNetem(): Promise<string | null> {
    return probeNetem(this.runId);
  }

  removeHelpers(): Promise<void> {
    return this.helpers.removeAll();
  }

  async readFiles(node: Node, dir: string): Promise<Map<string, Buffer>> {
    const archive = (await this.container(node).getArchive({ path: dir })) as unknown as NodeJS.ReadableStream;
    const files = new Map<string, Buffer>();
    const extract = tar.extract();
    const base = dir.replace(/\/+$/, '').split('/').pop() ?? '';
    await new Promise<void>((resolve, reject) => {
      extract.on('entry', (header, stream, next) => {
        const chunks: Buffer[] = [];
        stream.on('data', (c: unknown) => chunks.push(c as Buffer));
        stream.on('end', () => {
          // Docker names entries after the directory itself: "appendonlydir/appendonly.aof.1.incr.aof".
          if (header.type === 'file') files.set(header.name.startsWith(`${base}/`) ? header.name.slice(base.length + 1) : header.name, Buffer.concat(chunks));
          next();
        });
        stream.resume();
      });
      extract.on('finish', resolve);
      extract.on('error', reject);
      archive.on('error', reject);
      archive.pipe(extract);
    });
    return files;
  }

  async writeFile(node: Node, dir: string, name: string, content: Buffer): Promise<void> {
    const pack = tar.pack();
    pack.entry({ name, mode: 0o644 }, content);
    pack.finalize();
    await this.container(node).putArchive(pack as unknown as NodeJS.ReadableStream, { path: dir });
  }

  async remove(node: Node): Promise<void> {
    if (!node.owned) throw new Error(`refusing to remove ${node.runtimeName}: the harness did not create it`);
    await this.container(node).remove({ force: true, v: true }).catch(ignoreMissing);
  }
}

export function ignoreMissing(err: { statusCode?: number }): void {
  if (err?.statusCode === 404) return;
  throw err;
}
