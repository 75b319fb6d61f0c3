/**
 * Reads a running deployment without touching it: the containers that carry the label, their
 * addresses and ports (Docker), and what answers on those ports (ROLE; on sentinels SENTINEL MASTERS,
 * REPLICAS, SENTINELS). Only reads: no command here changes a node.
 */
import { docker } from '../../runtime/docker/client.ts';
import { AdminClients, pairsToRecord, type Endpoint } from '../../admin.ts';
import type { Credentials } from '../../secrets.ts';
import { COMPOSE_SERVICE_LABEL, type AttachTarget } from './target.ts';

export interface ContainerFacts {
  id: string;
  name: string;
  image: string;
  running: boolean;
  /** Network name -> this container's address on it. */
  networks: Record<string, string>;
  /** Names other containers may reach it by (container name, service, network aliases). */
  names: string[];
  /** Ports published on the host: container port -> host address and port. */
  published: { port: number; hostIp: string; hostPort: number }[];
  /** Ports to probe: exposed, published, and the Redis and Sentinel defaults. */
  ports: number[];
}

export type RoleFact =
  | { kind: 'master' }
  | { kind: 'slave'; masterHost: string; masterPort: number; state: string }
  | { kind: 'sentinel'; masters: Record<string, Record<string, string>>; replicas: Record<string, Record<string, string>[]>; peers: Record<string, Record<string, string>[]> };

/** A container and what answered on one of its ports. */
export interface Probed {
  container: ContainerFacts;
  port: number;
  /** Where it answered (the container's address, or 127.0.0.1 and a published port). */
  via: Endpoint;
  role: RoleFact;
}

const DEFAULT_PORTS = [6379, 26379];

export async function listContainers(target: AttachTarget): Promise<{ running: ContainerFacts[]; stopped: string[] }> {
  const list = await docker().listContainers({ all: true, filters: { label: [`${target.label}=${target.value}`] } });
  const running: ContainerFacts[] = [];
  const stopped: string[] = [];
  for (const c of list) {
    const name = c.Names[0]?.replace(/^\//, '') ?? c.Id.slice(0, 12);
    if (c.State !== 'running') {
      stopped.push(name);
      continue;
    }
    const info = await docker().getContainer(c.Id).inspect();
    const networks: Record<string, string> = {};
    const names = new Set([name, info.Config.Hostname]);
    const service = info.Config.Labels?.[COMPOSE_SERVICE_LABEL];
    if (service) names.add(service);
    for (const [net, n] of Object.entries(info.NetworkSettings.Networks ?? {})) {
      if (n.IPAddress) networks[net] = n.IPAddress;
      for (const a of n.Aliases ?? []) names.add(a);
    }
    const published = (c.Ports ?? []).filter((p) => p.Type === 'tcp' && p.PublicPort).map((p) => ({ port: p.PrivatePort, hostIp: p.IP ?? '', hostPort: p.PublicPort }));
    const exposed = Object.keys(info.Config.ExposedPorts ?? {}).filter((k) => k.endsWith('/tcp')).map((k) => Number.parseInt(k, 10));
    const ports = [...new Set([...exposed, ...published.map((p) => p.port), ...DEFAULT_PORTS])].sort((a, b) => a - b);
    running.push({ id: c.Id, name, image: c.Image, running: true, networks, names: [...names].filter(Boolean), published, ports });
  }
  return { running, stopped };
}

/**
 * What answers on each of the container's ports: the first port whose server answers ROLE decides
 * (a container is one node: a fault acts on the whole container). Tries the container's own address
 * first, then 127.0.0.1 and the published port (Docker Desktop does not route to container addresses).
 */
export async function probeContainer(c: ContainerFacts, credentials: Credentials | undefined, admin: AdminClients): Promise<Probed | null> {
  const ip = Object.values(c.networks)[0];
  for (const port of c.ports) {
    const published = c.published.find((p) => p.port === port);
    const places: Endpoint[] = [...(ip ? [{ host: ip, port }] : []), ...(published ? [{ host: '127.0.0.1', port: published.hostPort }] : [])];
    for (const place of places) {
      const role = await askRole(place, credentials, admin);
      if (role) return { container: c, port, via: role.via, role: role.fact };
    }
  }
  return null;
}

/** ROLE with each credential the scenario names (data, sentinel, none), and the sentinel's view if it is one. */
async function askRole(place: Endpoint, credentials: Credentials | undefined, admin: AdminClients): Promise<{ via: Endpoint; fact: RoleFact } | null> {
  const tries: Endpoint[] = [
    ...(credentials ? [{ ...place, username: credentials.user, password: credentials.password }] : []),
    ...(credentials?.sentinelPassword ? [{ ...place, password: credentials.sentinelPassword }] : []),
    place,
  ];
  for (const via of tries) {
    let reply: unknown[];
    try {
      reply = (await admin.call(via, 'ROLE')) as unknown[];
    } catch (err) {
      if (/ECONNREFUSED|ETIMEDOUT|timed? ?out|EHOSTUNREACH|ENETUNREACH|Connection is closed/i.test((err as Error).message)) return null; // nothing there
      continue; // NOAUTH / WRONGPASS: the next credential
    }
    if (reply[0] === 'master') return { via, fact: { kind: 'master' } };
    if (reply[0] === 'slave') return { via, fact: { kind: 'slave', masterHost: String(reply[1]), masterPort: Number(reply[2]), state: String(reply[3]) } };
    if (reply[0] === 'sentinel') return { via, fact: await sentinelView(via, admin) };
    return null;
  }
  return null;
}

async function sentinelView(via: Endpoint, admin: AdminClients): Promise<RoleFact> {
  const masters = ((await admin.call(via, 'SENTINEL', 'MASTERS')) as unknown[]).map(pairsToRecord);
  const fact: RoleFact & { kind: 'sentinel' } = { kind: 'sentinel', masters: {}, replicas: {}, peers: {} };
  for (const m of masters) {
    fact.masters[m.name] = m;
    fact.replicas[m.name] = ((await admin.call(via, 'SENTINEL', 'REPLICAS', m.name)) as unknown[]).map(pairsToRecord);
    fact.peers[m.name] = ((await admin.call(via, 'SENTINEL', 'SENTINELS', m.name)) as unknown[]).map(pairsToRecord);
  }
  return fact;
}

/** The gateway of a network: the address the harness's connections come from, as the nodes see them. */
export async function networkGateway(network: string): Promise<string> {
  const info = (await docker().getNetwork(network).inspect()) as { IPAM?: { Config?: { Gateway?: string }[] } };
  return info.IPAM?.Config?.find((c) => c.Gateway)?.Gateway ?? '';
}
