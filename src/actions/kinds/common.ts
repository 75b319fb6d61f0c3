/** Pieces the actions share: the fields every action entry has, and a single data node as the target. */
import { z } from 'zod';
import { duration } from '../../scenario/primitives.ts';
import type { Node } from '../../topology/node.ts';

export const actionCommon = {
  at: duration.meta({ description: 'When the step is taken, from the start of the load (a step still waiting for the previous one to take effect runs late; the journal has the real time).' }),
  id: z.string().regex(/^[A-Za-z0-9_-]+$/).optional().meta({ description: 'Name of the step (its journal key).' }),
};

/** Selectors that can mean several nodes, or sentinels: refused where a step acts on one data node. */
const NOT_ONE_DATA_NODE = /^(replicas|primaries|sentinels|all-sentinels|sentinel.*|client|rest)$/;

export function oneDataNode(field: string, value: string): { path: (string | number)[]; message: string } | null {
  return NOT_ONE_DATA_NODE.test(value) ? { path: [field], message: `${field} must name one data node (a role such as primary, replica:most-up-to-date, or a node name such as redis-2), not "${value}"` } : null;
}

export function dataNodes(nodes: Node[], what: string): Node[] {
  const data = nodes.filter((n) => n.kind === 'data');
  if (data.length === 0) throw new Error(`${what}: no data node to act on`);
  return data;
}

/** The ROLE reply's first word (master / slave), or what went wrong asking. */
export function roleWord(reply: unknown): string {
  return Array.isArray(reply) ? String(reply[0]) : String(reply);
}
