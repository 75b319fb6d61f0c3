/**
 * Network faults run from a helper container that shares the target's network namespace (the Pumba
 * way), so server images stay untouched: iptables and tc run there with NET_ADMIN. One long-lived
 * helper per target incarnation (a restarted container gets a new namespace, and a new helper).
 */
import { docker, demuxDockerStream, runLabels, LABEL_NODE } from './client.ts';
import { NETTOOLS_IMAGE } from './images.ts';
import type { Node } from '../../node.ts';
import type { ExecResult } from '../types.ts';
import { InfrastructureError } from '../../../util/errors.ts';
import { withTimeout } from '../../../util/time.ts';

interface Helper {
  id: string;
  /** The target's start time when the helper joined its namespace. */
  targetStartedAt: string;
  shell: Shell;
}

/**
 * A shell kept open in the helper: commands go to its stdin and each ends with a marker line carrying
 * the exit code. A fault then lands in a few milliseconds instead of the ~100 ms a `docker exec` costs,
 * which matters when a partition must hit six nodes at once or flap every second.
 */
class Shell {
  private buffer = Buffer.alloc(0);
  private text = '';
  private seq = 0;
  private queue: Promise<unknown> = Promise.resolve();
  private waiting: { marker: string; resolve: (r: ExecResult) => void } | undefined;

  constructor(private readonly stream: NodeJS.ReadWriteStream) {
    stream.on('data', (chunk: Buffer) => this.onData(chunk));
  }

  run(script: string): Promise<ExecResult> {
    const next = this.queue.then(
      () =>
        new Promise<ExecResult>((resolve) => {
          const marker = `__FD_DONE_${++this.seq}__`;
          this.waiting = { marker, resolve };
          this.stream.write(`{ ${script}\n} 2>&1; echo "${marker} $?"\n`);
        }),
    );
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** Docker frames stdout/stderr (8-byte headers); collect the payload and look for the marker. */
  private onData(chunk: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    while (this.buffer.length >= 8) {
      const size = this.buffer.readUInt32BE(4);
      if (this.buffer.length < 8 + size) break;
      this.text += this.buffer.subarray(8, 8 + size).toString('utf8');
      this.buffer = this.buffer.subarray(8 + size);
    }
    const w = this.waiting;
    if (!w) return;
    const match = new RegExp(`${w.marker} (\\d+)\\n`).exec(this.text);
    if (!match) return;
    const output = this.text.slice(0, match.index).trim();
    this.text = this.text.slice(match.index + match[0].length);
    this.waiting = undefined;
    w.resolve({ exitCode: Number(match[1]), output });
  }

  close(): void {
    this.stream.end();
  }
}

/** The helpers of one run: created on demand, one per node incarnation, all labelled with the run id. */
export class NetnsHelpers {
  private helpers = new Map<string, Helper>();
  /** Every helper container ever started (also replaced ones), for removal. */
  readonly containers = new Set<string>();

  constructor(private readonly runId: string) {}

  async exec(node: Node, script: string): Promise<ExecResult> {
    const helper = await this.helperFor(node);
    return withTimeout(`"${script}" in ${node.name}'s network namespace`, helper.shell.run(script), 15_000);
  }

  async prepare(nodes: Node[]): Promise<void> {
    await Promise.all(nodes.map((n) => this.helperFor(n)));
  }

  /**
   * Sweeps this run's chains out of every namespace a helper is in (a heal that failed would leave its
   * chain in an attached user's container, which nothing else removes), closes the shells and removes
   * the helper containers (never the targets).
   */
  async removeAll(): Promise<void> {
    const sweep = sweepChainsScript(this.runId);
    await Promise.all([...this.helpers.values()].map((h) => withTimeout('the chain sweep', h.shell.run(sweep), 5000).catch(() => undefined)));
    for (const h of this.helpers.values()) h.shell.close();
    this.helpers.clear();
    await Promise.all([...this.containers].map((id) => docker().getContainer(id).remove({ force: true }).catch(() => {})));
    this.containers.clear();
  }

  private async helperFor(node: Node): Promise<Helper> {
    const target = await docker().getContainer(node.id).inspect();
    if (!target.State.Running) throw new InfrastructureError(`cannot reach ${node.name}'s network: its container is not running`);
    const existing = this.helpers.get(node.name);
    if (existing && existing.targetStartedAt === target.State.StartedAt) return existing;
    if (existing) {
      existing.shell.close();
      await docker().getContainer(existing.id).remove({ force: true }).catch(() => {});
      this.containers.delete(existing.id);
    }
    const container = await docker().createContainer({
      name: `${node.runtimeName}-fd${this.runId}-nettools-${Date.now().toString(36)}`,
      Image: NETTOOLS_IMAGE,
      Cmd: ['sleep', 'infinity'],
      Labels: runLabels(this.runId, { [LABEL_NODE]: `nettools:${node.name}` }),
      HostConfig: { NetworkMode: `container:${node.id}`, CapAdd: ['NET_ADMIN'], AutoRemove: false },
    });
    this.containers.add(container.id);
    await container.start();
    const exec = await container.exec({ Cmd: ['sh'], AttachStdin: true, AttachStdout: true, AttachStderr: true });
    const stream = (await exec.start({ hijack: true, stdin: true })) as unknown as NodeJS.ReadWriteStream;
    const helper = { id: container.id, targetStartedAt: target.State.StartedAt, shell: new Shell(stream) };
    this.helpers.set(node.name, helper);
    return helper;
  }
}

/**
 * Whether this kernel has sch_netem, probed in a throwaway helper's own namespace (nothing on the host
 * is touched). Returns null when netem works, or the reason it does not.
 */
export async function probeNetem(runId: string): Promise<string | null> {
  const container = await docker().createContainer({
    Image: NETTOOLS_IMAGE,
    Cmd: ['sh', '-c', 'tc qdisc add dev lo root netem delay 1ms 2>&1; echo "exit=$?"'],
    Labels: runLabels(runId, { [LABEL_NODE]: 'netem-probe' }),
    HostConfig: { NetworkMode: 'none', CapAdd: ['NET_ADMIN'] },
  });
  try {
    await container.start();
    await container.wait();
    const logs = demuxDockerStream((await container.logs({ stdout: true, stderr: true })) as unknown as Buffer);
    return logs.includes('exit=0') ? null : logs.replace(/exit=\d+/, '').trim() || 'tc netem failed';
  } finally {
    await container.remove({ force: true }).catch(() => {});
  }
}

/**
 * The shell script that removes every iptables chain of one run (FD-<run>-<n>, see faults/iptables.ts)
 * from the namespace it runs in, with the jumps to them. Written for dash (the helper image has no grep).
 */
export function sweepChainsScript(runId: string): string {
  const list = `iptables -w -S | while read op chain rest; do [ "$op" = -N ] && case "$chain" in FD-${runId}-*) echo "$chain";; esac; done`;
  return `for c in $(${list}); do iptables -w -D INPUT -j "$c" 2>/dev/null; iptables -w -D OUTPUT -j "$c" 2>/dev/null; iptables -w -F "$c"; iptables -w -X "$c"; done; true`;
}

/** Runs the sweep in a (running) helper container, which shares its target's namespace. */
export async function sweepRunChains(helperId: string, runId: string): Promise<void> {
  if (!/^[0-9a-f]+$/.test(runId)) return; // not a run id: nothing of ours to match
  const exec = await docker().getContainer(helperId).exec({ Cmd: ['sh', '-c', sweepChainsScript(runId)], AttachStdout: true, AttachStderr: true });
  const stream = (await exec.start({})) as unknown as NodeJS.ReadableStream;
  await withTimeout('the chain sweep in a fault helper', new Promise<void>((resolve) => {
    stream.on('end', resolve);
    stream.on('error', () => resolve());
    stream.resume();
  }), 10_000);
}

/** The sweep from a throwaway helper in a container's namespace (when no helper of the run is left there). */
export async function sweepNamespace(containerId: string, runId: string): Promise<void> {
  if (!/^[0-9a-f]+$/.test(runId)) return;
  const helper = await docker().createContainer({
    Image: NETTOOLS_IMAGE,
    Cmd: ['sh', '-c', sweepChainsScript(runId)],
    Labels: runLabels(runId, { [LABEL_NODE]: 'nettools:sweep' }),
    HostConfig: { NetworkMode: `container:${containerId}`, CapAdd: ['NET_ADMIN'] },
  });
  try {
    await helper.start();
    await withTimeout('the chain sweep', helper.wait(), 15_000);
  } finally {
    await helper.remove({ force: true }).catch(() => {});
  }
}
