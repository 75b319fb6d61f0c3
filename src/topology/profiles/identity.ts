/**
 * Which server a node really runs, from its INFO server text. Valkey says redis_version:7.2.4 for
 * compatibility and its real version in valkey_version (with server_name:valkey); Ferrite says
 * ferrite_version. The answer does not depend on the scenario's profile: a scenario that says redis but
 * runs a Valkey image is reported as Valkey.
 */
import { parseInfo } from '../admin.ts';
import type { ServerIdentity } from '../../record/result.ts';
import type { Deployment } from '../deployment.ts';
import type { Node } from '../node.ts';

export type { ServerIdentity };
export { describeIdentity } from '../../record/server.ts';

/** Servers that name themselves only by a version field of their own. */
const VERSION_FIELDS: [name: string, field: string][] = [
  ['ferrite', 'ferrite_version'],
  ['valkey', 'valkey_version'],
];

export function parseServerIdentity(infoServer: string): ServerIdentity | null {
  const info = parseInfo(infoServer.replace(/\r?\n/g, '\r\n'));
  const redisVersion = info.redis_version ?? null;
  const named = info.server_name?.trim().toLowerCase();
  if (named) {
    const own = info[`${named}_version`] ?? null;
    return { name: named, version: own ?? redisVersion, redisVersion: own && own !== redisVersion ? redisVersion : null };
  }
  for (const [name, field] of VERSION_FIELDS) {
    if (info[field]) return { name, version: info[field], redisVersion: redisVersion && redisVersion !== info[field] ? redisVersion : null };
  }
  if (redisVersion) return { name: 'redis', version: redisVersion, redisVersion: null };
  return null;
}


/** Asks a node (INFO server) which server it runs; null when it does not answer or says nothing usable. */
export async function probeServerIdentity(dep: Deployment, node: Node): Promise<ServerIdentity | null> {
  try {
    return parseServerIdentity(String(await dep.command(node, 'INFO', 'server')));
  } catch {
    return null;
  }
}
