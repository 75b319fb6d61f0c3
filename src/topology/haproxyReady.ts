/**
 * HAProxy is ready for a drill when every new connection through it reaches the primary: its checks have
 * marked the other servers DOWN (a role-aware backend starts with every server UP until `fall` checks
 * fail). Probed as a client would: fresh connections, one ROLE each.
 */
import { Redis } from 'ioredis';
import type { Deployment } from './deployment.ts';
import type { Node } from './node.ts';
import { waitFor } from '../util/time.ts';

async function roleThrough(dep: Deployment, proxy: Node): Promise<string> {
  const client = new Redis({ ...dep.access.endpoint(proxy), lazyConnect: true, connectTimeout: 1000, commandTimeout: 1000, maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: false });
  client.on('error', () => {});
  try {
    await client.connect();
    return String(((await client.call('ROLE')) as unknown[])[0]);
  } catch (err) {
    return `error: ${(err as Error).message}`;
  } finally {
    client.disconnect();
  }
}

export async function waitForHaproxy(dep: Deployment, proxy: Node, signal: AbortSignal, timeoutMs: number): Promise<void> {
  // Round-robin over every UP server: enough consecutive connections to have met each of them.
  const needed = 2 * dep.dataNodes.length;
  let streak = 0;
  await waitFor(
    'HAProxy to send every connection to the primary (its health checks marking the other servers DOWN)',
    async (note) => {
      const role = await roleThrough(dep, proxy);
      streak = role === 'master' ? streak + 1 : 0;
      if (streak < needed) note(`the last connection through HAProxy reached a server with role ${role} (${streak}/${needed} in a row reached the primary)`);
      return streak >= needed ? true : undefined;
    },
    { timeoutMs, signal, intervalMs: 50 },
  );
}
