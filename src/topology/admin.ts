/**
 * Admin connections from the harness to each node (through its 127.0.0.1 port): short timeouts and no
 * retries, so a probe of a dead or frozen node fails fast instead of hanging a phase.
 */
import { Redis } from 'ioredis';
import type { ConnectionOptions } from 'node:tls';

export interface Endpoint {
  host: string;
  port: number;
  username?: string;
  password?: string;
  /** TLS client options (CA, certificate, key) when the topology uses TLS. */
  tls?: ConnectionOptions;
}

export class AdminClients {
  private clients = new Map<string, Redis>();

  constructor(private readonly timeoutMs = 1000) {}

  /** Runs one command on the endpoint; the connection is reused while it stays healthy. */
  async call(endpoint: Endpoint, command: string, ...args: (string | number)[]): Promise<unknown> {
    const key = `${endpoint.host}:${endpoint.port}`;
    let client = this.clients.get(key);
    if (!client || client.status === 'end' || client.status === 'close') {
      client?.disconnect();
      client = new Redis({
        host: endpoint.host,
        port: endpoint.port,
        username: endpoint.username,
        password: endpoint.password,
        tls: endpoint.tls,
        lazyConnect: true,
        connectTimeout: this.timeoutMs,
        commandTimeout: this.timeoutMs,
        maxRetriesPerRequest: 0,
        enableOfflineQueue: true,
        retryStrategy: () => null,
        enableAutoPipelining: false,
      });
      client.on('error', () => {}); // failures surface through the command's promise
      this.clients.set(key, client);
    }
    try {
      return await client.call(command, ...args);
    } catch (err) {
      // A connection that timed out may be stuck behind a frozen server: start afresh next time.
      client.disconnect();
      this.clients.delete(key);
      throw err;
    }
  }

  closeAll(): void {
    for (const client of this.clients.values()) client.disconnect();
    this.clients.clear();
  }
}

/** Parses `INFO` text into a flat record. */
export function parseInfo(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\r\n')) {
    const i = line.indexOf(':');
    if (i > 0 && !line.startsWith('#')) out[line.slice(0, i)] = line.slice(i + 1);
  }
  return out;
}

/** Turns Redis's flat [k1, v1, k2, v2] replies (SENTINEL replicas etc.) into records. */
export function pairsToRecord(reply: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  const arr = reply as string[];
  for (let i = 0; i + 1 < arr.length; i += 2) out[arr[i]] = arr[i + 1];
  return out;
}
