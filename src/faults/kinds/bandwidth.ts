/** bandwidth: an egress token bucket (tc tbf) on the targets' interface. */
import { z } from 'zod';
import { bitRate, faultCommon, target } from '../../scenario/primitives.ts';
import type { FaultKind } from '../kind.ts';
import { runInNetns } from '../iptables.ts';
import { resolveTarget, targetOf } from './common.ts';

const schema = z.strictObject({
  ...faultCommon,
  fault: z.literal('bandwidth'),
  target,
  rate: bitRate.meta({ description: 'Egress rate limit (tc tbf), e.g. "1mbit".' }),
});
type Entry = z.output<typeof schema>;

export const bandwidth: FaultKind<typeof schema> = {
  name: 'bandwidth',
  schema,
  summary: 'egress token bucket (`tc tbf`, `rate: 1mbit`); heal: qdisc removed',
  network: true,
  describe: (e) => `bandwidth ${e.rate} on ${e.target}`,
  targetsOf: targetOf,
  resolve: resolveTarget,
  async inject(e, { nodes }, { dep }) {
    for (const node of nodes) await runInNetns(dep, node, `tc qdisc add dev eth0 root tbf rate ${e.rate} burst 32kbit latency 400ms`);
    return {
      heal: async () => {
        await Promise.all(nodes.map((n) => dep.runtime.netExec(n, 'tc qdisc del dev eth0 root 2>/dev/null; true').catch(() => undefined)));
      },
      healAtTeardown: true,
    };
  },
};
