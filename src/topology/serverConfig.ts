/**
 * What the harness asks of the nodes it creates, before any server's file format: the drill's
 * defaults and the scenario's directives, composed in redis.conf names (`composeDirectives`, the one
 * place presets or config files would be merged in). Each server profile renders that into its own
 * file (redis.conf here; Ferrite's TOML in profiles/ferrite.ts). Every directive goes into the file
 * (nothing on the command line, which `docker inspect` shows).
 */
import type { Scenario } from '../scenario/schema.ts';
import type { Credentials } from './secrets.ts';
import { tlsConfig } from './tls.ts';

export const REDIS_PORT = 6379;
export const SENTINEL_PORT = 26379;

export type DirectiveValue = string | number | boolean;
/** A redis.conf directive as the harness composes it: name and value. */
export type Directive = readonly [name: string, value: DirectiveValue];

/** One redis.conf line; values with spaces, quotes or nothing at all are quoted the way redis.conf reads them. */
export function directive(name: string, value: DirectiveValue): string {
  const text = typeof value === 'boolean' ? (value ? 'yes' : 'no') : String(value);
  const needsQuotes = text === '' || /[\s"'\\]/.test(text);
  return `${name} ${needsQuotes ? `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"` : text}`;
}

export interface ConfigInput {
  topology: Scenario['topology'];
  credentials?: Credentials;
  /** TLS is on for this run (the material is written beside the config). */
  tls: boolean;
  /** DEBUG SLEEP (the stall fault) needs the DEBUG command, off by default since Redis 7. */
  enableDebugCommand: boolean;
}

/** What a data node is, beyond the drill-wide settings: its initial primary, and the HA mode's own lines. */
export interface DataNodeRole {
  /** The node starts as a replica of this address (null: it starts as a primary). */
  replicaOf: { host: string; port: number } | null;
  /** The HA mode's redis.conf lines (cluster-enabled ...); servers without redis.conf refuse such modes up front. */
  modeLines: string[];
  /** Directives that win over the scenario's for this node only (a throwaway preflight node's fast sync). */
  overrides?: Directive[];
}

/**
 * The drill's defaults, then the scenario's directives (which win, keeping the defaults' order), in
 * redis.conf names. Later entries of the same name replace earlier ones.
 */
export function composeDirectives(input: ConfigInput, overrides: Directive[] = []): Directive[] {
  const merged = new Map<string, DirectiveValue>([
    // No persistence unless the scenario asks for it: a restarted node comes back empty (said in the README).
    ['save', ''],
    ['appendonly', 'no'],
    ...(input.enableDebugCommand ? ([['enable-debug-command', 'yes']] as const) : []),
  ]);
  for (const [k, v] of [...Object.entries(input.topology.serverConfig), ...overrides]) {
    merged.delete(k);
    merged.set(k, v);
  }
  return [...merged];
}

/**
 * redis.conf for a data node: port (or TLS), the composed directives, authentication, the initial
 * replicaof, then the mode's lines. `names` picks the spelling of the replication-auth directives
 * (Valkey's primaryauth / primaryuser; Redis's masterauth / masteruser).
 */
export function redisDataNodeConfig(input: ConfigInput, role: DataNodeRole, names: { auth: string; user: string } = { auth: 'masterauth', user: 'masteruser' }): string {
  const { topology } = input;
  return [
    '# written by ferrite-drill',
    ...(input.tls ? tlsConfig(REDIS_PORT, topology.tls!.clientAuth) : [directive('port', REDIS_PORT)]),
    directive('protected-mode', 'no'),
    ...composeDirectives(input, role.overrides).map(([k, v]) => directive(k, v)),
    ...dataNodeAuth(input.credentials, names),
    ...(role.replicaOf ? [`replicaof ${role.replicaOf.host} ${role.replicaOf.port}`] : []),
    ...role.modeLines,
    '',
  ].join('\n');
}

/** sentinel.conf: port (or TLS), the sentinel's own password, then the mode's monitor lines. */
export function sentinelConfig(input: ConfigInput, modeLines: string[]): string {
  const c = input.credentials;
  return [
    '# written by ferrite-drill',
    ...(input.tls ? tlsConfig(SENTINEL_PORT, input.topology.tls!.clientAuth) : [directive('port', SENTINEL_PORT)]),
    directive('protected-mode', 'no'),
    ...(c?.sentinelPassword ? [`requirepass ${c.sentinelPassword}`, `sentinel sentinel-pass ${c.sentinelPassword}`] : []),
    ...modeLines,
    '',
  ].join('\n');
}

/** Config lines that secure a data node (in the file: argv shows in `docker inspect`). */
function dataNodeAuth(c: Credentials | undefined, names: { auth: string; user: string }): string[] {
  if (!c) return [];
  if (c.user) return ['user default off', `user ${c.user} on >${c.password} ~* &* +@all`, `${names.user} ${c.user}`, `${names.auth} ${c.password}`];
  return [`requirepass ${c.password}`, `${names.auth} ${c.password}`];
}
