/**
 * latency: a slow link, on any kernel. Where the kernel has sch_netem the delay is a netem qdisc on the
 * sending side of the link (filtered to the peer's address); where it has not (as on these CI machines)
 * a Toxiproxy proxy is put in the TCP path and a latency toxic added per direction:
 * - `link: replication` — the replica's connection to its primary: in the replica's network namespace an
 *   iptables nat rule sends connections to the primary to the proxy (which listens on the run network's
 *   gateway, the harness's side), and the replica's current master link is closed so it reconnects
 *   through it (a partial resync, PSYNC continue);
 * - `link: client` — the writers' connections: the writers already reach every server through an idle
 *   proxy (set up before the load), and the fault adds the toxics.
 * Which mechanism applied the fault is recorded with it. Heal removes the rules and the proxy.
 */
import { z } from 'zod';
import { duration, faultCommon, target } from '../../scenario/primitives.ts';
import type { FaultKind, InjectionContext } from '../kind.ts';
import type { Node } from '../../topology/node.ts';
import { newChain, runInNetns } from '../iptables.ts';
import type { LinkMechanism, LinkProxies } from '../links.ts';
import type { ToxicInput } from '../../toxiproxy/client.ts';
import { parseInfo } from '../../topology/admin.ts';
import { sleep } from '../../util/time.ts';
import { resolveTarget, targetOf } from './common.ts';

const schema = z.strictObject({
  ...faultCommon,
  fault: z.literal('latency'),
  target,
  link: z.enum(['replication', 'client']).default('replication').meta({
    description: 'replication: the target replicas\' links to their primary; client: the writers\' links to the target servers.',
  }),
  delay: duration.meta({ description: 'Added one-way delay, per direction.' }),
  jitter: duration.optional().meta({ description: 'Each delay is delay ± jitter (uniform).' }),
  direction: z.enum(['both', 'upstream', 'downstream']).default('both').meta({
    description: 'upstream: towards the server (replica -> primary, client -> server); downstream: its answers and the replication stream.',
  }),
  mechanism: z.enum(['auto', 'netem', 'proxy']).default('auto').meta({ description: 'auto: netem where the kernel has it, else a Toxiproxy proxy in the path.' }),
});
type Entry = z.output<typeof schema>;

const streams = (e: Entry): ('upstream' | 'downstream')[] => (e.direction === 'both' ? ['upstream', 'downstream'] : [e.direction]);

/** Netem cannot delay what a server receives from the harness (that would need ingress shaping on the host). */
const netemCan = (e: Entry) => e.link === 'replication' || e.direction === 'downstream';

export function latencyMechanism(e: Entry, netemMissing: string | null | undefined): LinkMechanism {
  if (e.mechanism !== 'auto') return e.mechanism;
  return netemMissing === null && netemCan(e) ? 'netem' : 'proxy';
}

export const latency: FaultKind<typeof schema> = {
  name: 'latency',
  schema,
  summary:
    'a slow link, any kernel (`delay`, `jitter`, `direction`, `link: replication|client`): netem where the kernel has it, else a Toxiproxy proxy in the TCP path (iptables nat in the replica\'s namespace for replication links); the mechanism used is recorded; heal: rules and proxy removed',
  network: true,
  describe: (e) => `latency ${e.delay}ms${e.jitter ? ` ±${e.jitter}ms` : ''} ${e.direction === 'both' ? 'both ways' : e.direction} on the ${e.link} link of ${e.target}`,
  targetsOf: targetOf,
  check: (e) => {
    if (e.link === 'replication' && (e.target === 'primary' || e.target === 'primaries' || e.target.startsWith('primary:'))) {
      return { path: ['target'], message: 'a replication link is slowed at its replica: target a replica ("replica", "replicas", "replica:most-up-to-date", ...)' };
    }
    if (e.mechanism === 'netem' && !netemCan(e)) {
      return { path: ['direction'], message: 'netem cannot delay what a server receives from the clients; use direction: downstream, or mechanism: proxy (or auto)' };
    }
    return null;
  },
  resolve: resolveTarget,
  async inject(e, { nodes }, ctx) {
    const links = ctx.links;
    if (!links) throw new Error('the latency fault needs the run\'s link proxies (FaultContext.links)');
    const mechanism = latencyMechanism(e, links.netemMissing);
    if (mechanism === 'netem' && links.netemMissing) throw new Error(`mechanism: netem, but this kernel has no sch_netem (${links.netemMissing})`);
    const heal = e.link === 'client' ? await slowClients(e, nodes, mechanism, ctx, links) : await slowReplication(e, nodes, mechanism, ctx, links);
    return { heal, healAtTeardown: true, mechanism };
  },
};

/** The peers of each replica's replication link: the primary of its shard right now. */
function primaryOf(node: Node, ctx: InjectionContext): Node {
  const primary = ctx.primaries.get(node.shard ?? 1) ?? ctx.primaries.get(1);
  if (!primary || primary === node) throw new Error(`${node.name} is not a replica right now: a replication link is slowed at its replica`);
  return primary;
}

async function slowReplication(e: Entry, replicas: Node[], mechanism: LinkMechanism, ctx: InjectionContext, links: LinkProxies): Promise<() => Promise<void>> {
  const { dep } = ctx;
  const pairs = replicas.map((r) => ({ replica: r, primary: primaryOf(r, ctx) }));
  if (mechanism === 'netem') {
    const plan = new Map<Node, string[]>();
    const add = (n: Node, peer: string) => plan.set(n, [...(plan.get(n) ?? []), peer]);
    for (const { replica, primary } of pairs) {
      if (e.direction !== 'downstream') add(replica, primary.ip);
      if (e.direction !== 'upstream') add(primary, replica.ip);
    }
    return netemTo(ctx, plan, e);
  }
  // Per replica: its heals, undone rules first (new connections go direct again), then its proxy (whose
  // connections close: the replica reconnects directly).
  const heals: (() => Promise<void>)[][] = pairs.map(() => []);
  const healAll = async () => {
    await Promise.all(heals.map(async (steps) => {
      for (const h of steps) await h().catch(() => undefined);
    }));
  };
  try {
    // All replicas at once, so the fault lands on every link within the same reconnect (Redis retries its
    // master link once a second).
    await Promise.all(pairs.map(async ({ replica, primary }, i) => {
      const steps = heals[i];
      const name = `fd-${links.runId}-repl-${replica.name}-${Date.now().toString(36)}`;
      const proxy = await links.createProxy(name, `${dep.clientSource}:0`, `${primary.ip}:${primary.port}`);
      steps.push(() => links.removeProxy(name));
      // The primary would otherwise list the replica at the proxy's address (the gateway), and Sentinel
      // would take that for another replica: the replica announces its own address while it goes through.
      const announced = String(((await dep.command(replica, 'CONFIG', 'GET', 'replica-announce-ip')) as string[])[1] ?? '');
      await dep.command(replica, 'CONFIG', 'SET', 'replica-announce-ip', announced || replica.ip);
      steps.unshift(async () => void (await dep.command(replica, 'CONFIG', 'SET', 'replica-announce-ip', announced)));
      const chain = newChain(dep.runId);
      await runInNetns(
        dep,
        replica,
        [`iptables -w -t nat -N ${chain}`, `iptables -w -t nat -A ${chain} -p tcp -d ${primary.ip} --dport ${primary.port} -j DNAT --to-destination ${proxy.listen}`, `iptables -w -t nat -I OUTPUT 1 -j ${chain}`].join(' && '),
      );
      steps.unshift(() => removeNat(ctx, replica, chain));
      // Established connections keep their path: close the master link, the replica reconnects through the
      // proxy (at its next replication tick, within a second). The toxics go on once it is back: through a
      // slow link the handshake alone (several round trips) would keep the replica away for many delays.
      await dep.command(replica, 'CLIENT', 'KILL', 'TYPE', 'master');
      await linkUp(ctx, replica);
      await addLatency(links, name, e);
    }));
  } catch (err) {
    await healAll();
    throw err;
  }
  return healAll;
}

async function slowClients(e: Entry, servers: Node[], mechanism: LinkMechanism, ctx: InjectionContext, links: LinkProxies): Promise<() => Promise<void>> {
  if (mechanism === 'netem') return netemTo(ctx, new Map(servers.map((s) => [s, [ctx.dep.clientSource]])), e);
  const added: [string, string][] = [];
  for (const server of servers) {
    const proxy = links.clientProxyOf(server);
    for (const name of await addLatency(links, proxy, e)) added.push([proxy, name]);
  }
  return async () => {
    const api = await links.client();
    for (const [proxy, name] of added) await api.removeToxic(proxy, name).catch(() => undefined);
  };
}

/** One latency toxic per direction asked for; returns their names. */
async function addLatency(links: LinkProxies, proxy: string, e: Entry): Promise<string[]> {
  const api = await links.client();
  const names: string[] = [];
  for (const stream of streams(e)) {
    const toxic: ToxicInput = { name: `latency_${stream}`, type: 'latency', stream, toxicity: 1, attributes: { latency: e.delay, jitter: e.jitter ?? 0 } };
    names.push((await api.addToxic(proxy, toxic)).name);
  }
  return names;
}

/** Waits (up to 5 s) until the replica's master link is up again; a link that stays down is slowed anyway. */
async function linkUp(ctx: InjectionContext, replica: Node): Promise<void> {
  const until = Date.now() + 5000;
  while (Date.now() < until) {
    const info = parseInfo(String(await ctx.dep.command(replica, 'INFO', 'replication').catch(() => '')));
    if (info.master_link_status === 'up') return;
    await sleep(20);
  }
}

async function removeNat(ctx: InjectionContext, node: Node, chain: string): Promise<void> {
  const script = [`iptables -w -t nat -D OUTPUT -j ${chain}`, `iptables -w -t nat -F ${chain}`, `iptables -w -t nat -X ${chain}`].map((c) => `${c} 2>/dev/null`).join('; ') + '; true';
  await ctx.dep.runtime.netExec(node, script).catch(() => undefined);
}

/**
 * netem on each node's egress, only towards the given peers: a prio qdisc whose extra band carries
 * netem, and a u32 filter per peer address sending its packets there (other traffic is not delayed).
 */
async function netemTo(ctx: InjectionContext, plan: Map<Node, string[]>, e: Entry): Promise<() => Promise<void>> {
  const { dep } = ctx;
  const delay = `delay ${e.delay}ms${e.jitter ? ` ${e.jitter}ms` : ''}`;
  const nodes = [...plan.keys()];
  const heal = async () => {
    await Promise.all(nodes.map((n) => dep.runtime.netExec(n, 'tc qdisc del dev eth0 root 2>/dev/null; true').catch(() => undefined)));
  };
  try {
    await Promise.all(
      [...plan].map(([node, peers]) =>
        runInNetns(
          dep,
          node,
          [
            'tc qdisc add dev eth0 root handle 1: prio bands 4',
            `tc qdisc add dev eth0 parent 1:4 handle 40: netem ${delay}`,
            ...peers.map((ip) => `tc filter add dev eth0 parent 1: protocol ip prio 1 u32 match ip dst ${ip}/32 flowid 1:4`),
          ].join(' && '),
        ),
      ),
    );
  } catch (err) {
    await heal();
    throw err;
  }
  return heal;
}
