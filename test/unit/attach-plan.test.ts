/** --attach: the target on the command line, and from probed containers to a plan or a one-sentence refusal. */
import { describe, it, expect } from 'vitest';
import { parseAttachTarget, remoteEngine, isLocalAddress, AttachRefused } from '../../src/topology/provision/attach/target.ts';
import { planAttachment, type PlanInput } from '../../src/topology/provision/attach/plan.ts';
import type { ContainerFacts, Probed, RoleFact } from '../../src/topology/provision/attach/discover.ts';
import { InputError } from '../../src/util/errors.ts';

const target = parseAttachTarget('compose:shop');
const NET = 'shop_default';

function container(name: string, ip: string, extra: Partial<ContainerFacts> = {}): ContainerFacts {
  return { id: `id-${name}`, name, image: 'redis:7', running: true, networks: { [NET]: ip }, names: [name], published: [], ports: [6379, 26379], ...extra };
}
const master = (name: string, ip: string): Probed => ({ container: container(name, ip), port: 6379, via: { host: ip, port: 6379 }, role: { kind: 'master' } });
const replica = (name: string, ip: string, of: string): Probed => ({ container: container(name, ip), port: 6379, via: { host: ip, port: 6379 }, role: { kind: 'slave', masterHost: of, masterPort: 6379, state: 'connected' } });
function sentinel(name: string, ip: string, masters: Record<string, string> = { mymaster: '10.0.0.2' }): Probed {
  const role: RoleFact = { kind: 'sentinel', masters: {}, replicas: {}, peers: {} };
  for (const [m, at] of Object.entries(masters)) role.masters[m] = { name: m, ip: at, port: '6379', quorum: '2', 'down-after-milliseconds': '5000', 'failover-timeout': '60000', 'parallel-syncs': '1' };
  return { container: container(name, ip), port: 26379, via: { host: ip, port: 26379 }, role };
}
const input = (probes: (Probed | null)[], extra: Partial<PlanInput> = {}): PlanInput => ({
  target,
  probed: probes.map((p, i) => ({ name: p?.container.name ?? `silent-${i}`, probe: p })),
  stopped: [],
  masterName: 'mymaster',
  ownAddresses: ['192.168.1.5'],
  ...extra,
});
const healthy = () => [master('m', '10.0.0.2'), replica('r1', '10.0.0.3', '10.0.0.2'), replica('r2', '10.0.0.4', '10.0.0.2'), sentinel('s1', '10.0.0.5'), sentinel('s2', '10.0.0.6'), sentinel('s3', '10.0.0.7')];

describe('the --attach target', () => {
  it('names a Compose project or a label', () => {
    expect(parseAttachTarget('compose:shop')).toEqual({ spec: 'compose:shop', label: 'com.docker.compose.project', value: 'shop' });
    expect(parseAttachTarget('label:team=payments')).toEqual({ spec: 'label:team=payments', label: 'team', value: 'payments' });
  });

  it('refuses anything else as bad input', () => {
    expect(() => parseAttachTarget('shop')).toThrow(/cannot attach to shop: expected compose:<project> or label:<key>=<value>/);
    expect(() => parseAttachTarget('compose:Shop!')).toThrow(InputError);
    expect(() => parseAttachTarget('label:team')).toThrow(AttachRefused);
  });

  it('takes an engine on another machine for what it is', () => {
    expect(remoteEngine(undefined)).toBeNull();
    expect(remoteEngine('unix:///var/run/docker.sock')).toBeNull();
    expect(remoteEngine('tcp://127.0.0.1:2375')).toBeNull();
    expect(remoteEngine('tcp://build-box.example:2376')).toMatch(/DOCKER_HOST=tcp:\/\/build-box.example:2376 is an engine on another machine/);
  });

  it('counts loopback, all interfaces and this machine\'s own addresses as local', () => {
    for (const ip of ['127.0.0.1', '0.0.0.0', '::', '::1', '', '192.168.1.5']) expect(isLocalAddress(ip, ['192.168.1.5']), ip).toBe(true);
    expect(isLocalAddress('203.0.113.9', ['192.168.1.5'])).toBe(false);
  });
});

describe('planning an attachment', () => {
  it('finds primary, replicas, sentinels, master name, quorum and down-after, on the master\'s network', () => {
    const plan = planAttachment(input(healthy()));
    expect(plan).toMatchObject({ network: NET, masterName: 'mymaster', quorum: 2, downAfterMs: 5000, failoverTimeoutMs: 60_000, excluded: [] });
    expect(plan.primary).toMatchObject({ name: 'm', ip: '10.0.0.2', port: 6379, kind: 'data' });
    expect(plan.replicas.map((r) => r.name)).toEqual(['r1', 'r2']);
    expect(plan.sentinels.map((s) => [s.name, s.port])).toEqual([['s1', 26379], ['s2', 26379], ['s3', 26379]]);
  });

  it('matches replicas that name their primary by hostname, and leaves out what answered nothing', () => {
    const probes = healthy();
    probes[0].container.names.push('redis-master');
    probes[1] = replica('r1', '10.0.0.3', 'redis-master');
    const plan = planAttachment(input([...probes, null]));
    expect(plan.replicas.map((r) => r.name)).toEqual(['r1', 'r2']);
    expect(plan.excluded).toEqual(['silent-6: nothing answered ROLE on its ports']);
  });

  it('uses the published port only when it is on loopback or all interfaces', () => {
    const probes = healthy();
    probes[0].container.published = [{ port: 6379, hostIp: '127.0.0.1', hostPort: 32001 }];
    probes[1].container.published = [{ port: 6379, hostIp: '192.168.1.5', hostPort: 32002 }];
    const plan = planAttachment(input(probes));
    expect(plan.primary.hostPort).toBe(32001);
    expect(plan.replicas[0].hostPort).toBe(0);
  });

  const refusals: [string, () => PlanInput, RegExp][] = [
    ['nothing labelled', () => input([]), /^cannot attach to compose:shop: no container is labelled com.docker.compose.project=shop$/],
    ['only stopped containers', () => input([], { stopped: ['m', 'r1'] }), /the 2 container\(s\) labelled .* \(m, r1\) are not running$/],
    ['nothing answers', () => input([null, null]), /none of its 2 running container\(s\) answers ROLE/],
    ['no sentinel', () => input(healthy().slice(0, 3)), /its 3 Redis data node\(s\) are watched by no Redis Sentinel among its containers, and a failover drill needs sentinels to promote a replica$/],
    ['one node', () => input([master('m', '10.0.0.2'), sentinel('s1', '10.0.0.5')]), /it has a single data node \(m\), so there is no replica to fail over to$/],
    ['two primaries', () => input([...healthy(), master('other', '10.0.0.9')]), /it holds 2 primaries \(m, other\) where a drill needs one replication group/],
    ['a replica of someone else', () => input([...healthy().slice(0, 2), replica('r2', '10.0.0.4', '10.9.9.9'), ...healthy().slice(3)]), /r2 replicates from 10.9.9.9:6379, not from mymaster's primary m, so it has mixed masters$/],
    ['sentinels disagree', () => input([...healthy().slice(0, 5), sentinel('s3', '10.0.0.7', { mymaster: '10.0.0.3' })]), /its sentinels disagree on where mymaster is \(10.0.0.2:6379 vs 10.0.0.3:6379\), so it has mixed masters$/],
    ['several masters, none named', () => input([...healthy().slice(0, 3), sentinel('s1', '10.0.0.5', { a: '10.0.0.2', b: '10.0.0.8' })]), /its sentinels monitor several masters \(a, b\) and the scenario's topology.sentinel.masterName "mymaster" is none of them/],
    ['a port published elsewhere', () => {
      const probes = healthy();
      probes[3].container.published = [{ port: 26379, hostIp: '203.0.113.9', hostPort: 26379 }];
      return input(probes);
    }, /s1 publishes port 26379 on 203.0.113.9, which is not an address of this machine/],
  ];
  for (const [what, make, message] of refusals) {
    it(`refuses: ${what}, in one sentence (bad input, exit 2)`, () => {
      let caught: unknown;
      try {
        planAttachment(make());
      } catch (err) {
        caught = err;
      }
      expect(caught).toBeInstanceOf(AttachRefused);
      expect(caught).toBeInstanceOf(InputError);
      expect((caught as Error).message).toMatch(message);
      expect((caught as Error).message).not.toContain('\n');
    });
  }

  it('picks the scenario\'s master name when the sentinels monitor several', () => {
    const plan = planAttachment(input([...healthy().slice(0, 3), sentinel('s1', '10.0.0.5', { mymaster: '10.0.0.2', other: '10.0.0.8' })]));
    expect(plan.masterName).toBe('mymaster');
  });
});
