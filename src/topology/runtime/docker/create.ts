/**
 * What only the create provisioner needs from Docker: the run's private bridge network with a subnet
 * Docker picked, and containers with fixed addresses, files, labels and a port published on 127.0.0.1.
 */
import tar from 'tar-stream';
import { createServer, type AddressInfo } from 'node:net';
import { docker, removeNetwork, runLabels, LABEL_NODE, LABEL_RUN } from './client.ts';
import { ignoreMissing } from './runtime.ts';
import { InfrastructureError } from '../../../util/errors.ts';

export interface ContainerSpec {
  name: string;
  image: string;
  cmd: string[];
  /** Replaces the image's entrypoint; absent: the image's own runs `cmd`. */
  entrypoint?: string[];
  /** Node name (label). */
  node: string;
  ip: string;
  port: number;
  /** Files put into /data (or `filesDir`) before the start (configs, TLS material). */
  files: Record<string, string>;
  filesDir?: string;
  /** Extra host settings a fault or a profile needs (memory limit, tmpfs mounts). */
  host?: { memoryBytes?: number; tmpfs?: Record<string, string> };
}

export interface CreatedContainer {
  id: string;
  name: string;
}

/**
 * Creates the run's network with a subnet Docker itself picked (so it never collides with the host's
 * or other runs' networks), declared explicitly so containers can have fixed addresses: Docker only
 * allows fixed addresses on networks whose subnet was given at creation.
 */
export async function createRunNetwork(runId: string): Promise<{ name: string; subnet: string; gateway: string }> {
  const name = `fd-${runId}`;
  const labels = runLabels(runId);
  let lastError: unknown;
  for (let attempt = 0; attempt < 5; attempt++) {
    const probe = await docker().createNetwork({ Name: name, Driver: 'bridge', CheckDuplicate: true, Labels: labels });
    const info = await probe.inspect();
    const { Subnet: subnet, Gateway: gateway } = info.IPAM?.Config?.[0] ?? {};
    await probe.remove();
    if (!subnet || !gateway) throw new InfrastructureError(`Docker gave network ${name} no IPv4 subnet`);
    try {
      await docker().createNetwork({
        Name: name,
        Driver: 'bridge',
        CheckDuplicate: true,
        Labels: labels,
        IPAM: { Driver: 'default', Config: [{ Subnet: subnet, Gateway: gateway }] },
      });
      return { name, subnet, gateway };
    } catch (err) {
      lastError = err; // another run took the subnet in between: ask Docker again
    }
  }
  throw new InfrastructureError(`could not create network ${name}: ${(lastError as Error)?.message}`);
}

/** The n-th address of an IPv4 subnet ("172.22.0.0/16", 2 -> "172.22.0.2"). */
export function addressInSubnet(subnet: string, n: number): string {
  const [base, bits] = subnet.split('/');
  const int = base.split('.').reduce((acc, o) => acc * 256 + Number(o), 0);
  if (n >= 2 ** (32 - Number(bits)) - 1) throw new InfrastructureError(`subnet ${subnet} is too small for ${n} nodes`);
  const v = int + n;
  return [24, 16, 8, 0].map((shift) => Math.floor(v / 2 ** shift) % 256).join('.');
}

/** Creates (not starts) a container on the run's network and uploads its files. */
export async function createContainer(runId: string, network: string, spec: ContainerSpec): Promise<CreatedContainer & { hostPort: number }> {
  // A fixed host port (not Docker's random one) survives a stop/start of the container, so clients
  // can reconnect to a restarted node at the same loopback address.
  const hostPort = await freeLoopbackPort();
  const container = await docker().createContainer({
    name: spec.name,
    Image: spec.image,
    Cmd: spec.cmd,
    ...(spec.entrypoint ? { Entrypoint: spec.entrypoint } : {}),
    Hostname: spec.node,
    Labels: runLabels(runId, { [LABEL_NODE]: spec.node }),
    ExposedPorts: { [`${spec.port}/tcp`]: {} },
    HostConfig: {
      // 127.0.0.1 only: drill servers run without a password and must not be reachable from outside.
      PortBindings: { [`${spec.port}/tcp`]: [{ HostIp: '127.0.0.1', HostPort: String(hostPort) }] },
      NetworkMode: network,
      AutoRemove: false, // a killed container keeps its logs until teardown collects them
      ...(spec.host?.memoryBytes ? { Memory: spec.host.memoryBytes, MemorySwap: spec.host.memoryBytes } : {}),
      ...(spec.host?.tmpfs ? { Tmpfs: spec.host.tmpfs } : {}),
    },
    NetworkingConfig: { EndpointsConfig: { [network]: { Aliases: [spec.node], IPAMConfig: { IPv4Address: spec.ip } } } },
    StopTimeout: 1,
  });
  if (Object.keys(spec.files).length > 0) await container.putArchive(tarOf(spec.files) as unknown as NodeJS.ReadableStream, { path: spec.filesDir ?? '/data' });
  return { id: container.id, name: spec.name, hostPort };
}

export async function startContainer(id: string): Promise<void> {
  await docker().getContainer(id).start();
}

/** Removes every container and the network of a run, by label too (what an interrupted creation made). */
export async function removeRun(runId: string, knownIds: string[]): Promise<void> {
  await Promise.all(knownIds.map((id) => docker().getContainer(id).remove({ force: true, v: true }).catch(ignoreMissing)));
  const filters = { label: [`${LABEL_RUN}=${runId}`] };
  const stray = await docker().listContainers({ all: true, filters });
  await Promise.all(stray.map((c) => docker().getContainer(c.Id).remove({ force: true, v: true }).catch(ignoreMissing)));
  const networks = await docker().listNetworks({ filters });
  await Promise.all(networks.map((n) => removeNetwork(n.Id, n.Name)));
}

/** A free TCP port on 127.0.0.1, found by letting the kernel pick one. */
function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export function tarOf(files: Record<string, string>): tar.Pack {
  const pack = tar.pack();
  const dirs = new Set(Object.keys(files).filter((n) => n.includes('/')).map((n) => n.slice(0, n.lastIndexOf('/'))));
  for (const dir of dirs) pack.entry({ name: dir, type: 'directory', mode: 0o755 });
  for (const [name, content] of Object.entries(files)) pack.entry({ name, mode: 0o644 }, content);
  pack.finalize();
  return pack;
}
