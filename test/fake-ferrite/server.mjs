#!/usr/bin/env node
/**
 * A deliberately NON-CONFORMING RESP server for the tests: it answers the way Ferrite's code does today
 * (ferritelabs/ferrite, src/commands/executor/server_ops.rs), so the harness can be tested against
 * Ferrite's HA behaviour where Ferrite itself cannot run. Data commands work; the HA ones are stubs:
 *   REPLICAOF / SLAVEOF  +OK, and nothing happens
 *   PSYNC / SYNC         +FULLRESYNC <fixed id> 0, and no data follows
 *   WAIT                 :0, always
 *   ROLE                 master, offset 0, no replicas, always
 *   INFO                 no Replication section (INFO replication answers an empty text)
 *   min-replicas-*       written in its config by the harness, read by nobody
 *   SHUTDOWN             +OK, and the server keeps running
 * It reads Ferrite's TOML (`--config <file>`: [server] bind/port, [persistence] aof_enabled, ...) and
 * answers CONFIG GET with Ferrite's names and spellings (appendonly true/false; no `save`).
 * SIGTERM stops it (assumed of Ferrite, a tokio server, and needed as PID 1 in a container).
 * Node's standard library only, plus smol-toml beside it (copied into the image).
 */
import { createServer } from 'node:net';
import { readFileSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
// In the image smol-toml sits beside this file; in the repository it is a dependency.
const toml = existsSync(join(here, 'smol-toml.cjs')) ? require(join(here, 'smol-toml.cjs')) : require('smol-toml');

const VERSION = '0.0.0-nonconforming-test-double';
const FIXED_REPLID = '8371445ee47aed9eb27c89cdd67c6bf579a93f99';

const configPath = process.argv[process.argv.indexOf('--config') + 1];
const config = process.argv.includes('--config') ? toml.parse(readFileSync(configPath, 'utf8')) : {};
const server = config.server ?? {};
const persistence = config.persistence ?? {};
const port = Number(server.port ?? 6379);
const bind = String(server.bind ?? '127.0.0.1');
const runId = randomBytes(20).toString('hex');
const started = Date.now();

/** Ferrite's CONFIG GET: redis aliases of its native keys, values as its TOML has them. */
const CONFIG = {
  bind,
  port: String(port),
  appendonly: String(persistence.aof_enabled ?? true),
  appendfsync: String(persistence.aof_sync ?? 'everysec'),
  databases: String(config.storage?.databases ?? 16),
  maxmemory: String(config.storage?.max_memory ?? 1073741824),
  maxclients: String(server.max_connections ?? 10000),
  timeout: String(server.timeout ?? 0),
  'tcp-keepalive': String(server.tcp_keepalive ?? 300),
  hz: String(server.hz ?? 10),
};

const data = new Map();
const channels = new Map(); // channel -> Set<socket>

const enc = {
  simple: (s) => `+${s}\r\n`,
  error: (s) => `-${s}\r\n`,
  int: (n) => `:${n}\r\n`,
  bulk: (s) => (s === null ? '$-1\r\n' : `$${Buffer.byteLength(s)}\r\n${s}\r\n`),
  array: (items) => `*${items.length}\r\n${items.join('')}`,
};
const OK = enc.simple('OK');

function info(section) {
  const s = (section ?? 'default').toLowerCase();
  const sections = {
    server: ['# Server', `ferrite_version:${VERSION}`, 'server_mode:standalone', `run_id:${runId}`, `tcp_port:${port}`, `uptime_in_seconds:${Math.floor((Date.now() - started) / 1000)}`],
    clients: ['# Clients', 'connected_clients:1'],
    persistence: ['# Persistence', 'loading:0', `aof_enabled:${persistence.aof_enabled ? 1 : 0}`],
    stats: ['# Stats', 'total_commands_processed:0'],
    keyspace: ['# Keyspace', ...(data.size ? [`db0:keys=${data.size},expires=0`] : [])],
  };
  // No Replication section, whatever is asked: INFO replication is an empty text.
  const wanted = ['default', 'all', 'everything'].includes(s) ? Object.keys(sections) : Object.keys(sections).filter((k) => k === s);
  return wanted.map((k) => sections[k].join('\r\n')).join('\r\n\r\n') + (wanted.length ? '\r\n' : '');
}

function globMatch(pattern, name) {
  const re = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
  return re.test(name);
}

function execute(socket, args) {
  const [name, ...rest] = args;
  const cmd = name.toUpperCase();
  switch (cmd) {
    case 'PING':
      return rest.length ? enc.bulk(rest[0]) : enc.simple('PONG');
    case 'ECHO':
      return enc.bulk(rest[0] ?? '');
    case 'SELECT':
    case 'AUTH':
    case 'READONLY':
    case 'READWRITE':
      return OK;
    case 'CLIENT': {
      const sub = (rest[0] ?? '').toUpperCase();
      if (sub === 'ID') return enc.int(1);
      if (sub === 'GETNAME') return enc.bulk(null);
      if (sub === 'LIST' || sub === 'INFO') return enc.bulk('id=1 addr=127.0.0.1:0 fd=0 name= db=0\n');
      return OK;
    }
    case 'SET': {
      const [key, value, ...opts] = rest;
      const flags = opts.map((o) => o.toUpperCase());
      if (flags.includes('NX') && data.has(key)) return enc.bulk(null);
      if (flags.includes('XX') && !data.has(key)) return enc.bulk(null);
      data.set(key, value);
      return OK;
    }
    case 'GET':
      return enc.bulk(data.has(rest[0]) ? data.get(rest[0]) : null);
    case 'MGET':
      return enc.array(rest.map((k) => enc.bulk(data.has(k) ? data.get(k) : null)));
    case 'DEL':
    case 'UNLINK':
      return enc.int(rest.filter((k) => data.delete(k)).length);
    case 'EXISTS':
      return enc.int(rest.filter((k) => data.has(k)).length);
    case 'DBSIZE':
      return enc.int(data.size);
    case 'KEYS':
      return enc.array([...data.keys()].filter((k) => globMatch(rest[0] ?? '*', k)).map(enc.bulk));
    case 'FLUSHALL':
    case 'FLUSHDB':
      data.clear();
      return OK;
    case 'INFO':
      return enc.bulk(info(rest[0]));
    case 'ROLE':
      return enc.array([enc.bulk('master'), enc.int(0), enc.array([])]);
    case 'REPLICAOF':
    case 'SLAVEOF':
      return rest.length === 2 ? OK : enc.error("ERR wrong number of arguments for 'replicaof' command");
    case 'REPLCONF':
      return OK;
    case 'PSYNC':
    case 'SYNC':
      return enc.simple(`FULLRESYNC ${FIXED_REPLID} 0`);
    case 'WAIT':
      return enc.int(0);
    case 'SHUTDOWN':
      return OK;
    case 'CONFIG': {
      const sub = (rest[0] ?? '').toUpperCase();
      if (sub === 'GET') {
        const pattern = (rest[1] ?? '').toLowerCase();
        return enc.array(Object.entries(CONFIG).filter(([k]) => globMatch(pattern, k)).flatMap(([k, v]) => [enc.bulk(k), enc.bulk(v)]));
      }
      return OK; // SET, REWRITE, RESETSTAT
    }
    case 'DEBUG':
      if ((rest[0] ?? '').toUpperCase() === 'SLEEP') return new Promise((r) => setTimeout(() => r(OK), Number(rest[1] ?? 0) * 1000));
      return OK;
    case 'COMMAND':
      return enc.array([]);
    case 'PUBLISH': {
      const subs = channels.get(rest[0]) ?? new Set();
      for (const s of subs) s.write(enc.array([enc.bulk('message'), enc.bulk(rest[0]), enc.bulk(rest[1] ?? '')]));
      return enc.int(subs.size);
    }
    case 'SUBSCRIBE':
    case 'PSUBSCRIBE': {
      socket.subs ??= new Set();
      return rest
        .map((ch) => {
          if (!channels.has(ch)) channels.set(ch, new Set());
          channels.get(ch).add(socket);
          socket.subs.add(ch);
          return enc.array([enc.bulk(cmd === 'SUBSCRIBE' ? 'subscribe' : 'psubscribe'), enc.bulk(ch), enc.int(socket.subs.size)]);
        })
        .join('');
    }
    case 'UNSUBSCRIBE':
    case 'PUNSUBSCRIBE': {
      for (const ch of rest.length ? rest : [...(socket.subs ?? [])]) {
        channels.get(ch)?.delete(socket);
        socket.subs?.delete(ch);
      }
      return enc.array([enc.bulk(cmd.toLowerCase()), enc.bulk(rest[0] ?? null), enc.int(socket.subs?.size ?? 0)]);
    }
    default:
      return enc.error(`ERR unknown command '${name}'`);
  }
}

/** Reads RESP arrays of bulk strings (and inline commands) from a buffer; returns [commands, rest]. */
function parse(buf) {
  const commands = [];
  let pos = 0;
  for (;;) {
    if (pos >= buf.length) break;
    if (buf[pos] !== 0x2a /* '*' */) {
      const nl = buf.indexOf('\r\n', pos);
      if (nl < 0) break;
      const line = buf.subarray(pos, nl).toString().trim();
      pos = nl + 2;
      if (line) commands.push(line.split(/\s+/));
      continue;
    }
    const nl = buf.indexOf('\r\n', pos);
    if (nl < 0) break;
    const count = Number(buf.subarray(pos + 1, nl).toString());
    let p = nl + 2;
    const args = [];
    let complete = true;
    for (let i = 0; i < count; i++) {
      const l = buf.indexOf('\r\n', p);
      if (l < 0) { complete = false; break; }
      const len = Number(buf.subarray(p + 1, l).toString());
      if (l + 2 + len + 2 > buf.length) { complete = false; break; }
      args.push(buf.subarray(l + 2, l + 2 + len).toString());
      p = l + 2 + len + 2;
    }
    if (!complete) break;
    commands.push(args);
    pos = p;
  }
  return [commands, buf.subarray(pos)];
}

const listener = createServer((socket) => {
  let pending = Buffer.alloc(0);
  let queue = null; // MULTI
  let chain = Promise.resolve();
  socket.on('data', (chunk) => {
    const [commands, rest] = parse(Buffer.concat([pending, chunk]));
    pending = rest;
    for (const args of commands) {
      if (args.length === 0) continue;
      chain = chain.then(async () => {
        const cmd = args[0].toUpperCase();
        let reply;
        if (cmd === 'MULTI') { queue = []; reply = OK; }
        else if (cmd === 'DISCARD') { queue = null; reply = OK; }
        else if (cmd === 'EXEC') {
          const replies = [];
          for (const q of queue ?? []) replies.push(await execute(socket, q));
          queue = null;
          reply = enc.array(replies);
        } else if (queue) { queue.push(args); reply = enc.simple('QUEUED'); }
        else reply = await execute(socket, args);
        if (!socket.destroyed) socket.write(reply);
      });
    }
  });
  socket.on('error', () => {});
  socket.on('close', () => {
    for (const ch of socket.subs ?? []) channels.get(ch)?.delete(socket);
  });
});

for (const sig of ['SIGTERM', 'SIGINT']) {
  process.on(sig, () => {
    console.log(`received ${sig}, shutting down`);
    listener.close();
    process.exit(0);
  });
}

listener.listen(port, bind, () => {
  console.log(`ferrite ${VERSION} (a non-conforming test double of Ferrite's HA behaviour) listening on ${bind}:${port}; config ${configPath ?? '(none)'}`);
});
