/**
 * A client for Toxiproxy's HTTP API: what the fault kinds use, whether the proxy is the harness's own
 * (server.ts, started in-process) or a real Toxiproxy named by FERRITE_DRILL_TOXIPROXY_URL.
 */
import type { ProxyConfig } from './proxy.ts';
import type { Toxic } from './toxics.ts';

export type ProxyInfo = ProxyConfig & { toxics: Toxic[] };
export type ToxicInput = Partial<Pick<Toxic, 'name' | 'stream' | 'toxicity'>> & Pick<Toxic, 'type' | 'attributes'>;

export class ToxiproxyClient {
  constructor(readonly url: string) {}

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await fetch(`${this.url}${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(5000),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`Toxiproxy ${method} ${path}: ${res.status} ${text}`);
    return (text ? JSON.parse(text) : null) as T;
  }

  proxies(): Promise<Record<string, ProxyInfo>> {
    return this.call('GET', '/proxies');
  }

  /** Creates a proxy; `listen` may end in :0, and the answer carries the port really used. */
  createProxy(config: Omit<ProxyConfig, 'enabled'> & { enabled?: boolean }): Promise<ProxyInfo> {
    return this.call('POST', '/proxies', { enabled: true, ...config });
  }

  async deleteProxy(name: string): Promise<void> {
    await this.call('DELETE', `/proxies/${encodeURIComponent(name)}`);
  }

  addToxic(proxy: string, toxic: ToxicInput): Promise<Toxic> {
    return this.call('POST', `/proxies/${encodeURIComponent(proxy)}/toxics`, toxic);
  }

  toxics(proxy: string): Promise<Toxic[]> {
    return this.call('GET', `/proxies/${encodeURIComponent(proxy)}/toxics`);
  }

  async removeToxic(proxy: string, toxic: string): Promise<void> {
    await this.call('DELETE', `/proxies/${encodeURIComponent(proxy)}/toxics/${encodeURIComponent(toxic)}`);
  }
}
