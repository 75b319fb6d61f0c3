/**
 * The journal's event vocabulary: every event type a run can record, with its fields. Writers append
 * through `Journal.append<K>` and readers narrow with `ofType`, so a misspelt type or a missing field is
 * a compile error instead of a metric that is silently null.
 */

/** What the journal knows about a node (recorded once in `topology.nodes`). */
export interface NodeRef {
  name: string;
  kind: NodeKind;
  /** Address on the deployment's network: what Sentinel and the cluster bus report. */
  ip: string;
  /** Port inside the node. */
  port: number;
  /** Port published on 127.0.0.1 (0 when the harness does not publish one). */
  hostPort?: number;
  /** The runtime's name for it (container name). */
  runtimeName?: string;
  /** Cluster mode: the shard (1-based) the node was created for; null elsewhere. */
  shard?: number | null;
  /** Cluster mode: the node's cluster id (CLUSTER MYID). */
  clusterId?: string;
}

/** data: a server; sentinel: a monitor; proxy: something between the clients and the servers (HAProxy). */
export type NodeKind = 'data' | 'sentinel' | 'proxy';
export type HaMode = 'sentinel' | 'cluster';
/** What a fault hit, judged when it fired. */
export type FaultRole = 'primary' | 'replica' | 'sentinel' | 'none';

export interface EventFields {
  'run.start': { runId: string; scenario: string };
  'run.error': { message: string };
  'run.end': { verdict: string };
  phase: { name: string };

  'topology.network': { network: string; subnet: string };
  'topology.tls': { clientAuth: string };
  'topology.container': { node: string; kind: NodeKind; ip: string; hostPort: number };
  'topology.down-after': { downAfterMs: number };
  /** The deployment as it stood when it was ready: the reference every later event is read against. */
  'topology.nodes': { mode: HaMode; nodes: NodeRef[]; masterName?: string; slots?: Record<string, [number, number][]>; zones?: Record<string, string[]> };
  'topology.address-changed': { node: string; from: string; to: string };
  /** --attach: the deployment found (before anything was touched) and the state it was left in. */
  'attach.found': { target: string; network: string; masterName: string; primary: string; replicas: string[]; sentinels: string[]; quorum: number; downAfterMs: number; excluded: string[] };
  'attach.left': AttachLeft;
  'topology.ready': { ms: number };
  /** Repeats: this run reuses the topology an earlier run created (and reset), instead of creating one. */
  'topology.reused': { createdBy: string; run: number };
  /** Repeats: after the run, its topology was reset for the next run (kept) or torn down, and why. */
  'topology.reset': { kept: boolean; why: string; steps: string[]; ms: number };

  'container.die': { node: string; action?: string; exitCode?: string };
  'client.ready': { writer: number; node: string | null };
  'client.close': { writer: number };
  'write.unclassified-error': { writer: number; message: string };

  /** writerShards (cluster mode): the shard each writer writes to. */
  'load.start': { writers: number; writerShards?: number[] };
  'load.stop': {
    writes: number;
    /** Writes whose connection dropped while they were in flight, with a client that may re-send (each still one ledger row), by outcome. */
    acrossDrops?: { ok: number; fail: number; indeterminate: number };
  };

  'fault.inject': {
    key: string;
    kind: string;
    description: string;
    target?: string;
    signal?: string;
    node: string | null;
    nodes: string[];
    role: FaultRole;
    /** Cluster mode: the shards whose primary the fault hit. */
    shards?: number[];
    /** How the fault was applied, where there is a choice (latency: netem or a proxy in the path). */
    mechanism?: 'netem' | 'proxy';
    /** How long the fault command took to return, ms. */
    issuedMs: number;
  };
  /** A runbook step (promote, repoint, switchover, verify-write) sent: `t` is when its command went out. */
  'action.send': {
    key: string;
    kind: string;
    description: string;
    target?: string;
    /** The node the step is about (switchover: the primary it moves away from). */
    node: string | null;
    nodes: string[];
    /** 'primary' only for a step that moves the primary away (it is then measured from like a fault). */
    role: FaultRole;
    issuedMs: number;
    reply: string;
  };
  /** The same step seen to take effect (`t`), or given up on (afterMs null, ok false). */
  'action.effect': { key: string; kind: string; node: string | null; afterMs: number | null; ok: boolean; detail: string };
  'fault.heal': { key: string; kind: string; node: string | null; nodes: string[]; reason: 'scheduled' | 'teardown'; skipped?: string; issuedMs?: number };

  /** A memory-fill fault ended: what it wrote to its node and what stopped it (see FillRecord). */
  'fault.fill': { node: string; bytes: number; values: number; stoppedBy: 'done' | 'refused' | 'connection-lost' | 'stopped'; error: string | null; ms: number; oomKilled: boolean | null };

  /** An aof-damage fault: the file it damaged in a stopped node, and how. */
  'fault.aof-damage': { node: string; file: string; damage: 'truncate' | 'corrupt'; bytes: number; sizeBefore: number; sizeAfter: number };
  /** After an aof-damage heal started the node: whether its server came up or exited, and what it logged about its AOF. */
  'fault.aof-restart': { node: string; outcome: 'running' | 'exited' | 'unknown'; exitCode: number | null; log: string[] };

  'replication.snapshot': { primary: string; offsets: Record<string, number> };
  'replication.state': { node: string; role: string; master: string | null; link: string | null; runId: string; offset: number };
  'replication.sync': { node: string; syncFull: number; syncPartialOk: number };

  /** Live Sentinel pub/sub (the tap): arrival time at the harness. */
  'sentinel.event': { node: string; channel: string; message: string };
  /** From a sentinel's own log (time from the log line): authoritative. */
  'sentinel.log': { node: string; event: string; detail: string; logWall: number };

  /** HAProxy in front of the servers: its backend as configured. */
  'haproxy.config': { node: string; backend: string; servers: { name: string; node: string | null; address: string }[]; check: string };
  /** HAProxy's own log: a backend server changed state (time from the log line). */
  'haproxy.log': { node: string; server: string; state: 'UP' | 'DOWN' | 'NOSRV'; detail: string; logWall: number };
  /** Cluster mode, from a node's own log (time from the log line). */
  'cluster.log': { node: string; event: ClusterLogEvent; subject: string | null; detail: string; logWall: number };
  /** Cluster mode, polled: a node's cluster_state changed. */
  'cluster.state': { node: string; state: string };
  /** Cluster mode, polled: how `node` sees `subject` (CLUSTER NODES flags) changed. */
  'cluster.view': { node: string; subject: string; flags: string };

  /** The data nodes' (and sentinels') server, from INFO server. */
  'server.identity': { node: string; name: string; version: string | null; redisVersion: string | null };
  /** One HA conformance check on the real nodes, with what was seen. */
  'preflight.check': { id: string; status: string; required: boolean; evidence: string[]; ms: number };
  'preflight.done': { passed: boolean; missing: string[]; ms: number };
  'preflight.skipped': { reason: string };

  'recovery.converged': { primary: string; ms: number; primaries?: Record<string, string> };
  'recovery.incomplete': { reason: string };
  'verify.done': { node: string; checked: number; ms: number };
  'verify.skipped': { reason: string };
}

export type ClusterLogEvent = 'fail' | 'fail-cleared' | 'state-fail' | 'state-ok' | 'election-won' | 'failover-start';

export type EventType = keyof EventFields;

/** One journal event of a given type: both clocks plus the type's fields. */
export type EventOf<K extends EventType> = { t: number; wall: number; type: K } & EventFields[K];

/** Any journal event. */
export type JournalEvent = { [K in EventType]: EventOf<K> }[EventType];

/** The events of one type, in journal order, typed. */
export function ofType<K extends EventType>(events: readonly JournalEvent[], type: K): EventOf<K>[] {
  return events.filter((e): e is EventOf<K> & JournalEvent => e.type === type) as EventOf<K>[];
}

/** The first event of a type, or undefined. */
export function firstOf<K extends EventType>(events: readonly JournalEvent[], type: K): EventOf<K> | undefined {
  return events.find((e) => e.type === type) as EventOf<K> | undefined;
}

/** What an attached deployment was left as: nothing of the harness in it, every container running. */
export interface AttachLeft {
  /** The primary the sentinels name now (null: none could be determined). */
  primary: string | null;
  /** The primary when the drill attached. */
  initialPrimary: string;
  /** Containers the harness started or unpaused again at teardown (beyond the faults' own heals). */
  restarted: string[];
  unpaused: string[];
  /** Containers of the deployment that still do not run (should be empty). */
  notRunning: string[];
  converged: boolean;
  /** --restore-primary: whether Sentinel failed back to the initial primary, and how long it took. */
  restore: { asked: boolean; done: boolean; ms: number | null; note: string } | null;
}
