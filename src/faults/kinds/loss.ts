/** loss: random packet drops with the iptables statistic match (no netem needed). */
import { z } from 'zod';
import { faultCommon, party, target } from '../../scenario/primitives.ts';
import type { FaultKind } from '../kind.ts';
import { resolveParty } from '../selectors.ts';
import { installChains, lossRules, newChain } from '../iptables.ts';
import { resolveTarget } from './common.ts';

const schema = z.strictObject({
  ...faultCommon,
  fault: z.literal('loss'),
  target,
  probability: z.number().gt(0).max(1).meta({ description: 'Share of packets dropped (iptables statistic match), both directions.' }),
  peers: z.array(party).optional().meta({ description: 'Only traffic with these parties (default: all).' }),
});
type Entry = z.output<typeof schema>;

export const loss: FaultKind<typeof schema> = {
  name: 'loss',
  schema,
  summary: 'random drops with the iptables `statistic` match (`probability`, optional `peers`); heal: rules removed',
  network: true,
  describe: (e) => `loss ${e.probability * 100}% on ${e.target}`,
  targetsOf: (e) => [[['target'], e.target], ...(e.peers ?? []).map((p, i): [(string | number)[], string] => [['peers', i], p])],
  check: (e) => (e.peers?.includes('rest') ? { path: ['peers'], message: '"rest" only means something among partition groups' } : null),
  resolve: resolveTarget,
  async inject(e, { nodes }, ctx) {
    const { dep, runId } = ctx;
    const peers = e.peers ? await resolveParty(ctx, e.peers) : undefined;
    return { heal: await installChains(dep, newChain(runId), lossRules(dep, nodes, e.probability, peers)), healAtTeardown: true };
  },
};
