/** The server profile's health check, until every given node passes it (or one of them dies). */
import type { Deployment } from './deployment.ts';
import type { Node } from './node.ts';
import type { ServerProfile } from './profiles/index.ts';
import { waitFor } from '../util/time.ts';

export async function waitHealthy(dep: Deployment, nodes: Node[], check: ServerProfile['healthCheck'], signal: AbortSignal, timeoutMs: number): Promise<void> {
  const [command, ...args] = check.command;
  await waitFor(
    `every data node to answer ${check.command.join(' ')} with ${check.expect}`,
    async (note) => {
      for (const node of nodes) {
        await dep.assertRunning(node);
        const reply = String(await dep.command(node, command, ...args));
        if (reply !== check.expect) return note(`${node.name} answered ${reply}`), undefined;
      }
      return true;
    },
    { timeoutMs, signal, intervalMs: 25 },
  );
}
