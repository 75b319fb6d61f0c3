/**
 * Every fault kind against real containers, one at a time: the fault has the effect it claims (seen from
 * outside, the way a client or an operator would see it) and its heal removes it without a trace. One
 * small topology serves all of them: a primary, a replica and a sentinel whose down-after is long enough
 * that no failover interferes.
 */
import { describe, it, expect, beforeAll, afterAll, afterEach } from 'vitest';
import { execFileSync } from 'node:child_process';
import { connect } from 'node:net';
import { Redis } from 'ioredis';
import { dockerMissingReason } from './docker-available.ts';
import { bringUpForTest, dockerState, dockerWait, type TestDeployment } from './deployment.ts';
import type { Deployment } from '../../src/topology/deployment.ts';
import type { Node } from '../../src/topology/node.ts';
import { injectFault, healFault } from '../../src/faults/inject.ts';
import type { FaultContext } from '../../src/faults/kind.ts';
import { LinkProxies } from '../../src/faults/links.ts';
import { timelineEntry, type FaultEntry } from '../../src/scenario/schema.ts';

type Reply = 'PONG' | 'timeout' | `error: ${string}`;

/** PING on a fresh connection with a deadline: what a client sees, unaffected by the harness's own pools. */
async function ping(dep: Deployment, node: Node, timeoutMs = 700): Promise<Reply> {
  const client = new Redis({ ...dep.access.endpoint(node), lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: false });
  client.on('error', () => {});
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<Reply>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs)));
  const attempt = (async (): Promise<Reply> => {
    try {
      await client.connect();
      return (await client.ping()) === 'PONG' ? 'PONG' : 'error: not PONG';
    } catch (err) {
      return `error: ${(err as Error).message}`;
    }
  })();
  try {
    return await Promise.race([attempt, deadline]);
  } finally {
    clearTimeout(timer);
    client.disconnect();
  }
}

/** Waits until PING answers again (a healed fault may take a moment: a restarted server loads). */
async function pingSoon(dep: Deployment, node: Node, withinMs = 10_000): Promise<Reply> {
  const until = Date.now() + withinMs;
  let last: Reply = 'timeout';
  while (Date.now() < until) {
    last = await ping(dep, node);
    if (last === 'PONG') return last;
    await new Promise((r) => setTimeout(r, 100));
  }
  return last;
}

const fault = (spec: Record<string, unknown>) => timelineEntry.parse({ at: '0s', ...spec }) as FaultEntry;

describe.skipIf(dockerMissingReason !== null)('each fault kind: effect and heal, against real containers', () => {
  let runId: string;
  let t: TestDeployment;
  let topology: Deployment;
  let ctx: FaultContext;
  let primary: Node;
  let replica: Node;
  let sentinel: Node;
  let netemMissing: string | null = null;
  let seq = 0;

  beforeAll(async () => {
    t = await bringUpForTest({ replicas: 1, sentinels: 1, sentinel: { quorum: 1, downAfter: '60s' } }, { enableDebugCommand: true });
    ({ runId, dep: topology } = t);
    [primary, replica, sentinel] = ['redis-1', 'redis-2', 'sentinel-1'].map((name) => topology.node(name)!);
    ctx = { dep: topology, journal: t.journal, runId };
    netemMissing = await topology.runtime.probeNetem();
  }, 120_000);

  afterAll(async () => {
    await t?.provisioner.tearDown();
    const left = execFileSync('docker', ['ps', '-aq', '--filter', `label=dev.ferrite-drill.run=${runId}`], { encoding: 'utf8' }).trim();
    expect(left).toBe('');
  });

  // One failed check must not leave the next fault kind a broken topology: put every node back.
  afterEach(async () => {
    for (const n of topology.nodes) {
      const state = dockerState(n);
      if (state.paused) execFileSync('docker', ['unpause', n.id]);
      else if (!state.running) execFileSync('docker', ['start', n.id]);
      else execFileSync('docker', ['kill', '--signal', 'SIGCONT', n.id]);
      await topology.refresh(n);
    }
    for (const n of topology.nodes) {
      for (const chain of (await harnessChains(n).catch(() => [])).filter((l) => l.startsWith('-N '))) {
        const name = chain.slice(3);
        await topology.runtime.netExec(n, `iptables -w -D INPUT -j ${name}; iptables -w -D OUTPUT -j ${name}; iptables -w -F ${name}; iptables -w -X ${name}`);
      }
      await topology.runtime.netExec(n, 'tc qdisc del dev eth0 root 2>/dev/null; true');
    }
    for (const n of topology.nodes) expect(await pingSoon(topology, n), `${n.name} after the test`).toBe('PONG');
  }, 30_000);

  /** A command in a node's network namespace; its output (a failure throws). */
  async function run(node: Node, script: string): Promise<string> {
    const r = await topology.runtime.netExec(node, script);
    if (r.exitCode !== 0) throw new Error(`${script}: ${r.output}`);
    return r.output;
  }

  async function inject(spec: Record<string, unknown>) {
    return injectFault(fault(spec), `${spec.fault}#${++seq}`, ctx);
  }

  /** Every FD- chain in a node's network namespace (the harness's iptables rules). */
  async function harnessChains(node: Node): Promise<string[]> {
    const rules = await run(node, 'iptables -w -S');
    return rules.split('\n').filter((l) => l.includes(`FD-${runId}`));
  }

  async function expectNoHarnessRules(): Promise<void> {
    for (const n of topology.nodes) expect(await harnessChains(n), n.name).toEqual([]);
  }

  it('kill SIGKILL: the server is gone (container exited 137); heal starts it again', async () => {
    const f = await inject({ fault: 'kill', target: 'primary', signal: 'SIGKILL' });
    dockerWait(primary); // the kill is sent; Docker records the exit a moment later
    const state = dockerState(primary);
    expect(state.running).toBe(false);
    expect(state.exitCode).toBe(137);
    expect(await ping(topology, primary)).not.toBe('PONG');
    await healFault(f, ctx, 'scheduled');
    expect(await pingSoon(topology, primary)).toBe('PONG');
  });

  it('kill SIGTERM: the server shuts down cleanly (exit 0, "ready to exit" in its log); heal starts it again', async () => {
    const f = await inject({ fault: 'kill', target: 'primary', signal: 'SIGTERM' });
    dockerWait(primary);
    expect(dockerState(primary).exitCode).toBe(0);
    const log = execFileSync('docker', ['logs', '--tail', '20', primary.id], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    expect(log).toMatch(/ready to exit/);
    await healFault(f, ctx, 'scheduled');
    expect(await pingSoon(topology, primary)).toBe('PONG');
  });

  it('kill SIGSTOP: the process is frozen (PING times out, container still "running"); SIGCONT heals it', async () => {
    const f = await inject({ fault: 'kill', target: 'primary', signal: 'SIGSTOP' });
    expect(dockerState(primary).running).toBe(true);
    expect(await ping(topology, primary)).toBe('timeout');
    await healFault(f, ctx, 'scheduled');
    expect(await ping(topology, primary)).toBe('PONG');
  });

  it('stop: the container is stopped (not running); heal starts it again at the same address', async () => {
    const ipBefore = primary.ip;
    const f = await inject({ fault: 'stop', target: 'primary' });
    expect(dockerState(primary).running).toBe(false);
    await healFault(f, ctx, 'scheduled');
    expect(await pingSoon(topology, primary)).toBe('PONG');
    expect(primary.ip).toBe(ipBefore);
  });

  it('restart: the server comes back as a new process (new run_id), with no heal needed', async () => {
    const runIdOf = async () => /run_id:(\w+)/.exec(String(await topology.command(replica, 'INFO', 'server')))?.[1];
    const before = await runIdOf();
    const f = await inject({ fault: 'restart', target: 'replica' });
    expect(await pingSoon(topology, replica)).toBe('PONG');
    const after = await runIdOf();
    expect(after).toBeDefined();
    expect(after).not.toBe(before);
    await healFault(f, ctx, 'scheduled');
  });

  it('pause: the container is paused (cgroup freezer, PING times out); heal unpauses it', async () => {
    const f = await inject({ fault: 'pause', target: 'primary' });
    expect(dockerState(primary).paused).toBe(true);
    expect(await ping(topology, primary)).toBe('timeout');
    await healFault(f, ctx, 'scheduled');
    expect(dockerState(primary).paused).toBe(false);
    expect(await ping(topology, primary)).toBe('PONG');
  });

  it('stall: DEBUG SLEEP blocks the server for its duration, then it answers by itself', async () => {
    const f = await inject({ fault: 'stall', target: 'primary', duration: '1500ms' });
    const started = Date.now();
    expect(await ping(topology, primary, 500)).toBe('timeout');
    expect(await pingSoon(topology, primary, 5000)).toBe('PONG');
    const blockedMs = Date.now() - started;
    expect(blockedMs).toBeGreaterThanOrEqual(1200);
    expect(blockedMs).toBeLessThan(4000);
    await healFault(f, ctx, 'scheduled');
  });

  it('partition isolate: the primary is unreachable from the client, the rest is not; heal removes every rule', async () => {
    const f = await inject({ fault: 'partition', isolate: 'primary' });
    expect(await harnessChains(primary)).not.toEqual([]);
    expect(await ping(topology, primary)).toBe('timeout');
    expect(await ping(topology, replica)).toBe('PONG');
    await healFault(f, ctx, 'scheduled');
    await expectNoHarnessRules();
    expect(await pingSoon(topology, primary)).toBe('PONG');
  });

  it('partition isolate replica: WAIT 1 returns 0 while the replica is cut off, 1 again after heal', async () => {
    const client = new Redis({ ...topology.access.endpoint(primary), maxRetriesPerRequest: 0 });
    const waitOne = async () => {
      await client.set('fd:wait', String(Date.now()));
      return Number(await client.call('WAIT', 1, 500)); // WAIT counts this connection's writes only
    };
    const waitOneSoon = async () => {
      let acked = 0;
      for (let i = 0; i < 20 && acked !== 1; i++) acked = await waitOne();
      return acked;
    };
    try {
      // An earlier test restarted the replica: its link to the primary may still be syncing.
      expect(await waitOneSoon()).toBe(1);
      const f = await inject({ fault: 'partition', isolate: 'replica' });
      expect(await waitOne()).toBe(0);
      await healFault(f, ctx, 'scheduled');
      await expectNoHarnessRules();
      // The replication link was never dropped (repl-timeout is 60 s): buffered data flows again.
      expect(await waitOneSoon()).toBe(1);
    } finally {
      client.disconnect();
    }
  });

  it('partition groups: each side reaches its own members only; heal restores everything', async () => {
    const f = await inject({ fault: 'partition', groups: [['primary', 'client'], ['replicas', 'sentinels']] });
    expect(await ping(topology, primary)).toBe('PONG');
    expect(await ping(topology, replica)).toBe('timeout');
    expect(await ping(topology, sentinel)).toBe('timeout');
    // The primary, on the client's side, stops hearing the replica's once-a-second REPLCONF ACK.
    await new Promise((r) => setTimeout(r, 2500));
    const lag = Number(/slave0:.*lag=(\d+)/.exec(String(await topology.command(primary, 'INFO', 'replication')))?.[1]);
    expect(lag).toBeGreaterThanOrEqual(2);
    await healFault(f, ctx, 'scheduled');
    await expectNoHarnessRules();
    expect(await pingSoon(topology, replica)).toBe('PONG');
    expect(await pingSoon(topology, sentinel)).toBe('PONG');
  });

  it('partition one-way: packets from the client to the replica are dropped, to the primary they pass', async () => {
    const f = await inject({ fault: 'partition', oneway: { from: ['client'], to: ['replica'] } });
    expect(await ping(topology, replica)).toBe('timeout');
    expect(await ping(topology, primary)).toBe('PONG');
    await healFault(f, ctx, 'scheduled');
    await expectNoHarnessRules();
    expect(await pingSoon(topology, replica)).toBe('PONG');
  });

  it('loss 100%: every packet to the primary is dropped (the DROP rule counts them); heal restores it', async () => {
    const f = await inject({ fault: 'loss', target: 'primary', probability: 1 });
    expect(await ping(topology, primary)).toBe('timeout');
    const counters = await run(primary, `iptables -w -L FD-${runId}-${chainNumber(await harnessChains(primary))} -v -n -x`);
    expect(counters).toMatch(/statistic mode random probability 1/);
    expect(droppedPackets(counters)).toBeGreaterThan(0);
    await healFault(f, ctx, 'scheduled');
    await expectNoHarnessRules();
    expect(await pingSoon(topology, primary)).toBe('PONG');
  });

  it('loss 50%: about half of the packets through the replica\'s rules are dropped, not all and not none', async () => {
    const f = await inject({ fault: 'loss', target: 'replica', probability: 0.5 });
    const chain = `FD-${runId}-${chainNumber(await harnessChains(replica))}`;
    const count = async () => {
      const jumps = await run(replica, 'iptables -w -L INPUT -v -n -x; iptables -w -L OUTPUT -v -n -x');
      const entered = jumps.split('\n').filter((l) => l.includes(chain)).reduce((sum, l) => sum + Number(l.trim().split(/\s+/)[0]), 0);
      return { entered, dropped: droppedPackets(await run(replica, `iptables -w -L ${chain} -v -n -x`)) };
    };
    // Traffic: bursts of fresh connections from the client (SYNs, retransmits, PINGs), until enough packets passed.
    const until = Date.now() + 15_000;
    while ((await count()).entered < 400 && Date.now() < until) {
      await Promise.all(Array.from({ length: 40 }, () => ping(topology, replica, 300)));
    }
    const { entered, dropped } = await count();
    await healFault(f, ctx, 'scheduled');
    console.log(`loss 50%: ${dropped} of ${entered} packets dropped (${((100 * dropped) / entered).toFixed(1)}%)`);
    expect(entered).toBeGreaterThanOrEqual(400);
    // A fair coin over >= 400 packets: 35%..65% is more than 6 standard deviations wide.
    expect(dropped / entered).toBeGreaterThan(0.35);
    expect(dropped / entered).toBeLessThan(0.65);
    await expectNoHarnessRules();
    expect(await pingSoon(topology, replica)).toBe('PONG');
  }, 30_000);

  it('bandwidth: a 2 MB reply from the primary takes seconds at 8mbit instead of milliseconds; heal removes the qdisc', async () => {
    // Its own client: the harness's admin connections have a short command timeout.
    const client = new Redis({ ...topology.access.endpoint(primary), maxRetriesPerRequest: 0 });
    await client.set('fd:big', 'x'.repeat(2 * 1024 * 1024));
    const timedGet = async () => {
      const started = performance.now();
      const value = await client.get('fd:big');
      expect(value?.length).toBe(2 * 1024 * 1024);
      return performance.now() - started;
    };
    const baselineMs = await timedGet();
    const f = await inject({ fault: 'bandwidth', target: 'primary', rate: '8mbit' });
    expect(await run(primary, 'tc qdisc show dev eth0')).toMatch(/tbf .*rate 8Mbit/);
    const limitedMs = await timedGet();
    await healFault(f, ctx, 'scheduled');
    expect(await run(primary, 'tc qdisc show dev eth0')).not.toMatch(/tbf/);
    const healedMs = await timedGet();
    console.log(`bandwidth: 2 MB GET ${baselineMs.toFixed(0)} ms before, ${limitedMs.toFixed(0)} ms at 8mbit, ${healedMs.toFixed(0)} ms after heal`);
    // 16 Mbit at 8 Mbit/s: at least ~2 s (less a 32 kbit burst).
    expect(limitedMs).toBeGreaterThan(1800);
    expect(healedMs).toBeLessThan(limitedMs / 4);
    await client.del('fd:big');
    client.disconnect();
  }, 30_000);

  it('netem delay: PING takes the added delay; heal removes the qdisc (skipped where the kernel has no netem)', async (t) => {
    if (netemMissing) {
      console.log(`SKIPPED netem: this kernel has no sch_netem (${netemMissing})`);
      t.skip();
      return;
    }
    const f = await inject({ fault: 'netem', target: 'primary', delay: '200ms' });
    const started = performance.now();
    expect(await ping(topology, primary, 3000)).toBe('PONG');
    expect(performance.now() - started).toBeGreaterThan(200);
    await healFault(f, ctx, 'scheduled');
    expect(await run(primary, 'tc qdisc show dev eth0')).not.toMatch(/netem/);
  });

  it('latency through the proxy: the replica\'s link goes via nat + proxy, WAIT takes both delays; heal leaves no rule, proxy or listener', async () => {
    const links = new LinkProxies(runId);
    links.netemMissing = netemMissing;
    const client = new Redis({ ...topology.access.endpoint(primary), maxRetriesPerRequest: 0 });
    const timedWait = async () => {
      await client.set('fd:lat', String(Date.now()));
      const start = performance.now();
      const acked = Number(await client.call('WAIT', 1, 3000));
      return { acked, ms: performance.now() - start };
    };
    const natChains = async () => (await run(replica, 'iptables -w -t nat -S')).split('\n').filter((l) => l.includes(`FD-${runId}`));
    try {
      for (let i = 0; i < 20 && (await timedWait()).acked !== 1; i++);
      const before = await timedWait();
      const f = await injectFault(fault({ fault: 'latency', link: 'replication', target: 'replica', delay: '300ms', mechanism: 'proxy' }), 'latency#1', { ...ctx, links });
      expect(await natChains()).not.toEqual([]);
      const [proxy] = Object.values(await (await links.client()).proxies());
      expect(proxy).toMatchObject({ listen: expect.stringMatching(new RegExp(`^${topology.clientSource}:\\d+$`)), upstream: `${primary.ip}:${primary.port}` });
      expect(proxy.toxics.map((t) => [t.stream, t.attributes.latency])).toEqual([['upstream', 300], ['downstream', 300]]);
      // The primary lists the replica at its own address, not the proxy's (Sentinel would see a stranger).
      expect(String(await topology.command(primary, 'INFO', 'replication'))).toContain(`ip=${replica.ip},`);
      const during = await timedWait();
      console.log(`latency proxy: WAIT 1 ${before.ms.toFixed(1)} ms before, ${during.ms.toFixed(1)} ms with 300 ms each way`);
      expect(during.acked).toBe(1);
      expect(during.ms).toBeGreaterThanOrEqual(590);
      await healFault(f, ctx, 'scheduled');
      expect(await natChains()).toEqual([]);
      expect(await (await links.client()).proxies()).toEqual({});
      expect(await topology.command(replica, 'CONFIG', 'GET', 'replica-announce-ip')).toEqual(['replica-announce-ip', '']);
      let after = await timedWait();
      for (let i = 0; i < 20 && (after.acked !== 1 || after.ms > 250); i++) after = await timedWait();
      expect(after.ms).toBeLessThan(during.ms / 2);
      await links.close();
      const [host, port] = proxy.listen.split(':');
      await expect(new Promise((resolve, reject) => connect({ host, port: Number(port) }, () => resolve('open')).once('error', reject))).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    } finally {
      client.disconnect();
      await links.close();
    }
  }, 60_000);
});

/** The number in the harness's chain name, from `iptables -S` lines ("-N FD-<run>-<n>"). */
function chainNumber(lines: string[]): string {
  const n = lines.map((l) => /FD-[0-9a-f]+-(\d+)/.exec(l)?.[1]).find(Boolean);
  if (!n) throw new Error(`no harness chain in:\n${lines.join('\n')}`);
  return n;
}

/** Sum of the packet counters of DROP rules in `iptables -L -v -n -x` output. */
function droppedPackets(listing: string): number {
  return listing
    .split('\n')
    .filter((l) => /\bDROP\b/.test(l))
    .reduce((sum, l) => sum + Number(l.trim().split(/\s+/)[0] || 0), 0);
}
