/**
 * Valkey 8: Redis's protocol and redis.conf format; `valkey-server`, and Valkey Sentinel as the same
 * binary in sentinel mode. primaryauth / primaryuser are its main names (masterauth / masteruser remain
 * aliases). INFO server says redis_version:7.2.4 for compatibility; the real version is valkey_version
 * (and server_name:valkey). No image can be built here: a registry or a local image is needed.
 */
import type { ServerProfile } from './profile.ts';
import { redisFamily } from './redis.ts';

export const valkeyProfile: ServerProfile = {
  kind: 'valkey',
  displayName: 'Valkey',
  upstreamImage: 'valkey/valkey:8',
  buildableFromHost: false,
  versionField: 'valkey_version',
  sentinelProfile: 'valkey',
  ...redisFamily({ binary: 'valkey-server', file: 'valkey.conf', auth: { auth: 'primaryauth', user: 'primaryuser' } }),
  knownDifferences: [
    'INFO server reports redis_version:7.2.4 for compatibility; the real version is valkey_version (server_name:valkey), which is what the report shows.',
    'SENTINEL also answers PRIMARY / PRIMARIES / GET-PRIMARY-ADDR-BY-NAME; the Redis names the harness sends remain.',
    'Replication auth is written as primaryauth / primaryuser (the master* names remain aliases).',
  ],
};
