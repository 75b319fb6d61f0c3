/** Process fault: send a signal to the node's container (SIGKILL = crash). */
import type { Journal } from '../journal/journal.ts';
import type { Topology } from '../topology/topology.ts';
import type { TimelineEntry } from '../scenario/schema.ts';
import { resolveTarget } from './selectors.ts';

export async function injectKill(topology: Topology, journal: Journal, entry: TimelineEntry): Promise<void> {
  const { node, role } = await resolveTarget(topology, entry.target);
  // t0 is taken just before the command is issued (the design's definition), with its wall clock.
  const t0 = journal.now();
  await topology.container(node).kill({ signal: entry.signal });
  const done = journal.now();
  journal.append('fault.inject', { kind: 'kill', signal: entry.signal, target: entry.target, role, node: node.name, ip: node.ip, issuedMs: done - t0 }, t0);
}
