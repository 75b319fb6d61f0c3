/**
 * The durability guide's three reference configurations, as redis.conf directives. A preset sits over
 * the user's config file and under the scenario's serverConfig, so "which preset loses what under which
 * fault" is one scenario line.
 */
import type { Scenario } from '../scenario/schema.ts';
import type { Directive } from './serverConfig.ts';

export type Preset = NonNullable<Scenario['topology']['preset']>;

export const PRESET_DIRECTIVES: Record<Preset, Directive[]> = {
  // AOF fsynced every second; a write needs one replica no more than 5 s behind.
  balanced: [['appendonly', 'yes'], ['appendfsync', 'everysec'], ['min-replicas-to-write', 1], ['min-replicas-max-lag', 5]],
  // Every write fsynced before the reply; two replicas no more than 2 s behind.
  'max-durability': [['appendonly', 'yes'], ['appendfsync', 'always'], ['min-replicas-to-write', 2], ['min-replicas-max-lag', 2]],
  // AOF every second, and the primary never refuses a write for want of replicas.
  'low-latency': [['appendonly', 'yes'], ['appendfsync', 'everysec'], ['min-replicas-to-write', 0]],
};

/** One line for reports: "balanced (appendonly yes, appendfsync everysec, ...)". */
export function describePreset(preset: Preset): string {
  return `${preset} (${PRESET_DIRECTIVES[preset].map(([k, v]) => `${k} ${v}`).join(', ')})`;
}
