/**
 * Server profiles: the version probe on real INFO texts (Redis 7.0.15 captured from this host's
 * redis-server; Valkey 8 in the field layout of Valkey's INFO documentation), Ferrite's TOML generated
 * from scenarios and held against Ferrite's documented format (a transcription kept in
 * test/fixtures/servers/ferrite-config-format.ts), the redis.conf / valkey.conf a data node gets, and
 * which preflight checks a drill relies on.
 */
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'smol-toml';
import { parseServerIdentity } from '../../src/topology/profiles/identity.ts';
import { describeIdentity } from '../../src/record/server.ts';
import { PROFILES } from '../../src/topology/profiles/index.ts';
import { FERRITE_CONFIG_DIR } from '../../src/topology/profiles/ferrite.ts';
import { scenarioSchema } from '../../src/scenario/schema.ts';
import { loadScenario } from '../../src/scenario/loader.ts';
import { requirementsOf } from '../../src/preflight/requirements.ts';
import type { ConfigInput } from '../../src/topology/serverConfig.ts';
import { DOCUMENTED_NOT_PARSED, ENUMS, PARSED, type TomlType } from '../fixtures/servers/ferrite-config-format.ts';

const FIXTURES = join(import.meta.dirname, '../fixtures/servers');
const fixture = (name: string) => readFileSync(join(FIXTURES, name), 'utf8');

function input(topology: Record<string, unknown>): ConfigInput {
  const s = scenarioSchema.parse({ name: 'x', duration: '10s', topology });
  return { topology: s.topology, tls: false, enableDebugCommand: true };
}

describe('version probe (INFO server)', () => {
  it('Valkey: the real version from valkey_version, not the redis_version 7.2.4 it reports', () => {
    const id = parseServerIdentity(fixture('valkey-8-info-server.txt'));
    expect(id).toEqual({ name: 'valkey', version: '8.0.1', redisVersion: '7.2.4' });
    expect(describeIdentity(id)).toBe('valkey 8.0.1 (reports redis_version 7.2.4 for compatibility)');
  });

  it('Redis: redis_version, as this host\'s redis-server 7.0.15 reported it', () => {
    expect(parseServerIdentity(fixture('redis-7.0.15-info-server.txt'))).toEqual({ name: 'redis', version: '7.0.15', redisVersion: null });
  });

  it('Ferrite: ferrite_version; a server_name without its own version field falls back to redis_version; nothing usable is null', () => {
    expect(parseServerIdentity('# Server\r\nferrite_version:0.3.0\r\nrun_id:ab\r\n')).toEqual({ name: 'ferrite', version: '0.3.0', redisVersion: null });
    expect(parseServerIdentity('# Server\nserver_name:keydb\nredis_version:6.3.4\n')).toEqual({ name: 'keydb', version: '6.3.4', redisVersion: null });
    expect(parseServerIdentity('')).toBeNull();
    expect(parseServerIdentity('-ERR unknown command')).toBeNull();
  });
});

describe('Ferrite TOML, generated from a scenario, against Ferrite\'s documented format', () => {
  const ferrite = PROFILES.ferrite;
  const topology = {
    server: 'ferrite',
    serverConfig: { appendonly: 'yes', save: '900 1', 'min-replicas-to-write': 1, 'min-replicas-max-lag': 5, 'repl-backlog-size': '1mb', 'maxmemory-policy': 'noeviction', 'repl-diskless-sync-delay': 0, 'storage.backend': 'hybridlog' },
  };
  const replica = ferrite.dataNode(input(topology), { replicaOf: { host: '172.20.0.2', port: 6379 }, modeLines: [] });
  const primary = ferrite.dataNode(input({ server: 'ferrite' }), { replicaOf: null, modeLines: [] });
  const fileOf = (launch: typeof replica) => {
    const [name, text] = Object.entries(launch.files)[0];
    return { path: `${launch.filesDir}/${name}`, text, doc: parse(text) as Record<string, Record<string, unknown>> };
  };

  it('is valid TOML whose every section and key Ferrite documents, with the documented type and values', () => {
    for (const launch of [replica, primary]) {
      const { doc } = fileOf(launch);
      for (const [section, keys] of Object.entries(doc)) {
        for (const [key, value] of Object.entries(keys)) {
          const documented: TomlType | undefined = PARSED[section]?.[key] ?? DOCUMENTED_NOT_PARSED[section]?.[key];
          expect(documented, `${section}.${key} is not in Ferrite's documented format`).toBeDefined();
          const actual: TomlType = typeof value === 'boolean' ? 'boolean' : typeof value === 'string' ? 'string' : Number.isInteger(Number(value)) ? 'integer' : ('float' as TomlType);
          expect(actual, `${section}.${key}`).toBe(documented);
          if (ENUMS[`${section}.${key}`]) expect(ENUMS[`${section}.${key}`]).toContain(value);
        }
      }
    }
  });

  it('a replica names its primary as replicaof = "host:port"; a primary has none; the container listens on every address', () => {
    expect(fileOf(replica).doc.replication.replicaof).toBe('172.20.0.2:6379');
    expect(fileOf(primary).doc.replication?.replicaof).toBeUndefined();
    expect(fileOf(primary).doc.server).toMatchObject({ bind: '0.0.0.0', port: 6379 });
  });

  it('translates the scenario: persistence on, checkpoints from save, sizes in bytes, Ferrite\'s spelling of noeviction, dotted keys as written', () => {
    const { doc } = fileOf(replica);
    expect(doc.persistence).toMatchObject({ aof_enabled: true, checkpoint_enabled: true, checkpoint_interval: 900 });
    expect(doc.replication).toMatchObject({ backlog_size: 1048576, min_replicas_to_write: 1, min_replicas_max_lag: 5 });
    expect(doc.storage).toMatchObject({ backend: 'hybridlog', eviction_policy: 'no-eviction' });
    // The drill's default: no persistence.
    expect(fileOf(primary).doc.persistence).toMatchObject({ aof_enabled: false, checkpoint_enabled: false });
  });

  it('says in the file what it wrote that Ferrite ignores, and what it left out', () => {
    const { text } = fileOf(replica);
    for (const key of Object.keys(fileOf(replica).doc.replication)) {
      if (DOCUMENTED_NOT_PARSED.replication[key]) expect(text).toMatch(new RegExp(`# replication\\.${key} is documented .* read nowhere`));
    }
    expect(text).toMatch(/# repl-diskless-sync-delay left out/);
    expect(text).not.toMatch(/^repl_diskless/m);
  });

  it('the command line points the image\'s entrypoint at the file it is put in', () => {
    const { path } = fileOf(replica);
    expect(path).toBe(`${FERRITE_CONFIG_DIR}/ferrite.toml`);
    expect(replica.cmd).toEqual(['--config', path]);
    expect(replica.entrypoint).toBeUndefined();
    expect(ferrite.sentinelProfile).toBe('redis');
    expect(ferrite.sentinel).toBeUndefined();
  });
});

describe('redis.conf and valkey.conf', () => {
  it('a replica gets replicaof; Valkey writes its own auth names and binary', () => {
    const auth = { password: 'pw', origin: [] };
    const role = { replicaOf: { host: '10.0.0.2', port: 6379 }, modeLines: ['cluster-enabled no'] };
    const redis = PROFILES.redis.dataNode({ ...input({}), credentials: auth }, role);
    const valkey = PROFILES.valkey.dataNode({ ...input({ server: 'valkey' }), credentials: auth }, role);
    expect(redis.cmd).toEqual(['redis-server', '/data/redis.conf']);
    expect(valkey.cmd).toEqual(['valkey-server', '/data/valkey.conf']);
    const conf = (l: typeof redis) => Object.values(l.files)[0].split('\n');
    expect(conf(redis)).toEqual(expect.arrayContaining(['replicaof 10.0.0.2 6379', 'masterauth pw', 'save ""', 'appendonly no', 'cluster-enabled no']));
    expect(conf(valkey)).toEqual(expect.arrayContaining(['replicaof 10.0.0.2 6379', 'primaryauth pw']));
    expect(conf(valkey)).not.toContain('masterauth pw');
    expect(PROFILES.valkey.sentinel!(input({ server: 'valkey' }), []).cmd).toEqual(['valkey-server', '/data/sentinel.conf', '--sentinel']);
  });

  it('the scenario\'s directives replace the defaults instead of repeating them', () => {
    const lines = Object.values(PROFILES.redis.dataNode(input({ serverConfig: { appendonly: 'yes' } }), { replicaOf: null, modeLines: [] }).files)[0].split('\n');
    expect(lines.filter((l) => l.startsWith('appendonly'))).toEqual(['appendonly yes']);
  });
});

describe('what a drill relies on (preflight requirements)', () => {
  it('primary-crash: replication, WAIT, REPLICAOF, the sentinels and persistence (a node is killed); not min-replicas, SHUTDOWN or SIGTERM', async () => {
    const r = requirementsOf((await loadScenario('primary-crash')).scenario);
    for (const id of ['info-replication', 'role', 'write-replicates', 'wait', 'offsets-advance', 'replicaof', 'sentinel', 'persistence'] as const) expect(r[id].required, id).toBe(true);
    expect(r['min-replicas']).toMatchObject({ required: false, skip: true });
    expect(r.shutdown.required).toBe(false);
    expect(r.sigterm.required).toBe(false);
  });

  it('min-replicas when the scenario sets it; SIGTERM when a fault stops a node; cluster mode needs neither REPLICAOF nor sentinels', async () => {
    expect(requirementsOf((await loadScenario('primary-partition-min-replicas')).scenario)['min-replicas'].required).toBe(true);
    const stop = scenarioSchema.parse({ name: 'x', duration: '10s', timeline: [{ at: '2s', fault: 'stop', target: 'replica' }] });
    expect(requirementsOf(stop).sigterm.required).toBe(true);
    const cluster = requirementsOf((await loadScenario('cluster-primary-crash')).scenario);
    expect(cluster.replicaof.skip).toBe(true);
    expect(cluster.sentinel.skip).toBe(true);
    expect(cluster['info-replication'].required).toBe(true);
  });

  it('without WAIT the WAIT check is reported but not needed; without replicas nothing of replication is', () => {
    const noWait = scenarioSchema.parse({ name: 'x', duration: '10s', load: { wait: { replicas: 0 } } });
    expect(requirementsOf(noWait).wait).toMatchObject({ required: false });
    expect(requirementsOf(noWait).wait.skip).toBeUndefined();
    const alone = scenarioSchema.parse({ name: 'x', duration: '10s', topology: { replicas: 0, sentinels: 0 }, load: { wait: { replicas: 0 } } });
    expect(requirementsOf(alone)['write-replicates'].skip).toBe(true);
  });
});
