/** HAProxy's server state changes, from its own log, into the journal with the log's times. */
import type { Deployment } from '../topology/deployment.ts';
import type { Journal } from '../record/journal.ts';
import { parseHaproxyLog } from '../topology/haproxy.ts';

export function journalProxyLogs(dep: Deployment, logs: Record<string, string>, journal: Journal): void {
  const proxy = dep.proxy;
  const text = proxy && logs[proxy.name];
  if (!proxy || !text) return;
  for (const line of parseHaproxyLog(text)) {
    journal.append('haproxy.log', { node: proxy.name, server: line.server, state: line.state, detail: line.detail, logWall: line.wall }, line.wall - journal.originWall);
  }
}
