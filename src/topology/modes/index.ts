/** The HA mode a scenario asks for. */
import type { Scenario } from '../../scenario/schema.ts';
import type { Credentials } from '../secrets.ts';
import type { FailoverMode } from './mode.ts';
import { SentinelMode } from './sentinel/mode.ts';
import { ClusterMode } from './cluster/mode.ts';

export function modeFor(scenario: Scenario, credentials: Credentials | undefined): FailoverMode {
  return scenario.topology.mode === 'cluster' ? new ClusterMode(scenario, credentials) : new SentinelMode(scenario, credentials);
}
