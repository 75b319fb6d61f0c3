/**
 * Network faults with iptables and tc, run in the targets' network namespaces by the NetTools helper.
 * Every rule lives in a chain named for this run and fault (FD-<run>-<n>), jumped to from INPUT and
 * OUTPUT, so heal removes exactly what this fault added and nothing else.
 */
import type { NodeInfo, Topology } from '../topology/topology.ts';
import type { NetTools } from './nettools.ts';
import type { Party } from './selectors.ts';
import type { Heal } from './process.ts';

/** The addresses a party's traffic comes from: its nodes, and the network gateway for the client. */
export function addressesOf(topology: Topology, party: Party): string[] {
  return [...party.nodes.map((n) => n.ip), ...(party.client ? [topology.gatewayIp] : [])];
}

interface ChainRules {
  node: NodeInfo;
  /** iptables rule bodies (without -A CHAIN). */
  rules: string[];
}

/** Installs per-node chains with the given rules; returns the heal that removes them. */
export async function installChains(tools: NetTools, chain: string, perNode: ChainRules[]): Promise<Heal> {
  const applied: NodeInfo[] = [];
  try {
    // All nodes at once: a partition should land everywhere within milliseconds, not one node at a time.
    await Promise.all(
      perNode
        .filter(({ rules }) => rules.length > 0)
        .map(async ({ node, rules }) => {
          const script = [
            `iptables -w -N ${chain}`,
            ...rules.map((r) => `iptables -w -A ${chain} ${r}`),
            `iptables -w -I INPUT 1 -j ${chain}`,
            `iptables -w -I OUTPUT 1 -j ${chain}`,
          ].join(' && ');
          applied.push(node);
          await tools.run(node, script);
        }),
    );
  } catch (err) {
    await removeChains(tools, chain, applied).catch(() => {});
    throw err;
  }
  return () => removeChains(tools, chain, applied);
}

async function removeChains(tools: NetTools, chain: string, nodes: NodeInfo[]): Promise<void> {
  // Tolerant: a container restarted meanwhile has a fresh namespace without the chain.
  const script = [`iptables -w -D INPUT -j ${chain}`, `iptables -w -D OUTPUT -j ${chain}`, `iptables -w -F ${chain}`, `iptables -w -X ${chain}`]
    .map((c) => `${c} 2>/dev/null`)
    .join('; ') + '; true';
  await Promise.all(nodes.map((n) => tools.exec(n, script).catch(() => undefined)));
}

const drop = (ips: string[]) => ips.flatMap((ip) => [`-s ${ip} -j DROP`, `-d ${ip} -j DROP`]);

/** Groups that cannot reach each other: every node drops traffic to and from every other group. */
export function splitRules(topology: Topology, groups: Party[]): ChainRules[] {
  const out: ChainRules[] = [];
  groups.forEach((group, gi) => {
    const others = groups.filter((_, oi) => oi !== gi).flatMap((g) => addressesOf(topology, g));
    for (const node of group.nodes) out.push({ node, rules: drop(others) });
  });
  return out;
}

/** Packets from `from` to `to` are dropped; the other direction still flows. */
export function onewayRules(topology: Topology, from: Party, to: Party): ChainRules[] {
  const out = new Map<NodeInfo, string[]>();
  const add = (node: NodeInfo, rule: string) => out.set(node, [...(out.get(node) ?? []), rule]);
  for (const node of from.nodes) for (const ip of addressesOf(topology, to)) add(node, `-d ${ip} -j DROP`);
  for (const node of to.nodes) for (const ip of addressesOf(topology, from)) add(node, `-s ${ip} -j DROP`);
  return [...out].map(([node, rules]) => ({ node, rules }));
}

/** Random loss with the iptables statistic match (works without netem). */
export function lossRules(topology: Topology, targets: NodeInfo[], probability: number, peers?: Party): ChainRules[] {
  const match = `-m statistic --mode random --probability ${probability}`;
  const rules = peers ? addressesOf(topology, peers).flatMap((ip) => [`-s ${ip} ${match} -j DROP`, `-d ${ip} ${match} -j DROP`]) : [`${match} -j DROP`];
  return targets.map((node) => ({ node, rules }));
}

/** Egress bandwidth limit with a token bucket (tbf). */
export async function limitBandwidth(tools: NetTools, targets: NodeInfo[], rate: string): Promise<Heal> {
  for (const node of targets) await tools.run(node, `tc qdisc add dev eth0 root tbf rate ${rate} burst 32kbit latency 400ms`);
  return async () => {
    await Promise.all(targets.map((n) => tools.exec(n, 'tc qdisc del dev eth0 root 2>/dev/null; true').catch(() => undefined)));
  };
}

export interface NetemSettings {
  delay?: number;
  jitter?: number;
  loss?: number;
  duplicate?: number;
  corrupt?: number;
  rate?: string;
}

export function netemArgs(s: NetemSettings): string {
  const parts: string[] = [];
  if (s.delay !== undefined) parts.push(`delay ${s.delay}ms${s.jitter !== undefined ? ` ${s.jitter}ms` : ''}`);
  if (s.loss !== undefined) parts.push(`loss ${s.loss}%`);
  if (s.duplicate !== undefined) parts.push(`duplicate ${s.duplicate}%`);
  if (s.corrupt !== undefined) parts.push(`corrupt ${s.corrupt}%`);
  if (s.rate !== undefined) parts.push(`rate ${s.rate}`);
  return parts.join(' ');
}

export async function applyNetem(tools: NetTools, targets: NodeInfo[], settings: NetemSettings): Promise<Heal> {
  for (const node of targets) await tools.run(node, `tc qdisc add dev eth0 root netem ${netemArgs(settings)}`);
  return async () => {
    await Promise.all(targets.map((n) => tools.exec(n, 'tc qdisc del dev eth0 root 2>/dev/null; true').catch(() => undefined)));
  };
}
