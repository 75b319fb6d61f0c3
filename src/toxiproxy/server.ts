/**
 * Toxiproxy's HTTP API over a set of proxies, in the harness process: `GET/POST /proxies`,
 * `GET/POST/DELETE /proxies/:name`, `GET/POST /proxies/:name/toxics`,
 * `GET/POST/DELETE /proxies/:name/toxics/:toxic`, `POST /reset`, `GET /version`. The JSON shapes are
 * Toxiproxy's, so the harness's client (client.ts) drives a real Toxiproxy just the same.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { z } from 'zod';
import { Proxy, ProxyError } from './proxy.ts';
import { parseToxic } from './toxics.ts';

export const TOXIPROXY_VERSION = 'ferrite-drill-toxiproxy/2.9-compatible';

const proxyInput = z.object({
  name: z.string().min(1),
  listen: z.string().min(1),
  upstream: z.string().min(1),
  enabled: z.boolean().default(true),
});
const proxyPatch = z.object({ listen: z.string().optional(), upstream: z.string().optional(), enabled: z.boolean().optional() });
const toxicPatch = z.object({ toxicity: z.number().min(0).max(1).optional(), attributes: z.record(z.string(), z.number()).optional() });

export class ToxiproxyServer {
  readonly proxies = new Map<string, Proxy>();
  private http: Server | undefined;
  /** Where the API listens, e.g. http://127.0.0.1:41234 (set by listen). */
  url = '';

  /** Listens on loopback only: the API is the harness's, never the network's. */
  async listen(port = 0): Promise<string> {
    const http = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve, reject) => {
      http.once('error', reject);
      http.listen(port, '127.0.0.1', () => resolve());
    });
    const addr = http.address();
    this.url = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : port}`;
    this.http = http;
    return this.url;
  }

  /** Stops every proxy (closing their connections) and the API. */
  async close(): Promise<void> {
    await Promise.all([...this.proxies.values()].map((p) => p.stop()));
    this.proxies.clear();
    const http = this.http;
    this.http = undefined;
    if (http) {
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    }
  }

  private proxy(name: string): Proxy {
    const p = this.proxies.get(name);
    if (!p) throw new ProxyError(`proxy not found: ${name}`, 404);
    return p;
  }

  private async route(method: string, parts: string[], body: unknown): Promise<[number, unknown]> {
    const [root, name, sub, toxic] = parts;
    if (root === 'version' && method === 'GET') return [200, TOXIPROXY_VERSION];
    if (root === 'reset' && method === 'POST') {
      for (const p of this.proxies.values()) {
        for (const t of [...p.toxics]) p.removeToxic(t.name);
        await p.update({ enabled: true });
      }
      return [204, null];
    }
    if (root !== 'proxies') throw new ProxyError('not found', 404);
    if (name === undefined) {
      if (method === 'GET') return [200, Object.fromEntries([...this.proxies].map(([n, p]) => [n, p.toJSON()]))];
      if (method === 'POST') {
        const config = parse(proxyInput, body);
        if (this.proxies.has(config.name)) throw new ProxyError(`proxy ${config.name} already exists`, 409);
        const p = new Proxy(config);
        await p.start();
        this.proxies.set(config.name, p);
        return [201, p.toJSON()];
      }
    } else if (sub === undefined) {
      const p = this.proxy(name);
      if (method === 'GET') return [200, p.toJSON()];
      if (method === 'POST' || method === 'PATCH') {
        await p.update(parse(proxyPatch, body));
        return [200, p.toJSON()];
      }
      if (method === 'DELETE') {
        await p.stop();
        this.proxies.delete(name);
        return [204, null];
      }
    } else if (sub === 'toxics') {
      const p = this.proxy(name);
      if (toxic === undefined) {
        if (method === 'GET') return [200, p.toxics];
        if (method === 'POST') {
          const t = parseToxic(body);
          p.addToxic(t);
          return [200, t];
        }
      } else {
        if (method === 'GET') return [200, p.toxic(toxic)];
        if (method === 'POST' || method === 'PATCH') return [200, p.updateToxic(toxic, parse(toxicPatch, body))];
        if (method === 'DELETE') {
          p.removeToxic(toxic);
          return [204, null];
        }
      }
    }
    throw new ProxyError(`${method} /${parts.join('/')} is not part of the API`, 405);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let status = 500;
    let payload: unknown;
    try {
      const text = await readBody(req);
      const body = text ? JSON.parse(text) : {};
      const parts = new URL(req.url ?? '/', 'http://x').pathname.split('/').filter(Boolean).map(decodeURIComponent);
      [status, payload] = await this.route(req.method ?? 'GET', parts, body);
    } catch (err) {
      status = err instanceof ProxyError ? err.status : err instanceof SyntaxError || err instanceof z.ZodError ? 400 : 500;
      payload = { error: err instanceof z.ZodError ? z.prettifyError(err) : (err as Error).message, status };
    }
    if (status === 204) {
      res.writeHead(204).end();
      return;
    }
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(payload));
  }
}

function parse<T extends z.ZodType>(schema: T, body: unknown): z.output<T> {
  return schema.parse(body);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
