/** HAProxy in front: its generated configs, its log, and what analysis makes of them (synthetic journals). */
import { describe, it, expect } from 'vitest';
import { docsConfig, fileConfig, parseHaproxyLog, roleConfig } from '../../src/topology/haproxy.ts';
import { haproxyFindings, haproxySteps } from '../../src/analysis/haproxy.ts';
import type { Node } from '../../src/topology/node.ts';
import type { JournalEvent } from '../../src/record/journal.ts';

const node = (name: string, ip: string): Node => ({ name, kind: 'data', shard: null, id: name, runtimeName: name, ip, port: 6379, hostPort: 0, owned: true });
const nodes = [node('redis-1', '10.0.0.2'), node('redis-2', '10.0.0.3')];
const checks = { interval: 1000, fall: 2, rise: 3 };
const ev = (t: number, type: string, fields: Record<string, unknown> = {}): JournalEvent => ({ t, wall: 1.7e12 + t, type, ...fields }) as unknown as JournalEvent;

describe('HAProxy configs', () => {
  it('the docs\' config: one server, the initial primary, checked with PING', () => {
    const plan = docsConfig(nodes[0], checks);
    expect(plan.servers).toEqual([{ name: 'primary', node: 'redis-1', address: '10.0.0.2:6379' }]);
    expect(plan.config).toContain('frontend ferrite_write');
    expect(plan.config).toContain('tcp-check send PING\\r\\n');
    expect(plan.config).toContain('tcp-check expect string +PONG');
    expect(plan.config).toMatch(/^ {2}server primary 10\.0\.0\.2:6379 check inter 1000 fall 2 rise 3$/m);
  });

  it('the role config: every data node, only role:master passes; passwords are sent with AUTH, escaped', () => {
    const plan = roleConfig(nodes, checks, { user: 'drill', password: 'p w', origin: [] });
    expect(plan.servers.map((s) => s.node)).toEqual(['redis-1', 'redis-2']);
    expect(plan.config).toContain('tcp-check send info\\ replication\\r\\n');
    expect(plan.config).toContain('tcp-check expect string role:master');
    expect(plan.config).toContain('tcp-check send AUTH\\ drill\\ p\\ w\\r\\n');
  });

  it('a user\'s file is used as it is, its servers matched to nodes by name or address', () => {
    const plan = fileConfig('backend b\n  server a redis-2:6379 check\n  server x 10.0.0.2:6379 check\n  server y elsewhere:6379\n', nodes);
    expect(plan.servers.map((s) => s.node)).toEqual(['redis-2', 'redis-1', null]);
  });
});

describe('HAProxy log', () => {
  it('reads state changes from the timestamped lines only (stderr repeats them without a time)', () => {
    const text = [
      '[WARNING]  (1) : Server ferrite_primary/redis-1 is DOWN, reason: Layer4 timeout',
      '2026-11-23T19:49:41.782629+00:00 Server ferrite_primary/redis-1 is DOWN, reason: Layer4 timeout, info: " at initial connection step of tcp-check", check duration: 2001ms. 0 active and 0 backup servers left.',
      '2026-11-23T19:49:41.782650+00:00 backend ferrite_primary has no server available!',
      '2026-11-23T19:49:43.001000+00:00 Server ferrite_primary/redis-2 is UP, reason: Layer7 check passed, check duration: 1ms.',
    ].join('\n');
    const lines = parseHaproxyLog(text);
    expect(lines.map((l) => [l.server, l.state])).toEqual([['redis-1', 'DOWN'], ['', 'NOSRV'], ['redis-2', 'UP']]);
    expect(lines[2].wall - lines[0].wall).toBe(1219);
    expect(lines[0].wall).toBe(Date.parse('2026-11-23T19:49:41.782Z'));
  });
});

describe('HAProxy in the analysis', () => {
  const config = ev(0, 'haproxy.config', { node: 'haproxy', backend: 'docs', servers: [{ name: 'primary', node: 'redis-1', address: '10.0.0.2:6379' }], check: 'PING, expect +PONG' });

  it('no server UP again after the last "no server available": a finding that says RTO never, and why', () => {
    const events = [config, ev(1000, 'haproxy.log', { server: 'primary', state: 'DOWN' }), ev(1000, 'haproxy.log', { server: '', state: 'NOSRV' })];
    const [finding] = haproxyFindings(events, 0, { newPrimary: 'redis-2', ms: 2300 });
    expect(finding).toMatch(/no server UP from 1000 ms after the fault/);
    expect(finding).toMatch(/lists only primary \(redis-1\)/);
    expect(finding).toMatch(/Sentinel promoted redis-2 2300 ms after the fault/);
    expect(haproxySteps(events, 0).map((s) => s.label)).toEqual(['HAProxy: primary DOWN', 'HAProxy: no server available']);
  });

  it('a server UP again afterwards: no finding', () => {
    const events = [config, ev(1000, 'haproxy.log', { server: '', state: 'NOSRV' }), ev(3000, 'haproxy.log', { server: 'redis-2', state: 'UP' })];
    expect(haproxyFindings(events, 0, { newPrimary: 'redis-2', ms: 2300 })).toEqual([]);
  });
});
