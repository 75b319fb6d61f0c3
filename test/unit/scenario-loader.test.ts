import { describe, it, expect } from 'vitest';
import { parseScenarioText, loadScenario, ScenarioError } from '../../src/scenario/loader.ts';
import { InputError } from '../../src/util/errors.ts';
import { parseDurationMs } from '../../src/util/time.ts';

const base = 'name: t\nduration: 10s\n';

function errorOf(text: string | Buffer, file = 'f.yaml'): string {
  try {
    parseScenarioText(text, file);
  } catch (err) {
    expect(err).toBeInstanceOf(ScenarioError);
    expect(err).toBeInstanceOf(InputError);
    return (err as Error).message;
  }
  throw new Error('expected a ScenarioError');
}

describe('scenario loader', () => {
  it('loads the built-in primary-crash with its defaults filled in', async () => {
    const { scenario, file } = await loadScenario('primary-crash');
    expect(file).toMatch(/scenarios\/primary-crash\.yaml$/);
    expect(scenario.topology).toMatchObject({ server: 'redis', image: 'auto', replicas: 2, sentinels: 3 });
    expect(scenario.topology.sentinel).toMatchObject({ masterName: 'mymaster', quorum: 2, downAfter: 1000, parallelSyncs: 1 });
    expect(scenario.load).toMatchObject({ writers: 4, rate: 'unlimited', wait: { replicas: 1, timeout: 100 } });
    expect(scenario.timeline[0]).toMatchObject({ at: 4000, fault: 'kill', target: 'primary', signal: 'SIGKILL' });
    expect(scenario.duration).toBe(14_000);
  });

  it('every built-in scenario is valid', async () => {
    const { listBuiltinScenarios } = await import('../../src/scenario/loader.ts');
    const all = await listBuiltinScenarios();
    expect(all.map((s) => s.name)).toContain('primary-partition');
    expect(all.length).toBeGreaterThanOrEqual(11);
  });

  it('names line and column of a YAML syntax error', () => {
    expect(errorOf('name: t\nduration: 10s\ntopology:\n  replicas: [1, 2\n')).toMatch(/^f\.yaml:\d+:\d+: YAML syntax error/);
    expect(errorOf('name: x\n  duration: : 5s\n')).toMatch(/^f\.yaml:1:7: YAML syntax error/);
  });

  it('an unknown field gets a did-you-mean and its own line', () => {
    expect(errorOf(`${base}topology:\n  replicsa: 2\n`)).toBe('f.yaml:4:3: topology.replicsa: unknown field "replicsa" (did you mean "replicas"?)');
    expect(errorOf(`${base}lod:\n  writers: 2\n`)).toBe('f.yaml:3:1: lod: unknown field "lod" (did you mean "load"?)');
  });

  it('a wrong type names the field and the line of the value', () => {
    expect(errorOf(`${base}topology:\n  replicas: two\n`)).toBe('f.yaml:4:13: topology.replicas: Invalid input: expected number, received string');
  });

  it('a missing required field points at its parent', () => {
    expect(errorOf('name: t\n')).toBe('f.yaml:1:1: duration: required field is missing');
  });

  it('rejects a fault after the drill ends, quorum above the sentinel count, WAIT for more replicas than exist', () => {
    expect(errorOf(`${base}timeline:\n  - at: 12s\n    fault: kill\n`)).toBe("f.yaml:4:9: timeline[0].at: fault at 12000 ms is not before the drill's end (duration 10000 ms)");
    expect(errorOf(`${base}topology:\n  sentinels: 3\n  sentinel:\n    quorum: 5\n`)).toBe('f.yaml:6:13: topology.sentinel.quorum: quorum 5 is larger than the 3 sentinels');
    expect(errorOf(`${base}topology:\n  replicas: 1\nload:\n  wait:\n    replicas: 2\n`)).toBe('f.yaml:7:15: load.wait.replicas: WAIT for 2 replicas but the topology has 1');
  });

  it('rejects targets that cannot exist and heals of unknown faults', () => {
    expect(errorOf(`${base}topology:\n  replicas: 0\nload:\n  wait: { replicas: 0 }\ntimeline:\n  - { at: 1s, fault: kill, target: replica }\n`)).toMatch(
      /^f\.yaml:8:\d+: timeline\[0\]\.target: target "replica" needs replicas, and the topology has none$/,
    );
    expect(errorOf(`${base}timeline:\n  - { at: 1s, fault: kill, target: redis-9 }\n`)).toMatch(/timeline\[0\]\.target: no node "redis-9": this topology has redis-1 to redis-3/);
    expect(errorOf(`${base}timeline:\n  - { at: 1s, fault: heal, of: nope }\n`)).toMatch(/timeline\[0\]\.of: no earlier fault has id "nope"/);
    expect(errorOf(`${base}timeline:\n  - { at: 1s, fault: partition, groups: [[primary], [replicaz]] }\n`)).toMatch(/timeline\[0\]\.groups\[1\]\[0\]: a partition party is/);
  });

  it('an expectation on an unknown metric is rejected with a suggestion', () => {
    expect(errorOf(`${base}expect:\n  rto: { max: 1 }\n`)).toBe('f.yaml:4:3: expect.rto: unknown field "rto" (did you mean "rtoMs"?)');
  });

  it('empty files, lists and non-UTF-8 bytes get one clear message', () => {
    expect(errorOf('')).toMatch(/^f\.yaml:1:1: the file is empty/);
    expect(errorOf('- a\n- b\n')).toMatch(/^f\.yaml:1:1: a scenario is a YAML mapping/);
    expect(errorOf(Buffer.concat([Buffer.from('name: t\nduration: 1s\n# caf'), Buffer.from([0xe9, 0x0a])]))).toBe('f.yaml:3: the file is not valid UTF-8 (scenario files are UTF-8 text)');
  });

  it('parses durations in ms, s, m', () => {
    expect(parseDurationMs('1.5s')).toBe(1500);
    expect(parseDurationMs('2m')).toBe(120_000);
    expect(parseDurationMs(250)).toBe(250);
    expect(parseDurationMs('250ms')).toBe(250);
    expect(parseDurationMs('soon')).toBeNull();
    expect(parseScenarioText('name: t\nduration: 1m\n', 'f.yaml').duration).toBe(60_000);
  });

  it('an unknown built-in name lists the known ones', async () => {
    await expect(loadScenario('primary-crsh')).rejects.toThrow(/unknown scenario "primary-crsh"; built-in scenarios: .*primary-crash/);
  });
});

describe('node host settings and zones', () => {
  it('reads sizes in binary units, as redis.conf does, and keeps zones as written', () => {
    const s = parseScenarioText(
      [
        'name: t',
        'duration: 10s',
        'topology:',
        '  nodes:',
        '    redis-1: { memory: 64mb, dataDisk: 512kb }',
        '    redis-2: { memory: 1.5gb }',
        '    sentinel-1: { memory: 4096 }',
        '  zones: { a: [redis-1, sentinel-1], b: [redis-2] }',
        'timeline:',
        '  - { at: 2s, fault: zone-down, zone: primary }',
        '  - { at: 3s, fault: memory-fill, target: zone:b }',
      ].join('\n'),
      'f.yaml',
    );
    expect(s.topology.nodes).toEqual({ 'redis-1': { memory: 64 * 1024 * 1024, dataDisk: 512 * 1024 }, 'redis-2': { memory: 1.5 * 1024 ** 3 }, 'sentinel-1': { memory: 4096 } });
    expect(s.topology.zones).toEqual({ a: ['redis-1', 'sentinel-1'], b: ['redis-2'] });
    expect(s.timeline[0]).toMatchObject({ fault: 'zone-down', zone: 'primary', how: 'kill' });
    expect(s.timeline[1]).toMatchObject({ fault: 'memory-fill', target: 'zone:b', bytes: 1024 ** 3, valueSize: 256 * 1024 });
  });

  it('has no zones and no host limits by default', () => {
    const s = parseScenarioText('name: t\nduration: 10s\n', 'f.yaml');
    expect(s.topology.nodes).toEqual({});
    expect(s.topology.zones).toBeUndefined();
  });
});
