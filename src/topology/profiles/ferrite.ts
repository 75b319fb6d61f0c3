/**
 * Ferrite (ferritelabs/ferrite): a Rust server speaking RESP, configured by a TOML file. Its published
 * image runs `ENTRYPOINT ["/usr/local/bin/ferrite"]` with `--config <file>` and keeps data in
 * /var/lib/ferrite/data (ferrite-ops' Dockerfile), so the harness writes /etc/ferrite-drill/ferrite.toml
 * and passes `--config` to the image's own entrypoint. The file follows Ferrite's documented format
 * (docs/CONFIGURATION.md, and `ReplicationConfig` in crates/ferrite-core/src/config.rs):
 *   [server] bind / port, [storage] data_dir, [persistence] aof_enabled / aof_sync / checkpoint_*,
 *   [replication] replicaof = "host:port", replica_read_only, backlog_size, repl_timeout, [metrics] ...
 * A scenario's serverConfig speaks redis.conf names, translated here where Ferrite has an equivalent,
 * or dotted TOML keys (`storage.backend: hybridlog`) written as they are. Ferrite ships no sentinel:
 * Redis Sentinel (the redis profile's image) watches its nodes.
 */
import { stringify } from 'smol-toml';
import { composeDirectives, REDIS_PORT, type ConfigInput, type DataNodeRole, type DirectiveValue } from '../serverConfig.ts';
import type { ProfileRefusal, ServerProfile } from './profile.ts';

/** Where the harness puts Ferrite's config in the container (outside the image's own /etc/ferrite). */
export const FERRITE_CONFIG_DIR = '/etc/ferrite-drill';
/** The data folder of Ferrite's image (owned by its `ferrite` user). */
export const FERRITE_DATA_DIR = '/var/lib/ferrite/data';

type TomlValue = string | number | boolean;
type Translate = (value: DirectiveValue) => TomlValue;

const yesNo: Translate = (v) => v === true || String(v).toLowerCase() === 'yes' || String(v).toLowerCase() === 'true';
const int: Translate = (v) => Number(v);
const text: Translate = (v) => String(v);

/** redis.conf sizes ("1mb", "100k", 1048576) in bytes, as Ferrite's size keys want them. */
export function bytesOf(value: DirectiveValue): number {
  const m = /^(\d+)\s*([kmg]b?)?$/i.exec(String(value).trim());
  if (!m) throw new Error(`not a size: ${String(value)}`);
  const unit = (m[2] ?? '').toLowerCase();
  const scale: Record<string, number> = { '': 1, k: 1e3, kb: 1024, m: 1e6, mb: 1024 ** 2, g: 1e9, gb: 1024 ** 3 };
  return Number(m[1]) * scale[unit];
}

/**
 * redis.conf directives with a Ferrite equivalent: [TOML section, key, translation]. The
 * min-replicas pair is written where Ferrite's replication runbook documents it, although its code
 * reads neither key: the preflight then shows whether it is enforced (it is not, today).
 */
const TRANSLATIONS: Record<string, [section: string, key: string, translate: Translate]> = {
  appendonly: ['persistence', 'aof_enabled', yesNo],
  appendfsync: ['persistence', 'aof_sync', text],
  'replica-read-only': ['replication', 'replica_read_only', yesNo],
  'repl-backlog-size': ['replication', 'backlog_size', bytesOf],
  'repl-timeout': ['replication', 'repl_timeout', int],
  'min-replicas-to-write': ['replication', 'min_replicas_to_write', int],
  'min-replicas-max-lag': ['replication', 'min_replicas_max_lag', int],
  maxmemory: ['storage', 'max_memory', bytesOf],
  'maxmemory-policy': ['storage', 'eviction_policy', (v) => (String(v) === 'noeviction' ? 'no-eviction' : String(v))],
  databases: ['storage', 'databases', int],
  maxclients: ['server', 'max_connections', int],
  timeout: ['server', 'timeout', int],
  'tcp-keepalive': ['server', 'tcp_keepalive', int],
  hz: ['server', 'hz', int],
};

/** redis.conf directives that mean nothing to Ferrite: left out of its file, with a comment saying so. */
const NOT_APPLICABLE: Record<string, string> = {
  'repl-diskless-sync-delay': 'Ferrite has no diskless-sync delay',
  'repl-diskless-sync': 'Ferrite has no diskless-sync setting',
  'enable-debug-command': "Ferrite's DEBUG command is always available",
  'protected-mode': 'Ferrite has no protected mode (it binds where [server] bind says)',
};

/** The documented key Ferrite's code reads nowhere, by TOML path: said in the file and in the README. */
const IGNORED_BY_FERRITE = new Set(['replication.min_replicas_to_write', 'replication.min_replicas_max_lag']);

/** Ferrite's TOML for one data node, as a document (for tests and the file). */
export function ferriteTomlDocument(input: ConfigInput, role: DataNodeRole): { doc: Record<string, Record<string, TomlValue>>; notes: string[] } {
  const doc: Record<string, Record<string, TomlValue>> = {
    server: { bind: '0.0.0.0', port: REDIS_PORT },
    storage: { data_dir: FERRITE_DATA_DIR },
    persistence: { aof_enabled: false, aof_path: `${FERRITE_DATA_DIR}/appendonly.aof`, checkpoint_enabled: false, checkpoint_dir: `${FERRITE_DATA_DIR}/checkpoints` },
    replication: role.replicaOf ? { replicaof: `${role.replicaOf.host}:${role.replicaOf.port}` } : {},
    // The drill reads nothing from the Prometheus endpoint: no extra listener in the container.
    metrics: { enabled: false },
    logging: { level: 'info', format: 'pretty' },
  };
  const notes: string[] = [];
  const set = (section: string, key: string, value: TomlValue) => {
    (doc[section] ??= {})[key] = value;
    if (IGNORED_BY_FERRITE.has(`${section}.${key}`)) notes.push(`${section}.${key} is documented by Ferrite's replication runbook but read nowhere by its code (checked by the preflight)`);
  };
  for (const [name, value] of composeDirectives(input, role.overrides)) {
    if (name.includes('.')) {
      const [section, key] = name.split('.', 2);
      set(section, key, value);
    } else if (name === 'save') {
      // Redis's RDB snapshots are Ferrite's checkpoints: "" off, else the first interval in seconds.
      const interval = /^\s*(\d+)/.exec(String(value))?.[1];
      set('persistence', 'checkpoint_enabled', interval !== undefined);
      if (interval !== undefined) set('persistence', 'checkpoint_interval', Number(interval));
    } else if (TRANSLATIONS[name]) {
      const [section, key, translate] = TRANSLATIONS[name];
      set(section, key, translate(value));
    } else if (NOT_APPLICABLE[name]) {
      notes.push(`${name} left out: ${NOT_APPLICABLE[name]}`);
    }
  }
  return { doc, notes };
}

export function ferriteToml(input: ConfigInput, role: DataNodeRole): string {
  const { doc, notes } = ferriteTomlDocument(input, role);
  const header = ['# written by ferrite-drill in Ferrite\'s ferrite.toml format', ...notes.map((n) => `# ${n}`)];
  return `${header.join('\n')}\n\n${stringify(doc)}\n`;
}

export const ferriteProfile: ServerProfile = {
  kind: 'ferrite',
  displayName: 'Ferrite',
  // ghcr.io/ferritelabs/ferrite is published but cannot be pulled everywhere: auto tries it, a scenario can name its own build.
  upstreamImage: 'ghcr.io/ferritelabs/ferrite:latest',
  buildableFromHost: false,
  versionField: 'ferrite_version',
  sentinelProfile: 'redis',
  dataNode: (input, role) => ({
    // Put into /etc (which every image has) as ferrite-drill/ferrite.toml: the folder is made by the upload.
    files: { [`${FERRITE_CONFIG_DIR.slice('/etc/'.length)}/ferrite.toml`]: ferriteToml(input, role) },
    filesDir: '/etc',
    cmd: ['--config', `${FERRITE_CONFIG_DIR}/ferrite.toml`],
  }),
  replicaOfCommand: (host, port) => ['REPLICAOF', host, port],
  healthCheck: { command: ['PING'], expect: 'PONG' },
  refuse: ferriteRefusals,
  knownDifferences: [
    'Configured by a TOML file (written by the harness from the scenario); serverConfig takes redis.conf names that have a Ferrite equivalent, or dotted TOML keys such as storage.backend.',
    'Ships no sentinel: Redis Sentinel (the redis profile\'s image) watches Ferrite nodes.',
    'Its documented FERRITE_REPLICATION_ROLE / _PRIMARY_HOST / _MIN_REPLICAS_TO_WRITE variables and the role / primary_host / min_replicas_to_write keys are read nowhere; the harness uses [replication] replicaof, which its config parser reads.',
    'In its current code REPLICAOF answers OK and does nothing, PSYNC answers a fixed FULLRESYNC and sends no data, WAIT always returns 0, ROLE always says master with no replicas, INFO has no Replication section, min-replicas-to-write is not enforced and SHUTDOWN answers OK without stopping: the preflight names each of these.',
    'CONFIG GET appendonly answers true/false (not yes/no) and CONFIG GET save answers nothing.',
  ],
};

/** What the ferrite profile cannot do yet: refused when the scenario is loaded, naming the field. */
function ferriteRefusals(topology: ConfigInput['topology']): ProfileRefusal[] {
  const out: ProfileRefusal[] = [];
  if (topology.mode === 'cluster') out.push({ path: ['topology', 'mode'], message: 'the ferrite profile supports sentinel mode only: the cluster mode configures nodes with redis.conf cluster directives, which Ferrite\'s TOML does not take' });
  if (topology.tls?.enabled) out.push({ path: ['topology', 'tls'], message: 'TLS is not supported with the ferrite profile yet (Ferrite serves TLS on a second port with its own [tls] settings)' });
  if (topology.auth) out.push({ path: ['topology', 'auth'], message: 'authentication is not supported with the ferrite profile yet (Ferrite takes users from an ACL file)' });
  for (const name of Object.keys(topology.serverConfig)) {
    if (name.includes('.')) {
      if (!/^[a-z]+\.[a-z0-9_]+$/.test(name)) out.push({ path: ['topology', 'serverConfig', name], message: 'a Ferrite TOML key is section.key in lower case, e.g. storage.backend' });
      continue;
    }
    if (TRANSLATIONS[name]) {
      const value = topology.serverConfig[name];
      const [section, key, translate] = TRANSLATIONS[name];
      try {
        const v = translate(value);
        if (typeof v === 'number' && !Number.isFinite(v)) throw new Error('not a number');
      } catch {
        out.push({ path: ['topology', 'serverConfig', name], message: `"${String(value)}" cannot be written as Ferrite's ${section}.${key} (${key.includes('size') || key === 'max_memory' ? 'a size such as 1048576 or "1mb"' : 'a number'})` });
      }
      continue;
    }
    if (name === 'save' || NOT_APPLICABLE[name]) continue;
    out.push({
      path: ['topology', 'serverConfig', name],
      message: `Ferrite has no equivalent of "${name}" that the harness knows; use a dotted TOML key (e.g. replication.repl_timeout) or one of: save, ${Object.keys(TRANSLATIONS).join(', ')}`,
    });
  }
  return out;
}
