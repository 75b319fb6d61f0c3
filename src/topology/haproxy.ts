/**
 * HAProxy between the clients and the servers, as HA guides put it: the harness's writers connect to
 * HAProxy, which forwards each connection to a backend server it believes healthy. Its config is the
 * docs' (one server, the initial primary, checked with PING), a role-aware one (every data node, checked
 * for `role:master`), or the user's own file. HAProxy's log says when it marked a server DOWN or UP.
 */
import type { Node } from './node.ts';
import type { Credentials } from './secrets.ts';

export const HAPROXY_PORT = 6379;
export const HAPROXY_NODE = 'haproxy';

export interface HaproxyChecks {
  /** ms between health checks of each server. */
  interval: number;
  /** Failed checks before a server is marked DOWN, and passed ones before UP. */
  fall: number;
  rise: number;
}

export interface HaproxyPlan {
  backend: 'docs' | 'role' | 'file';
  config: string;
  servers: { name: string; node: string | null; address: string }[];
  /** What the health check asks and expects, in words. */
  check: string;
}

const HEADER = [
  '# written by ferrite-drill',
  'global',
  // ISO timestamps with microseconds on stdout: the server state changes get exact times in the journal.
  '  log stdout format iso local0 notice',
  'defaults',
  '  log global',
  '  mode tcp',
  '  timeout connect 1s',
  '  timeout client 1h',
  '  timeout server 1h',
  'frontend ferrite_write',
  `  bind *:${HAPROXY_PORT}`,
  '  default_backend ferrite_primary',
  'backend ferrite_primary',
  '  option tcp-check',
];

/** `tcp-check send AUTH …` when the servers need a password (the config file is never on a command line). */
function authCheck(c: Credentials | undefined): string[] {
  if (!c) return [];
  const args = c.user ? `${c.user} ${c.password}` : c.password;
  return [`  tcp-check send AUTH\\ ${args.replace(/ /g, '\\ ')}\\r\\n`, '  tcp-check expect string +OK'];
}

const checkArgs = (c: HaproxyChecks) => `check inter ${c.interval} fall ${c.fall} rise ${c.rise}`;

/**
 * The HA docs' configuration as written: one backend server, the primary as it was when the deployment
 * was set up, checked with PING. After a failover it still points at the old primary.
 */
export function docsConfig(initialPrimary: Node, checks: HaproxyChecks, credentials?: Credentials): HaproxyPlan {
  const address = `${initialPrimary.ip}:${initialPrimary.port}`;
  return {
    backend: 'docs',
    servers: [{ name: 'primary', node: initialPrimary.name, address }],
    check: 'PING, expect +PONG',
    config: [...HEADER, ...authCheck(credentials), '  tcp-check send PING\\r\\n', '  tcp-check expect string +PONG', `  server primary ${address} ${checkArgs(checks)}`, ''].join('\n'),
  };
}

/** Every data node in the backend; only the one answering `role:master` passes the check. */
export function roleConfig(dataNodes: Node[], checks: HaproxyChecks, credentials?: Credentials): HaproxyPlan {
  const servers = dataNodes.map((n) => ({ name: n.name, node: n.name, address: `${n.ip}:${n.port}` }));
  return {
    backend: 'role',
    servers,
    check: 'INFO replication, expect role:master',
    config: [
      ...HEADER,
      ...authCheck(credentials),
      '  tcp-check send PING\\r\\n',
      '  tcp-check expect string +PONG',
      '  tcp-check send info\\ replication\\r\\n',
      '  tcp-check expect string role:master',
      '  tcp-check send QUIT\\r\\n',
      '  tcp-check expect string +OK',
      ...servers.map((s) => `  server ${s.name} ${s.address} ${checkArgs(checks)}`),
      '',
    ].join('\n'),
  };
}

/** The user's own haproxy.cfg, used as it is; its servers as it names them. */
export function fileConfig(text: string, dataNodes: Node[]): HaproxyPlan {
  const servers = [...text.matchAll(/^\s*server\s+(\S+)\s+(\S+)/gm)].map(([, name, address]) => {
    const host = address.replace(/:\d+$/, '');
    return { name, node: dataNodes.find((n) => n.name === host || n.ip === host)?.name ?? null, address };
  });
  return { backend: 'file', servers, check: 'as your configuration says', config: text };
}

export interface HaproxyLogLine {
  wall: number;
  server: string;
  state: 'UP' | 'DOWN' | 'NOSRV';
  detail: string;
}

const TIMESTAMPED = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})\.(\d{3})\d*([+-]\d{2}:\d{2}|Z) (.*)$/;

/**
 * Server state changes from HAProxy's log (`log stdout format iso`): "Server ferrite_primary/redis-1 is
 * DOWN, reason: …", "… is UP …", "backend ferrite_primary has no server available!". The same messages
 * also reach stderr without a timestamp; only the timestamped ones are read.
 */
export function parseHaproxyLog(text: string): HaproxyLogLine[] {
  const out: HaproxyLogLine[] = [];
  for (const line of text.split('\n')) {
    const m = TIMESTAMPED.exec(line.trim());
    if (!m) continue;
    const wall = Date.parse(`${m[1]}.${m[2]}${m[3]}`);
    const message = m[4];
    const state = /^Server \S+\/(\S+) is (UP|DOWN)\b/.exec(message);
    if (state) out.push({ wall, server: state[1], state: state[2] as 'UP' | 'DOWN', detail: message });
    else if (/has no server available/.test(message)) out.push({ wall, server: '', state: 'NOSRV', detail: message });
  }
  return out;
}
