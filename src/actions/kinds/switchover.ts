/**
 * switchover: `SENTINEL FAILOVER <master>` sent to a sentinel — a planned failover, nothing broken.
 * The step is about the primary it moves away from (so drills measure from it like from a fault on the
 * primary); takes effect when that sentinel names another node and that node reports ROLE master.
 */
import { z } from 'zod';
import { target } from '../../scenario/primitives.ts';
import { resolveTargets } from '../../faults/selectors.ts';
import type { Resolved } from '../../faults/kind.ts';
import type { Node } from '../../topology/node.ts';
import type { ActionKind } from '../kind.ts';
import { actionCommon, roleWord } from './common.ts';

const schema = z.strictObject({
  ...actionCommon,
  action: z.literal('switchover'),
  target: target.default('sentinel').meta({ description: 'The sentinel asked (default: any running sentinel).' }),
});

/** The primary the switchover moves away from, and the sentinel asked. */
interface Via extends Resolved {
  via: Node;
}

export const switchover: ActionKind<typeof schema, Via> = {
  name: 'switchover',
  schema,
  movesPrimary: true,
  summary: '`SENTINEL FAILOVER <master>` through `target` (default: a running sentinel); takes effect when it names a new primary that reports ROLE master',
  describe: (e) => `switchover via ${e.target} (SENTINEL FAILOVER)`,
  targetsOf: (e) => [[['target'], e.target]],
  check: (e) => (/^(sentinel|sentinel:any|sentinel:leader|sentinel-\d+)$/.test(e.target) ? null : { path: ['target'], message: `a switchover is asked of one sentinel (sentinel, sentinel:leader or sentinel-N), not "${e.target}"` }),
  async resolve(entry, ctx) {
    const [sentinel] = await resolveTargets(ctx, entry.target);
    const primary = ctx.primaries.get(1);
    if (!primary) throw new Error('switchover: no node is primary right now');
    return { nodes: [primary], via: sentinel };
  },
  async send(_entry, resolved, { dep }) {
    const sentinel = resolved.via;
    const from = resolved.nodes[0];
    const masterName = dep.mode.describe(dep).masterName ?? 'mymaster';
    const reply = String(await dep.command(sentinel, 'SENTINEL', 'FAILOVER', masterName));
    return {
      reply: `${sentinel.name}: ${reply}`,
      async effect(note) {
        const [ip, port] = (await dep.command(sentinel, 'SENTINEL', 'GET-MASTER-ADDR-BY-NAME', masterName)) as [string, string];
        const now = dep.nodeAt(ip, Number(port));
        if (!now || now === from) return note(`${sentinel.name} still names ${now?.name ?? `${ip}:${port}`}`), undefined;
        const role = roleWord(await dep.command(now, 'ROLE'));
        if (role !== 'master') return note(`${sentinel.name} names ${now.name}, which reports role ${role}`), undefined;
        return { detail: `${sentinel.name} names ${now.name}, which reports role master`, node: now.name };
      },
    };
  },
};
