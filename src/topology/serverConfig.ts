/**
 * What the harness asks of the nodes it creates, before any server's file format: the drill's
 * defaults, the preset and the scenario's directives, composed in redis.conf names (`composeDirectives`).
 * Each server profile renders that into its own file (redis.conf here; Ferrite's TOML in
 * profiles/ferrite.ts). With the user's own redis.conf / sentinel.conf (topology.configFiles) the file
 * is the base: its lines are kept in place, those the harness must set are commented out, and every
 * such change is listed with its reason (`configChanges`). Every line knows where it came from, so a
 * directive the server rejects is named by its file and line (runtime/docker/configCheck.ts). Every
 * directive goes into the file (nothing on the command line, which `docker inspect` shows).
 */
import type { Scenario } from '../scenario/schema.ts';
import type { Credentials } from './secrets.ts';
import { tlsConfig } from './tls.ts';
import { readConfFile, type ConfEntry } from './confFile.ts';
import { PRESET_DIRECTIVES } from './presets.ts';

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

/** Where a line of a generated config came from: what a rejected directive is blamed on. */
export type LineOrigin =
  | { from: 'file'; file: string; line: number }
  | { from: 'serverConfig'; key: string }
  | { from: 'preset'; preset: string }
  | { from: 'harness'; why: string };

export interface ConfigLine {
  text: string;
  origin: LineOrigin;
}

/** A line of the user's config file the harness replaced or removed, and why (result.json, report). */
export interface ConfigChange {
  file: string;
  line: number;
  directive: string;
  /** The line as the user wrote it. */
  was: string;
  /** What the node runs with instead (null: removed). */
  now: string | null;
  why: string;
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

interface Composed {
  name: string;
  value: DirectiveValue;
  origin: LineOrigin;
}

/**
 * The drill's defaults (only without a config file: then the file is the base), the preset, then the
 * scenario's serverConfig (which wins), then per-node overrides, in redis.conf names. Later entries of
 * the same name replace earlier ones, keeping the first one's place.
 */
function composed(input: ConfigInput, overrides: Directive[] = []): Composed[] {
  const merged = new Map<string, Composed>();
  const put = (name: string, value: DirectiveValue, origin: LineOrigin) => {
    merged.delete(name);
    merged.set(name, { name, value, origin });
  };
  const t = input.topology;
  if (!t.configFiles?.server) {
    // No persistence unless the scenario asks for it: a restarted node comes back empty (said in the README).
    const why = 'the drill\'s default without a config file: no persistence';
    put('save', '', { from: 'harness', why });
    put('appendonly', 'no', { from: 'harness', why });
  }
  if (input.enableDebugCommand) put('enable-debug-command', 'yes', { from: 'harness', why: 'the stall fault sends DEBUG SLEEP, which Redis 7 refuses by default' });
  if (t.preset) for (const [k, v] of PRESET_DIRECTIVES[t.preset]) put(k, v, { from: 'preset', preset: t.preset });
  for (const [k, v] of Object.entries(t.serverConfig)) put(k, v, { from: 'serverConfig', key: k });
  for (const [k, v] of overrides) put(k, v, { from: 'harness', why: 'a throwaway preflight node\'s own setting' });
  return [...merged.values()];
}

export function composeDirectives(input: ConfigInput, overrides: Directive[] = []): Directive[] {
  return composed(input, overrides).map((c) => [c.name, c.value] as const);
}

/** The value a data node runs with for one directive, as far as the files say: the composed one, else the config file's last. */
export function effectiveDirective(input: ConfigInput, name: string): string | undefined {
  const found = composed(input).find((c) => c.name === name);
  if (found) return typeof found.value === 'boolean' ? (found.value ? 'yes' : 'no') : String(found.value);
  const file = input.topology.configFiles?.server;
  if (!file) return undefined;
  const lines = readConfFile(file).entries.filter((e) => e.name === name);
  // `save` lines add up (a `save ""` clears what came before); a file without one keeps the server's default.
  if (name === 'save') {
    if (lines.length === 0) return DEFAULT_SAVE;
    const cleared = lines.map((e) => e.args.join('') === '').lastIndexOf(true);
    return lines.slice(cleared + 1).map((e) => e.args.join(' ')).join(' ');
  }
  return lines.at(-1)?.args.join(' ');
}

/** Redis 7's (and Valkey's) RDB snapshots when no config says otherwise. */
const DEFAULT_SAVE = '3600 1 300 100 60 10000';

/**
 * Directives of a user's redis.conf that the harness must set itself, with the reason the report gives.
 * Returns null for a directive the file may keep.
 */
function dataNodeOwner(name: string, input: ConfigInput, modeNames: Set<string>): string | null {
  if (name === 'port' || name === 'tls-port') return `the drill's nodes listen on ${REDIS_PORT} (published on 127.0.0.1 for the harness)`;
  if (name === 'bind' || name === 'protected-mode') return 'the node must accept the harness and the other nodes on its container address';
  if (name === 'daemonize') return 'the server must stay in the foreground of its container';
  if (name === 'logfile' || name === 'syslog-enabled') return 'the harness reads the node\'s log from the container\'s output (the failover times in it)';
  if (name === 'dir') return 'data and AOF go to the container\'s /data';
  if (name === 'replicaof' || name === 'slaveof') return 'the harness decides which node replicates which';
  if (['requirepass', 'masterauth', 'masteruser', 'user', 'aclfile'].includes(name)) return 'passwords come from topology.auth (a secret reference), so the harness can reach the nodes';
  if (name.startsWith('tls-')) return 'TLS comes from topology.tls (a CA made for the run)';
  if (name === 'include') return 'an included file is not in the container (put its directives into this file)';
  if (['replica-announce-ip', 'replica-announce-port', 'slave-announce-ip', 'slave-announce-port'].includes(name) || name.startsWith('cluster-announce-')) return 'the node\'s address is the one the harness gave its container';
  if (modeNames.has(name)) return input.topology.mode === 'cluster' ? 'the HA mode sets it (topology.cluster)' : 'the HA mode sets it';
  return null;
}

function describeOrigin(o: LineOrigin): string {
  if (o.from === 'preset') return `topology.preset ${o.preset} sets it`;
  if (o.from === 'serverConfig') return `topology.serverConfig.${o.key} sets it`;
  if (o.from === 'harness') return o.why;
  return `${o.file}:${o.line}`;
}

/** The user's file with the lines the harness sets commented out (in place: line numbers stay), and the changes. */
function baseFileLines(path: string, owner: (e: ConfEntry) => { why: string; now: string | null } | null): { lines: ConfigLine[]; changes: ConfigChange[] } {
  const file = readConfFile(path);
  const byLine = new Map(file.entries.map((e) => [e.line, e]));
  const changes: ConfigChange[] = [];
  const lines = file.lines.map((text, i): ConfigLine => {
    const origin: LineOrigin = { from: 'file', file: path, line: i + 1 };
    const entry = byLine.get(i + 1);
    const own = entry && owner(entry);
    if (!entry || !own) return { text, origin };
    changes.push({ file: path, line: i + 1, directive: entry.name, was: text.trim(), now: own.now, why: own.why });
    return { text: `# ferrite-drill: ${own.now === null ? 'removed' : 'set below'}: ${text}`, origin };
  });
  return { lines: [{ text: `# ferrite-drill: the base is ${path}; lines the harness sets are commented out`, origin: { from: 'harness', why: 'a comment' } }, ...lines], changes };
}

/** A data node's config, line by line with each line's origin, and what was changed in the user's file. */
export function dataNodeConfigLines(input: ConfigInput, role: DataNodeRole, names: { auth: string; user: string } = { auth: 'masterauth', user: 'masteruser' }): { lines: ConfigLine[]; changes: ConfigChange[] } {
  const { topology } = input;
  const harness = (why: string) => (text: string): ConfigLine => ({ text, origin: { from: 'harness', why } });
  const directives = composed(input, role.overrides);
  const setByHarness: ConfigLine[] = [
    ...(input.tls ? tlsConfig(REDIS_PORT, topology.tls!.clientAuth) : [directive('port', REDIS_PORT)]).map(harness('the node\'s port')),
    harness('the node must accept the harness and the other nodes')(directive('protected-mode', 'no')),
  ];
  const modeNames = new Set(role.modeLines.map((l) => l.split(/\s+/)[0].toLowerCase()));
  let base: { lines: ConfigLine[]; changes: ConfigChange[] } = { lines: [], changes: [] };
  if (topology.configFiles?.server) {
    const fixes: Record<string, string> = { bind: '* -::*', daemonize: 'no', logfile: '""', dir: '/data' };
    const byName = new Map(directives.map((d) => [d.name, d]));
    base = baseFileLines(topology.configFiles.server, (e) => {
      const why = dataNodeOwner(e.name, input, modeNames);
      if (why) return { why, now: fixes[e.name] !== undefined ? `${e.name} ${fixes[e.name]}` : e.name === 'port' ? `port ${REDIS_PORT}` : null };
      const d = byName.get(e.name);
      return d ? { why: describeOrigin(d.origin), now: directive(d.name, d.value) } : null;
    });
    for (const c of base.changes) if (fixes[c.directive] !== undefined && !setByHarness.some((l) => l.text.startsWith(`${c.directive} `))) setByHarness.push(harness(c.why)(c.now!));
  }
  const lines: ConfigLine[] = [
    harness('a comment')('# written by ferrite-drill'),
    ...base.lines,
    ...setByHarness,
    ...directives.map((d) => ({ text: directive(d.name, d.value), origin: d.origin })),
    ...dataNodeAuth(input.credentials, names).map(harness('topology.auth')),
    ...(role.replicaOf ? [`replicaof ${role.replicaOf.host} ${role.replicaOf.port}`] : []).map(harness('the node\'s initial primary')),
    ...role.modeLines.map(harness('the HA mode')),
    harness('end')(''),
  ];
  return { lines, changes: base.changes };
}

/**
 * redis.conf for a data node: the user's file (if any) with what the harness sets commented out, port
 * (or TLS), the composed directives, authentication, the initial replicaof, then the mode's lines.
 * `names` picks the spelling of the replication-auth directives (Valkey's primaryauth / primaryuser;
 * Redis's masterauth / masteruser).
 */
export function redisDataNodeConfig(input: ConfigInput, role: DataNodeRole, names: { auth: string; user: string } = { auth: 'masterauth', user: 'masteruser' }): string {
  return dataNodeConfigLines(input, role, names).lines.map((l) => l.text).join('\n');
}

/** Sentinel directives the harness sets itself (a user's sentinel.conf loses them), with the reason. */
function sentinelOwner(e: ConfEntry, monitored: Set<string>): string | null {
  if (e.name === 'port' || e.name === 'tls-port') return `the drill's sentinels listen on ${SENTINEL_PORT}`;
  if (e.name === 'bind' || e.name === 'protected-mode') return 'the sentinel must accept the harness and the other sentinels on its container address';
  if (e.name === 'daemonize') return 'the sentinel must stay in the foreground of its container';
  if (e.name === 'logfile' || e.name === 'syslog-enabled') return 'the harness reads the sentinel\'s events from the container\'s output';
  if (e.name === 'dir') return 'the sentinel rewrites its config in the container\'s /data';
  if (e.name === 'requirepass' || e.name === 'user' || e.name === 'aclfile') return 'passwords come from topology.auth';
  if (e.name.startsWith('tls-')) return 'TLS comes from topology.tls';
  if (e.name === 'include') return 'an included file is not in the container';
  if (e.name !== 'sentinel') return null;
  const [option = '', master = ''] = e.args.map((a, i) => (i === 0 ? a.toLowerCase() : a));
  if (option === 'monitor') return 'the harness monitors its own primary (topology.sentinel.masterName, quorum)';
  if (['myid', 'current-epoch', 'config-epoch', 'leader-epoch', 'known-replica', 'known-slave', 'known-sentinel', 'announce-ip', 'announce-port'].includes(option)) return 'state of your deployment, not of the drill\'s: the harness writes its own';
  if (['sentinel-pass', 'sentinel-user', 'auth-pass', 'auth-user'].includes(option)) return 'passwords come from topology.auth';
  if (['down-after-milliseconds', 'failover-timeout', 'parallel-syncs'].includes(option)) return `topology.sentinel sets ${option} (the drill's timing; give your value there)`;
  if (['notification-script', 'client-reconfig-script'].includes(option)) return 'the script is not in the container';
  if (monitored.has(master)) return 'moved';
  return null;
}

/**
 * sentinel.conf: the user's file (if any) as the base, port (or TLS), the sentinel's own password,
 * the mode's monitor lines, then the user's other per-master settings under the harness's master name.
 */
export function sentinelConfigLines(input: ConfigInput, modeLines: string[]): { lines: ConfigLine[]; changes: ConfigChange[] } {
  const c = input.credentials;
  const harness = (why: string) => (text: string): ConfigLine => ({ text, origin: { from: 'harness', why } });
  const master = input.topology.sentinel.masterName;
  const moved: ConfigLine[] = [];
  let base: { lines: ConfigLine[]; changes: ConfigChange[] } = { lines: [], changes: [] };
  const path = input.topology.configFiles?.sentinel;
  if (path) {
    const entries = readConfFile(path).entries;
    const monitored = new Set(entries.filter((e) => e.name === 'sentinel' && e.args[0]?.toLowerCase() === 'monitor').map((e) => e.args[1]));
    base = baseFileLines(path, (e) => {
      const why = sentinelOwner(e, monitored);
      if (why !== 'moved') return why ? { why, now: null } : null;
      // A per-master setting must follow its monitor line, and names the drill's master.
      const text = ['sentinel', e.args[0], master, ...e.args.slice(2)].map((a, i) => (i < 3 ? a : directive('x', a).slice(2))).join(' ');
      moved.push({ text, origin: { from: 'file', file: path, line: e.line } });
      return { why: `a setting of your monitored master, applied to the drill's master "${master}" after its monitor line`, now: text };
    });
  }
  const lines: ConfigLine[] = [
    harness('a comment')('# written by ferrite-drill'),
    ...base.lines,
    ...(input.tls ? tlsConfig(SENTINEL_PORT, input.topology.tls!.clientAuth) : [directive('port', SENTINEL_PORT)]).map(harness('the sentinel\'s port')),
    harness('the sentinel must accept the harness and the other sentinels')(directive('protected-mode', 'no')),
    ...(c?.sentinelPassword ? [`requirepass ${c.sentinelPassword}`, `sentinel sentinel-pass ${c.sentinelPassword}`] : []).map(harness('topology.auth')),
    ...modeLines.map(harness('the HA mode')),
    ...moved,
    harness('end')(''),
  ];
  return { lines, changes: base.changes };
}

/** sentinel.conf as text (see sentinelConfigLines). */
export function sentinelConfig(input: ConfigInput, modeLines: string[]): string {
  return sentinelConfigLines(input, modeLines).lines.map((l) => l.text).join('\n');
}

/** Config lines that secure a data node (in the file: argv shows in `docker inspect`). */
function dataNodeAuth(c: Credentials | undefined, names: { auth: string; user: string }): string[] {
  if (!c) return [];
  if (c.user) return ['user default off', `user ${c.user} on >${c.password} ~* &* +@all`, `${names.user} ${c.user}`, `${names.auth} ${c.password}`];
  return [`requirepass ${c.password}`, `${names.auth} ${c.password}`];
}
