/**
 * Which HA capabilities a drill relies on, from its scenario alone: a pure function, so the reason a
 * check is required (or not) is the same in the report, the table and the tests.
 */
import type { Scenario } from '../scenario/schema.ts';
import { effectiveDirective } from '../topology/serverConfig.ts';

export const CHECK_IDS = ['info-replication', 'role', 'write-replicates', 'wait', 'offsets-advance', 'replicaof', 'min-replicas', 'sentinel', 'shutdown', 'sigterm', 'persistence'] as const;
export type CheckId = (typeof CHECK_IDS)[number];

export const CHECK_TITLES: Record<CheckId, string> = {
  'info-replication': 'INFO replication reports role, link status, offsets and a line per replica',
  role: 'ROLE matches the topology',
  'write-replicates': 'a write on the primary appears on every replica',
  wait: 'WAIT returns the number of replicas that acknowledged',
  'offsets-advance': 'replication offsets advance with a write, on the primary and the replicas',
  replicaof: 'REPLICAOF makes a node a replica that receives data',
  'min-replicas': 'min-replicas-to-write refuses writes (NOREPLICAS) without enough replicas',
  sentinel: 'every sentinel monitors the primary and sees the replicas linked to it',
  shutdown: 'SHUTDOWN stops the server',
  sigterm: 'SIGTERM stops the server',
  persistence: 'the persistence the scenario asks for is what the servers run with',
};

export interface Requirement {
  /** false with `skip`: the check does not apply to this drill and is not run. */
  required: boolean;
  why: string;
  skip?: boolean;
}

/** The scenario's wish for one directive, as the data nodes get it (defaults included). */
export function directiveOf(scenario: Scenario, name: string): string | undefined {
  return effectiveDirective({ topology: scenario.topology, tls: false, enableDebugCommand: false }, name);
}

export function requirementsOf(scenario: Scenario): Record<CheckId, Requirement> {
  const t = scenario.topology;
  const faults = scenario.timeline.filter((e) => e.fault !== 'heal');
  const cluster = t.mode === 'cluster';
  const replicas = t.replicas > 0;
  const noReplicas: Requirement = { required: false, skip: true, why: 'the topology has no replicas' };
  const replication: Requirement = replicas
    ? { required: true, why: cluster ? 'a shard fails over by promoting its replica: replication must work' : 'a failover promotes a replica: replication must work' }
    : noReplicas;
  const minReplicas = Number(directiveOf(scenario, 'min-replicas-to-write') ?? 0);
  const sigtermFault = faults.some((e) => (e.fault === 'kill' && 'signal' in e && e.signal === 'SIGTERM') || e.fault === 'stop' || e.fault === 'restart');
  const restarts = faults.some((e) => e.fault === 'kill' || e.fault === 'stop' || e.fault === 'restart');
  const asksPersistence = 'save' in t.serverConfig || 'appendonly' in t.serverConfig || Boolean(t.preset) || Boolean(t.configFiles?.server);
  return {
    'info-replication': replication,
    role: replication,
    'write-replicates': replication,
    'offsets-advance': replication,
    wait:
      scenario.load.wait.replicas > 0
        ? { required: true, why: `the writers confirm every write with WAIT ${scenario.load.wait.replicas}` }
        : replicas
          ? { required: false, why: 'the writers do not use WAIT (load.wait.replicas: 0)' }
          : noReplicas,
    replicaof: cluster
      ? { required: false, skip: true, why: 'cluster mode reconfigures replicas with CLUSTER REPLICATE / FAILOVER, not REPLICAOF' }
      : t.sentinels > 0
        ? { required: true, why: 'Sentinel fails over with REPLICAOF NO ONE on the promoted replica and REPLICAOF <new primary> on the others' }
        : { required: false, why: 'no sentinel reconfigures the nodes in this drill' },
    'min-replicas':
      minReplicas > 0
        ? { required: true, why: `the scenario sets min-replicas-to-write ${minReplicas}` }
        : { required: false, skip: true, why: 'the scenario sets no min-replicas-to-write' },
    sentinel: t.sentinels > 0 ? { required: true, why: `${t.sentinels} sentinels detect the failure and fail over` } : { required: false, skip: true, why: cluster ? 'cluster mode has no sentinels' : 'the topology has no sentinels' },
    shutdown: { required: false, why: 'no fault of this drill sends SHUTDOWN (operators and runbooks do)' },
    sigterm: sigtermFault ? { required: true, why: 'a fault of this drill stops a node with SIGTERM (kill SIGTERM, stop or restart)' } : { required: false, why: 'no fault of this drill sends SIGTERM' },
    persistence:
      asksPersistence || restarts
        ? { required: true, why: asksPersistence ? 'the scenario sets save / appendonly (serverConfig, a preset or your redis.conf)' : 'a fault of this drill restarts a node: what it comes back with depends on persistence' }
        : { required: false, why: 'no node of this drill is restarted, and the scenario keeps the default (no persistence)' },
  };
}
