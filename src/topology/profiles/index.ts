/** The server profiles by kind: redis (the default), valkey, ferrite. */
import type { ServerKind, ServerProfile } from './profile.ts';
import { redisProfile } from './redis.ts';
import { valkeyProfile } from './valkey.ts';
import { ferriteProfile } from './ferrite.ts';

export type { NodeLaunch, ServerKind, ServerProfile } from './profile.ts';

export const PROFILES: Record<ServerKind, ServerProfile> = {
  redis: redisProfile,
  valkey: valkeyProfile,
  ferrite: ferriteProfile,
};

export function profileFor(kind: ServerKind): ServerProfile {
  return PROFILES[kind];
}

/** The profile whose sentinel watches this server's nodes (Ferrite: Redis's). */
export function sentinelProfileFor(kind: ServerKind): ServerProfile {
  return PROFILES[PROFILES[kind].sentinelProfile];
}
