/**
 * Server profiles: what differs between Redis, Valkey and Ferrite for the harness. All speak RESP and
 * Sentinel's protocol; they differ in image and binary names.
 */
import type { Scenario } from '../scenario/schema.ts';

export interface ServerProfile {
  kind: Scenario['topology']['server'];
  /** Upstream image used when a registry is reachable; null when there is none to pull. */
  upstreamImage: string | null;
  serverBinary: string;
  /** Whether an image can be built from the host's Debian redis-server when nothing can be pulled. */
  buildableFromHost: boolean;
}

export const PROFILES: Record<ServerProfile['kind'], ServerProfile> = {
  redis: { kind: 'redis', upstreamImage: 'redis:7.2', serverBinary: 'redis-server', buildableFromHost: true },
  valkey: { kind: 'valkey', upstreamImage: 'valkey/valkey:8', serverBinary: 'valkey-server', buildableFromHost: false },
  // Ferrite publishes no image we know of: scenarios name theirs with topology.image.
  ferrite: { kind: 'ferrite', upstreamImage: null, serverBinary: 'ferrite-server', buildableFromHost: false },
};
