/**
 * iptables rules in the targets' network namespaces (run by the runtime's helpers). Every rule lives in a
 * chain named for this run and fault (FD-<run>-<n>), jumped to from INPUT and OUTPUT, so heal removes
 * exactly what this fault added and nothing else. Nothing is ever added to the host's iptables.
 */
import type { Deployment } from '../topology/deployment.ts';
import type { Node } from '../topology/node.ts';
import type { Heal } from './kind.ts';
import type { Party } from './selectors.ts';
import { InfrastructureError } from '../util/errors.ts';

let chainSeq = 0;

/** A fresh chain name for one fault of this run. */
export function newChain(runId: string): string {
  return `FD-${runId}-${++chainSeq}`;
}

/** Runs a script in a node's namespace; a non-zero exit is an infrastructure error naming node and output. */
export async function runInNetns(dep: Deployment, node: Node, script: string): Promise<string> {
  const r = await dep.runtime.netExec(node, script);
  if (r.exitCode !== 0) throw new InfrastructureError(`in ${node.name}'s network namespace, "${script}" failed (${r.exitCode}): ${r.output}`);
  return r.output;
}

/** The addresses a party's traffic comes from: its nodes, and the harness's source address for the client. */
export function addressesOf(dep: Deployment, party: Party): string[] {
  return [...party.nodes.map((n) => n.ip), ...(party.client ? [dep.clientSource] : [])];
}

export interface ChainRules {
  node: Node;
  /** iptables rule bodies (without -A CHAIN). */
  rules: string[];
}

/** Installs per-node chains with the given rules, on all nodes at once; returns the heal that removes them. */
export async function installChains(dep: Deployment, chain: string, perNode: ChainRules[]): Promise<Heal> {
  const applied: Node[] = [];
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
          await runInNetns(dep, node, script);
        }),
    );
  } catch (err) {
    await removeChains(dep, chain, applied).catch(() => {});
    throw err;
  }
  return () => removeChains(dep, chain, applied);
}

async function removeChains(dep: Deployment, chain: string, nodes: Node[]): Promise<void> {
  // Tolerant: a node restarted meanwhile has a fresh namespace without the chain.
  const script = [`iptables -w -D INPUT -j ${chain}`, `iptables -w -D OUTPUT -j ${chain}`, `iptables -w -F ${chain}`, `iptables -w -X ${chain}`]
    .map((c) => `${c} 2>/dev/null`)
    .join('; ') + '; true';
  await Promise.all(nodes.map((n) => dep.runtime.netExec(n, script).catch(() => undefined)));
}

const drop = (ips: string[]) => ips.flatMap((ip) => [`-s ${ip} -j DROP`, `-d ${ip} -j DROP`]);

/** Groups that cannot reach each other: every node drops traffic to and from every other group. */
export function splitRules(dep: Deployment, groups: Party[]): ChainRules[] {
  const out: ChainRules[] = [];
  groups.forEach((group, gi) => {
    const others = groups.filter((_, oi) => oi !== gi).flatMap((g) => addressesOf(dep, g));
    for (const node of group.nodes) out.push({ node, rules: drop(others) });
  });
  return out;
}

/** Packets from `from` to `to` are dropped; the other direction still flows. */
export function onewayRules(dep: Deployment, from: Party, to: Party): ChainRules[] {
  const out = new Map<Node, string[]>();
  const add = (node: Node, rule: string) => out.set(node, [...(out.get(node) ?? []), rule]);
  for (const node of from.nodes) for (const ip of addressesOf(dep, to)) add(node, `-d ${ip} -j DROP`);
  for (const node of to.nodes) for (const ip of addressesOf(dep, from)) add(node, `-s ${ip} -j DROP`);
  return [...out].map(([node, rules]) => ({ node, rules }));
}

/** Random loss with the iptables statistic match (works without netem). */
export function lossRules(dep: Deployment, targets: Node[], probability: number, peers?: Party): ChainRules[] {
  const match = `-m statistic --mode random --probability ${probability}`;
  const rules = peers ? addressesOf(dep, peers).flatMap((ip) => [`-s ${ip} ${match} -j DROP`, `-d ${ip} ${match} -j DROP`]) : [`${match} -j DROP`];
  return targets.map((node) => ({ node, rules }));
}
