/**
 * From what answered in the containers to the deployment the drill will use — or a refusal in one
 * sentence when it is not an HA topology a drill can use (nothing found, no sentinel, one data node,
 * more than one primary, several masters and none named). Pure: unit-tested on made-up probes.
 */
import type { Probed } from './discover.ts';
import { AttachRefused, isLocalAddress, type AttachTarget } from './target.ts';

export interface PlannedNode {
  name: string;
  kind: 'data' | 'sentinel';
  containerId: string;
  image: string;
  ip: string;
  port: number;
  /** Published on 127.0.0.1 (or all interfaces); 0 when not published there. */
  hostPort: number;
}

export interface AttachPlan {
  network: string;
  masterName: string;
  primary: PlannedNode;
  replicas: PlannedNode[];
  sentinels: PlannedNode[];
  quorum: number;
  downAfterMs: number;
  failoverTimeoutMs: number;
  parallelSyncs: number;
  /** Containers left out, and why (for the printout and the journal). */
  excluded: string[];
}

export interface PlanInput {
  target: AttachTarget;
  /** Every running container with the label, and what answered in it (null: nothing did). */
  probed: { name: string; probe: Probed | null }[];
  stopped: string[];
  /** The scenario's master name: used when the sentinels monitor several. */
  masterName: string;
  ownAddresses?: string[];
}

export function planAttachment(input: PlanInput): AttachPlan {
  const { target } = input;
  const refuse = (why: string): never => {
    throw new AttachRefused(target, why);
  };
  const where = `${target.label}=${target.value}`;
  if (input.probed.length === 0) {
    refuse(input.stopped.length > 0 ? `the ${input.stopped.length} container(s) labelled ${where} (${input.stopped.join(', ')}) are not running` : `no container is labelled ${where}`);
  }
  for (const { probe } of input.probed) {
    const far = probe?.container.published.find((p) => !isLocalAddress(p.hostIp, input.ownAddresses));
    if (far) refuse(`${probe!.container.name} publishes port ${far.port} on ${far.hostIp}, which is not an address of this machine, and the harness drills only what runs here`);
  }
  const found = input.probed.filter((p): p is { name: string; probe: Probed } => p.probe !== null).map((p) => p.probe);
  const data = found.filter((p) => p.role.kind !== 'sentinel');
  const sentinels = found.filter((p) => p.role.kind === 'sentinel');
  const silent = input.probed.filter((p) => p.probe === null).map((p) => p.name);
  if (data.length === 0) refuse(`none of its ${input.probed.length} running container(s) answers ROLE on the ports it exposes, so there is no Redis data node to drill`);
  if (sentinels.length === 0) refuse(`its ${data.length} Redis data node(s) are watched by no Redis Sentinel among its containers, and a failover drill needs sentinels to promote a replica`);
  if (data.length === 1) refuse(`it has a single data node (${data[0].container.name}), so there is no replica to fail over to`);
  const masters = data.filter((p) => p.role.kind === 'master');
  if (masters.length > 1) refuse(`it holds ${masters.length} primaries (${masters.map((m) => m.container.name).join(', ')}) where a drill needs one replication group; attach with label:<key>=<value> to pick one`);

  // The master name: the only one monitored, else the scenario's.
  const monitored = [...new Set(sentinels.flatMap((s) => Object.keys(s.role.kind === 'sentinel' ? s.role.masters : {})))].sort();
  if (monitored.length === 0) refuse(`its ${sentinels.length} sentinel(s) monitor no master`);
  let masterName = monitored[0];
  if (monitored.length > 1) {
    if (!monitored.includes(input.masterName)) refuse(`its sentinels monitor several masters (${monitored.join(', ')}) and the scenario's topology.sentinel.masterName "${input.masterName}" is none of them; set it to the one to drill`);
    masterName = input.masterName;
  }
  const excluded = silent.map((n) => `${n}: nothing answered ROLE on its ports`);
  const watching = sentinels.filter((s) => s.role.kind === 'sentinel' && s.role.masters[masterName]);
  for (const s of sentinels) if (!watching.includes(s)) excluded.push(`${s.container.name}: a sentinel that does not monitor ${masterName}`);
  const addresses = new Set(watching.map((s) => (s.role.kind === 'sentinel' ? `${s.role.masters[masterName].ip}:${s.role.masters[masterName].port}` : '')));
  if (addresses.size > 1) refuse(`its sentinels disagree on where ${masterName} is (${[...addresses].join(' vs ')}), so it has mixed masters`);
  const [masterIp, masterPortText] = [...addresses][0].split(':');
  const masterPort = Number(masterPortText);

  // The network is the one on which the named master has that address.
  const primary = data.find((p) => p.port === masterPort && Object.values(p.container.networks).includes(masterIp));
  if (!primary) refuse(`its sentinels monitor ${masterName} at ${masterIp}:${masterPort}, which is none of its containers`);
  if (primary!.role.kind !== 'master') refuse(`its sentinels name ${primary!.container.name} the primary of ${masterName}, but it reports role ${primary!.role.kind} (mixed masters, or a failover in progress)`);
  const network = Object.entries(primary!.container.networks).find(([, ip]) => ip === masterIp)![0];

  const replicas: Probed[] = [];
  for (const d of data) {
    if (d === primary) continue;
    if (d.role.kind !== 'slave') continue;
    const ofPrimary = d.role.masterPort === masterPort && (d.role.masterHost === masterIp || primary!.container.names.includes(d.role.masterHost));
    if (!ofPrimary) refuse(`${d.container.name} replicates from ${d.role.masterHost}:${d.role.masterPort}, not from ${masterName}'s primary ${primary!.container.name}, so it has mixed masters`);
    if (!d.container.networks[network]) excluded.push(`${d.container.name}: not on network ${network}`);
    else replicas.push(d);
  }
  if (replicas.length === 0) refuse(`${primary!.container.name} has no replica among its containers on network ${network}, so there is no replica to fail over to`);
  const sentinelNodes = watching.filter((s) => {
    if (s.container.networks[network]) return true;
    excluded.push(`${s.container.name}: not on network ${network}`);
    return false;
  });
  if (sentinelNodes.length === 0) refuse(`none of its sentinels is on network ${network} with ${masterName}'s primary`);

  const view = (watching[0].role as Extract<Probed['role'], { kind: 'sentinel' }>).masters[masterName];
  const node = (p: Probed, kind: PlannedNode['kind']): PlannedNode => {
    const pub = p.container.published.find((x) => x.port === p.port && (x.hostIp === '' || x.hostIp === '0.0.0.0' || x.hostIp === '::' || x.hostIp.startsWith('127.')));
    return { name: p.container.name, kind, containerId: p.container.id, image: p.container.image, ip: p.container.networks[network], port: p.port, hostPort: pub?.hostPort ?? 0 };
  };
  return {
    network,
    masterName,
    primary: node(primary!, 'data'),
    replicas: replicas.map((r) => node(r, 'data')).sort((a, b) => a.name.localeCompare(b.name)),
    sentinels: sentinelNodes.map((s) => node(s, 'sentinel')).sort((a, b) => a.name.localeCompare(b.name)),
    quorum: Number(view.quorum),
    downAfterMs: Number(view['down-after-milliseconds']),
    failoverTimeoutMs: Number(view['failover-timeout']),
    parallelSyncs: Number(view['parallel-syncs']),
    excluded,
  };
}

/** What was found, as lines for the user (printed before anything is touched). */
export function describePlan(target: AttachTarget, plan: AttachPlan): string[] {
  const at = (n: PlannedNode) => `${n.name} ${n.ip}:${n.port}${n.hostPort ? ` (127.0.0.1:${n.hostPort})` : ''}`;
  return [
    `attached to ${target.spec} (network ${plan.network}): master "${plan.masterName}", quorum ${plan.quorum}, down-after ${plan.downAfterMs} ms, failover-timeout ${plan.failoverTimeoutMs} ms`,
    `  primary   ${at(plan.primary)}`,
    ...plan.replicas.map((r) => `  replica   ${at(r)}`),
    ...plan.sentinels.map((s) => `  sentinel  ${at(s)}`),
    ...plan.excluded.map((e) => `  left out  ${e}`),
  ];
}
