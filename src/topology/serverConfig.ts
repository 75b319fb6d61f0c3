/**
 * The config files the harness writes for the nodes it creates. Every directive goes into the file
 * (nothing on the command line, which `docker inspect` shows): the drill's defaults, the scenario's
 * serverConfig, TLS and authentication, then the HA mode's own lines.
 */
import type { Scenario } from '../scenario/schema.ts';
import type { Credentials } from './secrets.ts';
import { tlsConfig } from './tls.ts';

export const REDIS_PORT = 6379;
export const SENTINEL_PORT = 26379;

/** One redis.conf line; values with spaces, quotes or nothing at all are quoted the way redis.conf reads them. */
export function directive(name: string, value: string | number | boolean): string {
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

/** redis.conf for a data node: drill defaults, then the scenario's directives (which win), then the mode's lines. */
export function dataNodeConfig(input: ConfigInput, modeLines: string[]): string {
  const { topology } = input;
  const lines = [
    '# written by ferrite-drill',
    ...(input.tls ? tlsConfig(REDIS_PORT, topology.tls!.clientAuth) : [directive('port', REDIS_PORT)]),
    directive('protected-mode', 'no'),
    // No persistence unless the scenario asks for it: a restarted node comes back empty (said in the README).
    directive('save', ''),
    directive('appendonly', 'no'),
    ...(input.enableDebugCommand ? [directive('enable-debug-command', 'yes')] : []),
    ...Object.entries(topology.serverConfig).map(([k, v]) => directive(k, v)),
    ...dataNodeAuth(input.credentials),
    ...modeLines,
    '',
  ];
  return lines.join('\n');
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
function dataNodeAuth(c: Credentials | undefined): string[] {
  if (!c) return [];
  if (c.user) return ['user default off', `user ${c.user} on >${c.password} ~* &* +@all`, `masteruser ${c.user}`, `masterauth ${c.password}`];
  return [`requirepass ${c.password}`, `masterauth ${c.password}`];
}
