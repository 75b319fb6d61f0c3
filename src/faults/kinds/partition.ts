/**
 * partition: iptables DROP rules between parties — `isolate` one party from everyone (and the client),
 * `groups` that cannot reach each other, or `oneway` (asymmetric). The side listed first is the one the
 * fault "hits" (what decides whether it hit the primary).
 */
import { z } from 'zod';
import { faultCommon, party } from '../../scenario/primitives.ts';
import type { FaultKind, InjectionContext, Resolved } from '../kind.ts';
import { resolveParty, type Party } from '../selectors.ts';
import { installChains, newChain, onewayRules, splitRules } from '../iptables.ts';

const schema = z
  .strictObject({
    ...faultCommon,
    fault: z.literal('partition'),
    isolate: party.optional().meta({ description: 'Cut this party off from every other node and from the client.' }),
    groups: z
      .array(z.array(party).min(1))
      .min(2)
      .optional()
      .meta({ description: 'Split into groups that cannot reach each other, e.g. [[primary, client], [replicas, sentinels]]. "rest" is every node no other group names; the client, unless named, reaches every group.' }),
    oneway: z
      .strictObject({ from: z.array(party).min(1), to: z.array(party).min(1) })
      .optional()
      .meta({ description: 'Drop packets from `from` to `to` only (asymmetric).' }),
  })
  .refine((p) => [p.isolate, p.groups, p.oneway].filter((x) => x !== undefined).length === 1, {
    message: 'a partition needs exactly one of isolate, groups or oneway',
  });
type Entry = z.output<typeof schema>;

interface PartitionResolved extends Resolved {
  groups: Party[];
  oneway: boolean;
}

/** Fills "rest" with every node no other part names. */
async function partiesOf(lists: string[][], ctx: InjectionContext): Promise<Party[]> {
  const parties = await Promise.all(lists.map((l) => resolveParty(ctx, l)));
  const named = new Set(parties.flatMap((p) => p.nodes));
  lists.forEach((l, i) => {
    if (l.includes('rest')) parties[i].nodes.push(...ctx.dep.nodes.filter((n) => !named.has(n)));
  });
  return parties;
}

export const partition: FaultKind<typeof schema, PartitionResolved> = {
  name: 'partition',
  schema,
  summary: 'iptables DROP rules: `isolate: <party>`, `groups: [[…], […]]` or `oneway: { from: […], to: […] }`; heal: rules removed',
  network: true,
  describe(e) {
    if (e.isolate) return `partition: isolate ${e.isolate}`;
    if (e.groups) return `partition: ${e.groups.map((g) => `[${g.join(', ')}]`).join(' | ')}`;
    return `partition: one-way [${e.oneway!.from.join(', ')}] -> [${e.oneway!.to.join(', ')}]`;
  },
  targetsOf(e) {
    const out: [(string | number)[], string][] = [];
    if (e.isolate) out.push([['isolate'], e.isolate]);
    e.groups?.forEach((g, gi) => g.forEach((p, pi) => out.push([['groups', gi, pi], p])));
    e.oneway?.from.forEach((p, pi) => out.push([['oneway', 'from', pi], p]));
    e.oneway?.to.forEach((p, pi) => out.push([['oneway', 'to', pi], p]));
    return out;
  },
  check(e) {
    if (e.isolate === 'rest') return { path: ['isolate'], message: '"rest" only means something among groups' };
    const rests = (e.groups ?? []).filter((g) => g.includes('rest')).length;
    return rests > 1 ? { path: ['groups'], message: 'only one group can be "rest"' } : null;
  },
  async resolve(e, ctx) {
    let groups: Party[];
    if (e.isolate) {
      const [cut] = await partiesOf([[e.isolate]], ctx);
      groups = [cut, { nodes: ctx.dep.nodes.filter((n) => !cut.nodes.includes(n)), client: !cut.client }];
    } else if (e.groups) {
      groups = await partiesOf(e.groups, ctx);
    } else {
      groups = await partiesOf([e.oneway!.from, e.oneway!.to], ctx);
    }
    return { nodes: groups[0].nodes, groups, oneway: Boolean(e.oneway) };
  },
  async inject(_e, { groups, oneway }, { dep, runId }) {
    const rules = oneway ? onewayRules(dep, groups[0], groups[1]) : splitRules(dep, groups);
    return { heal: await installChains(dep, newChain(runId), rules), healAtTeardown: true };
  },
};
