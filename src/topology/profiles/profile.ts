/**
 * A server profile: what the harness must know of one Redis-compatible server to drill it. How a data
 * node is configured and started (redis.conf or Ferrite's TOML, the file's place, the command line),
 * how it becomes a replica, how its health is checked, which INFO field carries its real version,
 * which sentinel watches it (Ferrite ships none: Redis Sentinel from the redis profile), its images,
 * what a scenario may not ask of it, and its known differences. Which HA capabilities it really has
 * is not declared here: the preflight (src/preflight) checks them on the running nodes.
 */
import type { Scenario } from '../../scenario/schema.ts';
import type { ConfigInput, DataNodeRole } from '../serverConfig.ts';

export type ServerKind = Scenario['topology']['server'];

/** What goes into a container for one node: its files, where they go, and the command line. */
export interface NodeLaunch {
  files: Record<string, string>;
  /** Folder in the container the files are put into before the start. */
  filesDir: string;
  /** The container's command. */
  cmd: string[];
  /**
   * A command that replaces the image's entrypoint; absent: the image's own entrypoint runs `cmd`
   * (Ferrite's image: ENTRYPOINT ferrite, so `cmd` is its arguments).
   */
  entrypoint?: string[];
}

/** A scenario setting this server cannot honour: bad input, with the field's path. */
export interface ProfileRefusal {
  path: (string | number)[];
  message: string;
}

export interface ServerProfile {
  readonly kind: ServerKind;
  /** The server's name as people write it ("Valkey"). */
  readonly displayName: string;
  /** The image pulled when topology.image is "auto" (null: none is published that we can pull by default). */
  readonly upstreamImage: string | null;
  /** Whether an image can be built from this host's Debian redis-server when nothing can be pulled. */
  readonly buildableFromHost: boolean;
  /** The INFO server field that carries the real version (Valkey also reports redis_version 7.2.4). */
  readonly versionField: string;
  /** Which profile's sentinel watches this server's nodes (itself when it ships one). */
  readonly sentinelProfile: ServerKind;
  /** A data node's files and command line. */
  dataNode(input: ConfigInput, role: DataNodeRole): NodeLaunch;
  /** A sentinel's files and command line; only profiles that ship a sentinel (sentinelProfile === kind). */
  sentinel?(input: ConfigInput, modeLines: string[]): NodeLaunch;
  /** The command that makes a running node a replica (what Sentinel sends at a failover, too). */
  replicaOfCommand(host: string, port: number): [string, ...(string | number)[]];
  /** The health check: a command and the reply a healthy node gives. */
  readonly healthCheck: { command: [string, ...string[]]; expect: string };
  /** Scenario settings this server cannot honour (checked when the scenario is loaded). */
  refuse(topology: Scenario['topology']): ProfileRefusal[];
  /** Differences from Redis a drill's reader should know, in sentences (README, report). */
  readonly knownDifferences: string[];
}
