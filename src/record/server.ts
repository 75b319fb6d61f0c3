/** How a server identity reads in progress lines and reports. */
import type { ServerIdentity } from './result.ts';

/** "valkey 8.0.1 (reports redis_version 7.2.4)", for progress lines and reports. */
export function describeIdentity(id: ServerIdentity | null | undefined): string {
  if (!id) return 'unknown server';
  return `${id.name} ${id.version ?? '(version not reported)'}${id.redisVersion ? ` (reports redis_version ${id.redisVersion} for compatibility)` : ''}`;
}
