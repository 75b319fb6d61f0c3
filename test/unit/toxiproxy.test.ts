/**
 * The Toxiproxy-compatible proxy with real sockets on loopback: an echo server behind it, driven through
 * its HTTP API with the client the fault kinds use. Delays are checked as lower bounds (a delay cannot
 * come early) and with wide upper margins (the machine is shared and noisy), never to the millisecond.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { ToxiproxyServer } from '../../src/toxiproxy/server.ts';
import { ToxiproxyClient } from '../../src/toxiproxy/client.ts';
import { latencyOf, parseToxic } from '../../src/toxiproxy/toxics.ts';

let echo: Server;
let echoPort = 0;
/** Closes its side as soon as a client connects (for slow_close). */
let closer: Server;
let closerPort = 0;
/** Says "bye" and exits at once: a crashing server (its kernel sends FIN, then RST to what comes after). */
let crasher: Server;
let crasherPort = 0;
let api: ToxiproxyServer;
let client: ToxiproxyClient;

async function listen(server: Server): Promise<number> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return (server.address() as { port: number }).port;
}

beforeAll(async () => {
  echo = createServer((s) => s.on('data', (d) => s.write(d)).on('error', () => {}));
  echoPort = await listen(echo);
  closer = createServer((s) => s.end());
  closerPort = await listen(closer);
  crasher = createServer((s) => s.on('error', () => {}).end('bye', () => s.destroy()));
  crasherPort = await listen(crasher);
  api = new ToxiproxyServer();
  client = new ToxiproxyClient(await api.listen());
});

afterAll(async () => {
  await api.close();
  echo.close();
  closer.close();
  crasher.close();
});

afterEach(async () => {
  for (const name of Object.keys(await client.proxies())) await client.deleteProxy(name);
});

async function proxyTo(port: number, name = 'p'): Promise<number> {
  const p = await client.createProxy({ name, listen: '127.0.0.1:0', upstream: `127.0.0.1:${port}` });
  return Number(p.listen.split(':').at(-1));
}

function open(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: '127.0.0.1', port }, () => resolve(s));
    s.once('error', reject);
  });
}

/** Sends `bytes` and resolves with the ms until all of them came back. */
function roundTrip(s: Socket, bytes = 16): Promise<number> {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    let got = 0;
    const onData = (d: Buffer) => {
      got += d.length;
      if (got >= bytes) {
        s.off('data', onData).off('error', reject);
        resolve(performance.now() - start);
      }
    };
    s.on('data', onData).once('error', reject);
    s.write(Buffer.alloc(bytes, 120));
  });
}

/** What happens to a socket within `ms`: data, its end, a reset, or nothing. */
function fate(s: Socket, ms: number): Promise<string> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve('nothing'), ms);
    const done = (what: string) => {
      clearTimeout(timer);
      resolve(what);
    };
    s.once('data', () => done('data'));
    s.once('end', () => done('end'));
    s.once('error', (err: NodeJS.ErrnoException) => done(err.code ?? err.message));
  });
}

describe('toxiproxy: proxies and toxics over real sockets', () => {
  it('passes data unchanged without toxics, and the API lists the proxy with Toxiproxy\'s fields', async () => {
    const port = await proxyTo(echoPort);
    const s = await open(port);
    expect(await roundTrip(s, 100_000)).toBeLessThan(2000);
    const listed = await client.proxies();
    expect(listed.p).toMatchObject({ name: 'p', listen: `127.0.0.1:${port}`, upstream: `127.0.0.1:${echoPort}`, enabled: true, toxics: [] });
    s.destroy();
  });

  it('latency downstream delays the answers; upstream the requests; both add up', async () => {
    const port = await proxyTo(echoPort);
    const s = await open(port);
    await client.addToxic('p', { type: 'latency', stream: 'downstream', attributes: { latency: 150 } });
    expect(await roundTrip(s)).toBeGreaterThanOrEqual(145);
    await client.addToxic('p', { type: 'latency', stream: 'upstream', attributes: { latency: 150 } });
    expect(await roundTrip(s)).toBeGreaterThanOrEqual(295);
    const toxics = await client.toxics('p');
    expect(toxics.map((t) => [t.name, t.type, t.stream, t.toxicity, t.attributes])).toEqual([
      ['latency_downstream', 'latency', 'downstream', 1, { latency: 150, jitter: 0 }],
      ['latency_upstream', 'latency', 'upstream', 1, { latency: 150, jitter: 0 }],
    ]);
    s.destroy();
  });

  it('a toxic added to an open connection applies at once; removed, the delay is gone', async () => {
    const port = await proxyTo(echoPort);
    const s = await open(port);
    await client.addToxic('p', { name: 'slow', type: 'latency', attributes: { latency: 1500 } });
    const slow = roundTrip(s);
    await new Promise((r) => setTimeout(r, 100));
    // Data already queued keeps its delivery time; what is sent after the removal is not delayed.
    await client.removeToxic('p', 'slow');
    expect(await slow).toBeGreaterThanOrEqual(1490);
    expect(await roundTrip(s)).toBeLessThan(1000);
    s.destroy();
  });

  it('jitter spreads the delays around the latency, never below latency - jitter, in order', async () => {
    const port = await proxyTo(echoPort);
    const s = await open(port);
    await client.addToxic('p', { type: 'latency', attributes: { latency: 100, jitter: 80 } });
    const times: number[] = [];
    for (let i = 0; i < 12; i++) times.push(await roundTrip(s));
    expect(Math.min(...times)).toBeGreaterThanOrEqual(19);
    // 12 draws uniform in [20, 180]: all within 20 ms of each other has probability ~ 1e-10.
    expect(Math.max(...times) - Math.min(...times)).toBeGreaterThan(20);
    s.destroy();
  });

  it('bandwidth paces the bytes at its rate (KB/s)', async () => {
    const port = await proxyTo(echoPort);
    const s = await open(port);
    await client.addToxic('p', { type: 'bandwidth', stream: 'downstream', attributes: { rate: 40 } });
    // 40 KB at 40 KB/s: at least ~1 s (the first chunk may go out before the bucket fills).
    expect(await roundTrip(s, 40 * 1024)).toBeGreaterThanOrEqual(700);
    s.destroy();
  });

  it('timeout with 0 is a blackhole: nothing arrives, the connection stays open; removed, data flows', async () => {
    const port = await proxyTo(echoPort);
    const s = await open(port);
    await client.addToxic('p', { name: 'hole', type: 'timeout', stream: 'upstream', attributes: { timeout: 0 } });
    s.write('lost');
    expect(await fate(s, 400)).toBe('nothing');
    await client.removeToxic('p', 'hole');
    expect(await roundTrip(s)).toBeLessThan(1500);
    s.destroy();
  });

  it('timeout with a time closes the connection after it', async () => {
    const port = await proxyTo(echoPort);
    const s = await open(port);
    await client.addToxic('p', { type: 'timeout', attributes: { timeout: 200 } });
    const start = performance.now();
    s.write('x');
    expect(await fate(s, 3000)).toBe('end');
    expect(performance.now() - start).toBeGreaterThanOrEqual(190);
  });

  it('reset_peer resets the connection (ECONNRESET)', async () => {
    const port = await proxyTo(echoPort);
    const s = await open(port);
    await client.addToxic('p', { type: 'reset_peer', attributes: { timeout: 100 } });
    expect(await fate(s, 3000)).toBe('ECONNRESET');
  });

  it('slow_close holds back the upstream\'s close', async () => {
    const port = await proxyTo(closerPort);
    await client.addToxic('p', { type: 'slow_close', attributes: { delay: 400 } });
    const start = performance.now();
    const s = await open(port);
    expect(await fate(s, 3000)).toBe('end');
    expect(performance.now() - start).toBeGreaterThanOrEqual(390);
  });

  it('what a crashing upstream sent before it died still arrives, after its delay, then the end', async () => {
    const port = await proxyTo(crasherPort);
    await client.addToxic('p', { type: 'latency', attributes: { latency: 300 } });
    const start = performance.now();
    const s = await open(port);
    let got = '';
    s.on('data', (d) => (got += String(d)));
    // The client keeps talking to the dead server (as a replica sends its ACKs): the upstream errors.
    setTimeout(() => s.write('ack'), 50);
    setTimeout(() => s.write('ack'), 100);
    expect(await fate(s, 3000)).toBe('data');
    expect(performance.now() - start).toBeGreaterThanOrEqual(295);
    await new Promise((r) => s.once('close', r));
    expect(got).toBe('bye');
  });

  it('deleting a proxy closes its connections and its port', async () => {
    const port = await proxyTo(echoPort);
    const s = await open(port);
    const ended = fate(s, 3000);
    await client.deleteProxy('p');
    expect(await ended).toMatch(/^(end|ECONNRESET)$/);
    await expect(open(port)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });

  it('the API answers like Toxiproxy: 409 for a duplicate, 404 for unknown names, 400 for bad toxics', async () => {
    await proxyTo(echoPort);
    await expect(client.createProxy({ name: 'p', listen: '127.0.0.1:0', upstream: `127.0.0.1:${echoPort}` })).rejects.toThrow(/409/);
    await expect(client.toxics('nope')).rejects.toThrow(/404/);
    await expect(client.addToxic('p', { type: 'latency', attributes: { latncy: 1 } })).rejects.toThrow(/400/);
    await client.addToxic('p', { type: 'latency', attributes: { latency: 1 } });
    await expect(client.addToxic('p', { type: 'latency', attributes: { latency: 2 } })).rejects.toThrow(/409/);
  });
});

describe('toxics: parsing and delays (pure)', () => {
  it('fills Toxiproxy\'s defaults', () => {
    expect(parseToxic({ type: 'latency', attributes: { latency: 5 } })).toEqual({ name: 'latency_downstream', type: 'latency', stream: 'downstream', toxicity: 1, attributes: { latency: 5, jitter: 0 } });
    expect(() => parseToxic({ type: 'bandwidth', attributes: {} })).toThrow();
    expect(() => parseToxic({ type: 'nope', attributes: {} })).toThrow();
  });

  it('latency ± jitter covers the whole range and never goes below zero', () => {
    const t = parseToxic({ type: 'latency', attributes: { latency: 10, jitter: 30 } });
    expect(latencyOf(t, () => 0)).toBe(0);
    expect(latencyOf(t, () => 0.5)).toBe(10);
    expect(latencyOf(t, () => 1)).toBe(40);
  });
});
