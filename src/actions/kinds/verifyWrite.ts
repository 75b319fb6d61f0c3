/**
 * verify-write: the runbook's last step — a write on the (new) primary must succeed. A SET of a key of
 * its own (not one of the load's, so verification of the load is untouched) on a fresh connection; the
 * reply is the effect: OK, or the error the operator would see.
 */
import { z } from 'zod';
import { Redis } from 'ioredis';
import { target } from '../../scenario/primitives.ts';
import { resolveTargets } from '../../faults/selectors.ts';
import type { ActionKind } from '../kind.ts';
import { actionCommon, dataNodes, oneDataNode } from './common.ts';

const schema = z.strictObject({
  ...actionCommon,
  action: z.literal('verify-write'),
  target: target.default('primary').meta({ description: 'Where the write goes (default: the node that is primary when the step runs).' }),
});

export const verifyWrite: ActionKind<typeof schema> = {
  name: 'verify-write',
  schema,
  summary: 'a SET on `target` (default: the primary now) on a fresh connection; takes effect when it is answered OK (an error is journalled and reported as a finding)',
  describe: (e) => `verify a write on ${e.target}`,
  targetsOf: (e) => [[['target'], e.target]],
  check: (e) => oneDataNode('target', e.target),
  async resolve(entry, ctx) {
    return { nodes: dataNodes(await resolveTargets(ctx, entry.target), 'verify-write').slice(0, 1) };
  },
  async send(_entry, { nodes: [node] }, { dep, runId, journal }) {
    // A fresh connection, as an operator's redis-cli would open: not one of the admin clients.
    const client = new Redis({ ...dep.access.endpoint(node), lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 1000, commandTimeout: 1000 });
    client.on('error', () => {});
    let reply: string;
    let ok = false;
    try {
      await client.connect();
      reply = String(await client.set(`ferrite-drill:verify-write:${runId}:${Math.round(journal.now())}`, 'ok'));
      ok = reply === 'OK';
    } catch (err) {
      reply = (err as Error).message;
    } finally {
      client.disconnect();
    }
    return { reply: `${node.name}: ${reply}`, effect: async () => ({ detail: `SET on ${node.name} -> ${reply}`, node: node.name, ok }) };
  },
};
