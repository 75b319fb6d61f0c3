/**
 * stall: DEBUG SLEEP blocks the server's event loop (a long fork, a slow command, a stuck disk). It is
 * sent on its own connection and not awaited: the server answers only when the stall is over.
 */
import { z } from 'zod';
import { Redis } from 'ioredis';
import { duration, faultCommon, target } from '../../scenario/primitives.ts';
import type { FaultKind } from '../kind.ts';
import { healEach, resolveTarget, targetOf } from './common.ts';

const schema = z.strictObject({
  ...faultCommon,
  fault: z.literal('stall'),
  target: target.default('primary'),
  duration: duration.meta({ description: 'How long the server is stalled (DEBUG SLEEP).' }),
});
type Entry = z.output<typeof schema>;

export const stall: FaultKind<typeof schema> = {
  name: 'stall',
  schema,
  summary: '`DEBUG SLEEP <duration>` on the server (the drill enables the DEBUG command); ends by itself',
  describe: (e) => `stall ${e.target}`,
  targetsOf: targetOf,
  resolve: resolveTarget,
  async inject(entry, { nodes }, { dep }) {
    const heals = [];
    for (const n of nodes) {
      const client = new Redis({ ...dep.access.endpoint(n), lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
      client.on('error', () => {});
      await client.connect();
      const done = client.call('DEBUG', 'SLEEP', (entry.duration / 1000).toFixed(3)).finally(() => client.disconnect());
      done.catch(() => {});
      heals.push(async () => void (await done.catch(() => {})));
    }
    return { heal: healEach(heals), healAtTeardown: true };
  },
};
