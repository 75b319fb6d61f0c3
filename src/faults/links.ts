/**
 * The run's slow links: Toxiproxy proxies put in a TCP path when the kernel cannot delay packets itself
 * (no sch_netem). The proxies run in the harness's own Toxiproxy-compatible server (src/toxiproxy), or
 * in a real Toxiproxy when FERRITE_DRILL_TOXIPROXY_URL names one; either way they are driven through
 * Toxiproxy's HTTP API. Every proxy this run created is removed at close, whatever happened.
 */
import { ToxiproxyServer } from '../toxiproxy/server.ts';
import { ToxiproxyClient, type ProxyInfo } from '../toxiproxy/client.ts';
import type { Deployment } from '../topology/deployment.ts';
import type { Node } from '../topology/node.ts';

export type LinkMechanism = 'netem' | 'proxy';

export class LinkProxies {
  private server: ToxiproxyServer | undefined;
  /** A promise, so faults injected together share one server. */
  private api: Promise<ToxiproxyClient> | undefined;
  private readonly created = new Set<string>();
  /** The kernel's netem, probed once before the load (null: it works; a string: why not). */
  netemMissing: string | null | undefined;
  /** Writers' proxies per data node (link: client), set up before the load. */
  readonly clientProxies = new Map<string, string>();

  constructor(readonly runId: string) {}

  /** Where the API is: the harness's own server (started on first use, loopback only) or the user's Toxiproxy. */
  client(): Promise<ToxiproxyClient> {
    this.api ??= (async () => {
      const external = process.env.FERRITE_DRILL_TOXIPROXY_URL;
      if (external) return new ToxiproxyClient(external.replace(/\/$/, ''));
      this.server = new ToxiproxyServer();
      return new ToxiproxyClient(await this.server.listen());
    })();
    return this.api;
  }

  get where(): string {
    return process.env.FERRITE_DRILL_TOXIPROXY_URL ? `Toxiproxy at ${process.env.FERRITE_DRILL_TOXIPROXY_URL}` : 'the harness\'s own Toxiproxy-compatible proxy';
  }

  async createProxy(name: string, listen: string, upstream: string): Promise<ProxyInfo> {
    const api = await this.client();
    const proxy = await api.createProxy({ name, listen, upstream });
    this.created.add(name);
    return proxy;
  }

  async removeProxy(name: string): Promise<void> {
    if (!this.created.delete(name)) return;
    await (await this.client()).deleteProxy(name).catch(() => undefined);
  }

  /**
   * Puts a proxy between the writers and every data node, before the load starts, so a client-link
   * fault only adds toxics (as Toxiproxy is meant to be used): no connection is cut to get it in place.
   */
  async routeClients(dep: Deployment): Promise<void> {
    for (const node of dep.dataNodes) {
      const to = dep.access.address(node);
      const name = `fd-${this.runId}-client-${node.name}`;
      const proxy = await this.createProxy(name, '127.0.0.1:0', `${to.host}:${to.port}`);
      this.clientProxies.set(node.name, name);
      dep.access.detour(node, { host: '127.0.0.1', port: Number(proxy.listen.split(':').at(-1)) });
    }
  }

  clientProxyOf(node: Node): string {
    const name = this.clientProxies.get(node.name);
    if (!name) throw new Error(`no client-link proxy for ${node.name} (routeClients runs before the load)`);
    return name;
  }

  /** Removes every proxy this run created, then the harness's own server. Safe to call twice. */
  async close(): Promise<void> {
    for (const name of [...this.created]) await this.removeProxy(name);
    await this.server?.close();
    this.server = undefined;
    this.api = undefined;
  }
}
