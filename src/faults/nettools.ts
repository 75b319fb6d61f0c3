/**
 * Network faults run from a helper container that shares the target's network namespace (the Pumba
 * way), so server images stay untouched: iptables and tc run there with NET_ADMIN. One long-lived
 * helper per target incarnation (a restarted container gets a new namespace, and a new helper).
 */
import { docker, demuxDockerStream, drain, runLabels, LABEL_NODE } from '../topology/docker.ts';
import { NETTOOLS_IMAGE } from '../topology/images.ts';
import type { NodeInfo, Topology } from '../topology/topology.ts';
import { InfrastructureError } from '../util/errors.ts';

export interface ExecResult {
  exitCode: number;
  output: string;
}

interface Helper {
  id: string;
  /** The target's start time when the helper joined its namespace. */
  targetStartedAt: string;
}

export class NetTools {
  private helpers = new Map<string, Helper>();

  constructor(private readonly topology: Topology) {}

  /** Starts helpers for these nodes ahead of time, so the first network fault lands without delay. */
  async prepare(nodes: NodeInfo[]): Promise<void> {
    await Promise.all(nodes.map((n) => this.helperFor(n)));
  }

  /** Runs a shell script in the node's network namespace; returns exit code and output. */
  async exec(node: NodeInfo, script: string): Promise<ExecResult> {
    const helper = await this.helperFor(node);
    const exec = await docker().getContainer(helper.id).exec({ Cmd: ['sh', '-c', script], AttachStdout: true, AttachStderr: true });
    const stream = await exec.start({ hijack: true, stdin: false });
    const output = demuxDockerStream(await drain(stream));
    const info = await exec.inspect();
    return { exitCode: info.ExitCode ?? -1, output: output.trim() };
  }

  /** Like exec, but a non-zero exit is an infrastructure error naming the node and the output. */
  async run(node: NodeInfo, script: string): Promise<string> {
    const r = await this.exec(node, script);
    if (r.exitCode !== 0) throw new InfrastructureError(`in ${node.name}'s network namespace, "${script}" failed (${r.exitCode}): ${r.output}`);
    return r.output;
  }

  private async helperFor(node: NodeInfo): Promise<Helper> {
    const target = await this.topology.container(node).inspect();
    if (!target.State.Running) throw new InfrastructureError(`cannot reach ${node.name}'s network: its container is not running`);
    const existing = this.helpers.get(node.name);
    if (existing && existing.targetStartedAt === target.State.StartedAt) return existing;
    if (existing) {
      await docker().getContainer(existing.id).remove({ force: true }).catch(() => {});
      this.topology.extraContainers.delete(existing.id);
    }
    const container = await docker().createContainer({
      name: `${node.containerName}-nettools-${Date.now().toString(36)}`,
      Image: NETTOOLS_IMAGE,
      Cmd: ['sleep', 'infinity'],
      Labels: runLabels(this.topology.runId, { [LABEL_NODE]: `nettools:${node.name}` }),
      HostConfig: { NetworkMode: `container:${node.containerId}`, CapAdd: ['NET_ADMIN'], AutoRemove: false },
    });
    this.topology.extraContainers.add(container.id);
    await container.start();
    const helper = { id: container.id, targetStartedAt: target.State.StartedAt };
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
