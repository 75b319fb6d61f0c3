/** netem: delay, jitter, loss, duplication, corruption with `tc netem` (needs sch_netem in the kernel). */
import { z } from 'zod';
import { bitRate, duration, faultCommon, target } from '../../scenario/primitives.ts';
import type { FaultKind } from '../kind.ts';
import { runInNetns } from '../iptables.ts';
import { resolveTarget, targetOf } from './common.ts';

const percent = z.number().min(0).max(100);
const schema = z.strictObject({
  ...faultCommon,
  fault: z.literal('netem'),
  target,
  delay: duration.optional(),
  jitter: duration.optional(),
  loss: percent.optional(),
  duplicate: percent.optional(),
  corrupt: percent.optional(),
  rate: bitRate.optional(),
});
type Entry = z.output<typeof schema>;

export function netemArgs(s: Pick<Entry, 'delay' | 'jitter' | 'loss' | 'duplicate' | 'corrupt' | 'rate'>): string {
  const parts: string[] = [];
  if (s.delay !== undefined) parts.push(`delay ${s.delay}ms${s.jitter !== undefined ? ` ${s.jitter}ms` : ''}`);
  if (s.loss !== undefined) parts.push(`loss ${s.loss}%`);
  if (s.duplicate !== undefined) parts.push(`duplicate ${s.duplicate}%`);
  if (s.corrupt !== undefined) parts.push(`corrupt ${s.corrupt}%`);
  if (s.rate !== undefined) parts.push(`rate ${s.rate}`);
  return parts.join(' ');
}

export const netem: FaultKind<typeof schema> = {
  name: 'netem',
  schema,
  summary: '`tc netem` on egress (`delay`, `jitter`, `loss`, `duplicate`, `corrupt`, `rate`); needs sch_netem, probed before the drill starts; heal: qdisc removed',
  network: true,
  describe: (e) => `netem ${netemArgs(e)} on ${e.target}`,
  targetsOf: targetOf,
  resolve: resolveTarget,
  async inject(e, { nodes }, { dep }) {
    for (const node of nodes) await runInNetns(dep, node, `tc qdisc add dev eth0 root netem ${netemArgs(e)}`);
    return {
      heal: async () => {
        await Promise.all(nodes.map((n) => dep.runtime.netExec(n, 'tc qdisc del dev eth0 root 2>/dev/null; true').catch(() => undefined)));
      },
      healAtTeardown: true,
    };
  },
};
