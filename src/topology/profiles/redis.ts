/**
 * Redis: the reference. redis.conf in /data, `redis-server /data/redis.conf`, Redis Sentinel as
 * `redis-server /data/sentinel.conf --sentinel`. The upstream image is `redis:7.2`; with no registry,
 * one is built from this host's Debian redis-server (see runtime/docker/images.ts).
 */
import { redisDataNodeConfig, sentinelConfig } from '../serverConfig.ts';
import type { ServerProfile } from './profile.ts';

/**
 * What Redis and its forks share: a redis.conf-format file in /data, the server binary taking it, the
 * same binary in sentinel mode, REPLICAOF, PING; they differ in names (binary, file, auth directives).
 */
export function redisFamily(names: { binary: string; file: string; auth: { auth: string; user: string } }): Pick<ServerProfile, 'dataNode' | 'sentinel' | 'replicaOfCommand' | 'healthCheck' | 'refuse'> {
  return {
    dataNode: (input, role) => ({ files: { [names.file]: redisDataNodeConfig(input, role, names.auth) }, filesDir: '/data', cmd: [names.binary, `/data/${names.file}`] }),
    sentinel: (input, modeLines) => ({ files: { 'sentinel.conf': sentinelConfig(input, modeLines) }, filesDir: '/data', cmd: [names.binary, '/data/sentinel.conf', '--sentinel'] }),
    replicaOfCommand: (host, port) => ['REPLICAOF', host, port],
    healthCheck: { command: ['PING'], expect: 'PONG' },
    refuse: (topology) => dottedConfigNames(topology, names.file),
  };
}

export const redisProfile: ServerProfile = {
  kind: 'redis',
  displayName: 'Redis',
  upstreamImage: 'redis:7.2',
  buildableFromHost: true,
  versionField: 'redis_version',
  sentinelProfile: 'redis',
  ...redisFamily({ binary: 'redis-server', file: 'redis.conf', auth: { auth: 'masterauth', user: 'masteruser' } }),
  knownDifferences: [],
};

/** Dotted serverConfig names are Ferrite TOML keys; redis.conf (Redis, Valkey) has none. */
export function dottedConfigNames(topology: { serverConfig: Record<string, unknown> }, file: string): { path: (string | number)[]; message: string }[] {
  return Object.keys(topology.serverConfig)
    .filter((k) => k.includes('.'))
    .map((k) => ({ path: ['topology', 'serverConfig', k], message: `"${k}" is a Ferrite TOML key (section.key); this server reads ${file} directives such as min-replicas-to-write` }));
}
