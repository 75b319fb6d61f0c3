/**
 * The bad-input corpus: every file under test/fixtures/bad-scenarios is rejected with the loader's own
 * error naming file, line, column and field; generated hostile inputs (huge, binary, alias bombs) too;
 * a fuzz test shows the loader never throws anything else; and the CLI exits 2 without starting anything.
 */
import { describe, it, expect } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { loadScenarioFile, parseScenarioText, ScenarioError } from '../../src/scenario/loader.ts';
import { runCli } from '../integration/run-cli.ts';

const DIR = join(import.meta.dirname, '../fixtures/bad-scenarios');

/** [file, line, column, field path (null for file-level errors), message fragment] */
const CORPUS: [string, number, number, string | null, string][] = [
  ['01-yaml-unclosed-flow.yaml', 4, 1, null, 'YAML syntax error: Flow map in block col'],
  ['02-yaml-bad-indent.yaml', 1, 7, null, 'YAML syntax error: Nested mappings are n'],
  ['03-yaml-tab-indent.yaml', 4, 1, null, 'YAML syntax error: Tabs are not allowed '],
  ['04-yaml-duplicate-key.yaml', 3, 1, null, 'YAML syntax error: Map keys must be uniq'],
  ['05-yaml-unclosed-quote.yaml', 4, 1, null, 'YAML syntax error: Missing closing "quot'],
  ['06-top-level-list.yaml', 1, 1, null, 'a scenario is a YAML mapping (name: ...,'],
  ['07-top-level-scalar.yaml', 1, 1, null, 'a scenario is a YAML mapping (name: ...,'],
  ['08-missing-name.yaml', 1, 1, 'name', 'required field is missing'],
  ['09-missing-duration.yaml', 1, 1, 'duration', 'required field is missing'],
  ['10-name-uppercase.yaml', 1, 7, 'name', 'names are lower-case words joined by "-"'],
  ['11-duration-negative.yaml', 2, 11, 'duration', 'expected a duration such as 1500, "1500ms", "5s" o'],
  ['12-duration-words.yaml', 2, 11, 'duration', 'expected a duration such as 1500, "1500ms", "5s" o'],
  ['120-config-file-missing.yaml', 5, 13, 'topology.configFiles.server', 'no such file'],
  ['121-preset-unknown.yaml', 4, 11, 'topology.preset', 'Invalid option: expected one of "balanced"|"max-dur'],
  ['122-max-durability-one-replica.yaml', 5, 11, 'topology.preset', 'max-durability sets min-replicas-to-write 2, and t'],
  ['123-config-file-ferrite.yaml', 5, 26, 'topology.configFiles.server', 'Ferrite reads a TOML file, not redis.conf'],
  ['124-client-backoff-unknown-kind.yaml', 4, 26, 'client.retryStrategy.kind', "Invalid discriminator value. Expected 'constant'"],
  ['125-sentinel-retry-in-cluster.yaml', 6, 26, 'client.sentinelRetryStrategy', "sentinelRetryStrategy is a setting of ioredis's Se"],
  ['126-server-config-block-scalar-injection.yaml', 5, 23, 'topology.serverConfig.maxmemory-policy', 'a config value is one line'],
  ['127-sentinel-conf-no-sentinels.yaml', 5, 28, 'topology.configFiles.sentinel', 'a sentinel.conf, and the topology has no sentinels'],
  ['128-retry-strategy-through-haproxy.yaml', 5, 18, 'client.retryStrategy', 'retryStrategy is not used through HAProxy'],
  ['13-duration-absurd.yaml', 2, 11, 'duration', 'longer than 24 h: not a drill'],
  ['14-unknown-top-field.yaml', 3, 1, 'topolgy', 'unknown field "topolgy" (did you mean "topology"?)'],
  ['140-ferrite-cluster-mode.yaml', 5, 9, 'topology.mode', 'the ferrite profile supports sentinel mode only'],
  ['141-ferrite-tls.yaml', 6, 8, 'topology.tls', 'TLS is not supported with the ferrite profile yet'],
  ['142-ferrite-auth.yaml', 7, 5, 'topology.auth', 'authentication is not supported with the ferrite p'],
  ['143-ferrite-unknown-directive.yaml', 8, 19, 'topology.serverConfig.activedefrag', 'Ferrite has no equivalent of "activedefrag"'],
  ['144-redis-ferrite-toml-key.yaml', 6, 22, 'topology.serverConfig.storage.backend', '"storage.backend" is a Ferrite TOML key'],
  ['145-ferrite-bad-size.yaml', 6, 38, 'topology.serverConfig.repl-backlog-size', 'cannot be written as Ferrite\'s replication.backlog_size'],
  ['15-unknown-topology-field.yaml', 4, 3, 'topology.replicsa', 'unknown field "replicsa" (did you mean "replicas"?'],
  ['16-unknown-load-field.yaml', 4, 3, 'load.writerz', 'unknown field "writerz" (did you mean "writers"?)'],
  ['160-latency-replication-at-primary.yaml', 7, 13, 'timeline[0].target', 'a replication link is slowed at its replica: targe'],
  ['161-latency-netem-client-upstream.yaml', 9, 16, 'timeline[0].direction', 'netem cannot delay what a server receives from the'],
  ['162-latency-missing-delay.yaml', 4, 5, 'timeline[0].delay', 'required field is missing'],
  ['163-latency-unknown-link.yaml', 6, 11, 'timeline[0].link', 'Invalid option: expected one of "replication"|"cli'],
  ['164-latency-client-link-cluster.yaml', 8, 11, 'timeline[0].link', 'link: client slows the writers\' Sentinel connectio'],
  ['165-latency-jitter-word.yaml', 8, 13, 'timeline[0].jitter', 'expected a duration such as 1500, "1500ms", "5s" o'],
  ['17-replicas-string.yaml', 4, 13, 'topology.replicas', 'Invalid input: expected number, received string'],
  ['18-replicas-negative.yaml', 4, 13, 'topology.replicas', 'Too small: expected number to be >=0'],
  ['180-nodes-unknown-node.yaml', 6, 14, 'topology.nodes.redis-9', 'no node "redis-9": this topology has redis-1 to re'],
  ['181-data-disk-on-sentinel.yaml', 5, 29, 'topology.nodes.sentinel-1.dataDisk', 'a sentinel has no data directory: dataDisk is for '],
  ['182-memory-size-words.yaml', 5, 24, 'topology.nodes.redis-1.memory', 'expected a size such as 4096, "512kb", "64mb" or "'],
  ['183-zone-unknown-member.yaml', 6, 9, 'topology.zones.b[0]', 'no node "redis-7": this topology has redis-1 to re'],
  ['184-node-in-two-zones.yaml', 6, 18, 'topology.zones.b[1]', 'redis-1 is already in zone "a": a node is in one z'],
  ['185-zone-target-undeclared.yaml', 7, 39, 'timeline[0].zone', `no zone "b": the topology's zones are a`],
  ['186-zone-target-without-zones.yaml', 6, 13, 'timeline[0].target', 'target "zone:primary" names a zone, and the topolo'],
  ['187-memory-fill-huge-value.yaml', 4, 46, 'timeline[0].valueSize', 'at most 64mb per value'],
  ['188-aof-damage-unknown-damage.yaml', 4, 42, 'timeline[0].damage', 'Invalid option: expected one of "truncate"|"corrup'],
  ['189-zone-down-unknown-how.yaml', 6, 47, 'timeline[0].how', 'Invalid option: expected one of "kill"|"partition"'],
  ['19-replicas-fraction.yaml', 4, 13, 'topology.replicas', 'Invalid input: expected int, received number'],
  ['20-replicas-absurd.yaml', 4, 13, 'topology.replicas', 'Too big: expected number to be <=16'],
  ['200-action-unknown.yaml', 5, 13, 'timeline[0].action', "Invalid discriminator value. Expected 'promote' | 'r"],
  ['201-promote-sentinel.yaml', 6, 13, 'timeline[0].target', 'target must name one data node'],
  ['202-switchover-no-sentinels.yaml', 8, 13, 'timeline[0].target', 'target "sentinel" needs sentinels, and the topolog'],
  ['203-action-typo-field.yaml', 6, 5, 'timeline[0].taregt', 'unknown field "taregt" (did you mean "target"?)'],
  ['204-step-after-end.yaml', 4, 9, 'timeline[0].at', "step at 12000 ms is not before the drill's end"],
  ['205-action-in-cluster.yaml', 7, 13, 'timeline[0].action', 'runbook actions are for Sentinel-mode topologies'],
  ['206-repoint-to-many.yaml', 6, 9, 'timeline[0].to', 'to must name one data node'],
  ['21-server-unknown.yaml', 4, 11, 'topology.server', 'Invalid option: expected one of "redis"|"valkey"|"'],
  ['22-quorum-too-large.yaml', 6, 13, 'topology.sentinel.quorum', 'quorum 4 is larger than the 3 sentinels'],
  ['220-expect-unknown-statistic.yaml', 4, 3, 'expect.rtoMs.p90', 'unknown field "rtoMs.p90" (did you mean "rtoMs.p50'],
  ['221-expect-statistic-durable-without-wait.yaml', 6, 27, 'expect.lostWrites.durable.p95', 'lostWrites.durable means nothing without WAIT'],
  ['222-expect-statistic-string-limit.yaml', 4, 21, 'expect.rtoMs.p95.max', 'Invalid input: expected number, received string'],
  ['23-quorum-zero.yaml', 5, 13, 'topology.sentinel.quorum', 'Too small: expected number to be >=1'],
  ['230-regression-unknown-metric.yaml', 5, 5, 'regression.tolerance.rto', 'unknown field "rto" (did you mean "rtoMs"?)'],
  ['231-regression-negative-relative.yaml', 5, 24, 'regression.tolerance.rtoMs.relative', 'Too small: expected number to be >=0'],
  ['232-regression-duration-on-count.yaml', 5, 37, 'regression.tolerance.lostWrites.durable.absolute', '"5s" is a duration, but lostWrites.durable is cou'],
  ['233-regression-empty-tolerance.yaml', 5, 18, 'regression.tolerance.detectionMs', 'give relative, absolute, both, or ignore: true'],
  ['234-regression-unknown-field.yaml', 4, 3, 'regression.tolerances', 'unknown field "tolerances" (did you mean "tolerance"?)'],
  ['24-down-after-negative.yaml', 5, 16, 'topology.sentinel.downAfter', 'Too small: expected number to be >=0'],
  ['25-server-config-bad-name.yaml', 5, 19, 'topology.serverConfig.Max Memory', 'Invalid key in record'],
  ['26-writers-zero.yaml', 4, 12, 'load.writers', 'Too small: expected number to be >=1'],
  ['27-rate-negative.yaml', 4, 9, 'load.rate', 'Too small: expected number to be >0'],
  ['28-rate-word.yaml', 4, 9, 'load.rate', 'expected writes per second (a number) or "unlimite'],
  ['29-wait-more-than-replicas.yaml', 7, 15, 'load.wait.replicas', 'WAIT for 3 replicas but the topology has 1'],
  ['30-fault-after-end.yaml', 4, 9, 'timeline[0].at', "fault at 20000 ms is not before the drill's end (d"],
  ['31-fault-unknown-kind.yaml', 5, 12, 'timeline[0].fault', "Invalid discriminator value. Expected 'kill' | 'st"],
  ['32-fault-missing-at.yaml', 4, 5, 'timeline[0].at', 'required field is missing'],
  ['33-fault-bad-signal.yaml', 6, 13, 'timeline[0].signal', 'Invalid option: expected one of "SIGKILL"|"SIGTERM'],
  ['34-target-replica-none.yaml', 10, 13, 'timeline[0].target', 'target "replica" needs replicas, and the topology '],
  ['35-target-unknown-node.yaml', 6, 13, 'timeline[0].target', 'no node "redis-7": this topology has redis-1 to re'],
  ['36-target-garbage.yaml', 6, 13, 'timeline[0].target', 'a target is a role (primary, old-primary, replica,'],
  ['37-partition-unknown-group.yaml', 6, 26, 'timeline[0].groups[1][0]', 'a partition party is "client", "rest", a role (primary'],
  ['38-partition-two-modes.yaml', 4, 5, 'timeline[0]', 'a partition needs exactly one of isolate, groups o'],
  ['39-partition-one-group.yaml', 6, 13, 'timeline[0].groups', 'Too small: expected array to have >=2 items'],
  ['40-heal-unknown-id.yaml', 6, 9, 'timeline[0].of', 'no earlier fault has id "cut"'],
  ['41-duplicate-fault-id.yaml', 5, 50, 'timeline[1].id', 'id "x" is used twice'],
  ['42-repeat-without-duration.yaml', 7, 13, 'timeline[0].repeat', 'a repeated fault needs a duration (it is healed be'],
  ['43-loss-probability-above-one.yaml', 7, 18, 'timeline[0].probability', 'Too big: expected number to be <=1'],
  ['44-bandwidth-bad-rate.yaml', 7, 11, 'timeline[0].rate', 'a rate such as "1mbit"'],
  ['45-expect-unknown-metric.yaml', 4, 3, 'expect.rto', 'unknown field "rto" (did you mean "rtoMs"?)'],
  ['46-expect-no-limit.yaml', 4, 10, 'expect.rtoMs', 'give max, min, both, or never: true'],
  ['47-expect-string-limit.yaml', 4, 17, 'expect.rtoMs.max', 'Invalid input: expected number, received string'],
  ['48-sentinel-target-none.yaml', 8, 13, 'timeline[0].target', 'target "sentinel" needs sentinels, and the topolog'],
  ['49-cluster-with-sentinels.yaml', 5, 14, 'topology.sentinels', 'sentinels are refused in cluster mode'],
  ['50-cluster-replicas-field.yaml', 5, 13, 'topology.replicas', 'in cluster mode say replicasPerShard'],
  ['51-shard-target-in-sentinel-mode.yaml', 6, 13, 'timeline[0].target', 'names a shard; shards exist in cluster mode'],
  ['52-cluster-shard-out-of-range.yaml', 7, 36, 'timeline[0].target', 'no shard 4: this cluster has shards 1 to 3'],
  ['53-cluster-too-few-writers.yaml', 7, 12, 'load.writers', '2 writers for 4 shards'],
  ['54-cluster-two-shards.yaml', 5, 11, 'topology.shards', 'at least 3 shards: a replica is promoted only with'],
  ['55-shards-in-sentinel-mode.yaml', 4, 11, 'topology.shards', 'shards is a cluster setting; add topology.mode: cluster'],
  ['56-server-config-newline.yaml', 5, 16, 'topology.serverConfig.maxmemory', 'a config value is one line'],
  ['57-partition-two-rests.yaml', 4, 41, 'timeline[0].groups', 'only one group can be "rest"'],
  ['58-durable-without-wait.yaml', 6, 23, 'expect.lostWrites.durable', 'lostWrites.durable means nothing without WAIT'],
  ['59-haproxy-with-cluster.yaml', 6, 8, 'client.via', 'HAProxy cannot front a Redis Cluster'],
  ['60-haproxy-settings-without-via.yaml', 4, 12, 'client.haproxy', 'haproxy settings without client.via: haproxy'],
  ['61-haproxy-config-missing.yaml', 5, 22, 'client.haproxy.config', 'no such file'],
  ['62-never-with-max.yaml', 4, 10, 'expect.rtoMs', 'never: true cannot go with max or min'],
];

function rejection(run: () => unknown): ScenarioError {
  try {
    run();
  } catch (err) {
    expect(err).toBeInstanceOf(ScenarioError);
    return err as ScenarioError;
  }
  throw new Error('expected the loader to reject this input');
}

describe('bad-input corpus', () => {
  it('has at least 40 files, all of them listed here', () => {
    const files = readdirSync(DIR).filter((f) => f.endsWith('.yaml')).sort();
    expect(files.length).toBeGreaterThanOrEqual(40);
    expect(files).toEqual(CORPUS.map((c) => c[0]).sort());
  });

  it.each(CORPUS)('%s: line %i, column %i, field %s', (file, line, col, field, fragment) => {
    const err = rejection(() => parseScenarioText(readFileSync(join(DIR, file)), file));
    const first = err.message.split('\n')[0];
    const prefix = `${file}:${line}:${col}: ${field === null ? '' : `${field}: `}`;
    expect(first.startsWith(prefix), first).toBe(true);
    expect(first).toContain(fragment);
  });
});

describe('hostile files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fd-hostile-'));
  const write = (name: string, content: string | Buffer) => {
    const path = join(dir, name);
    writeFileSync(path, content);
    return path;
  };

  it('a 10 MB file is refused fast, before parsing', async () => {
    const path = write('huge.yaml', 'name: huge\nduration: 10s\ndescription: ' + 'x'.repeat(10 * 1024 * 1024) + '\n');
    const started = performance.now();
    await expect(loadScenarioFile(path)).rejects.toThrow(/the file is too large \(10\.0 MiB\); a scenario file is at most 1 MiB/);
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('an empty file, only comments, non-UTF-8 bytes, NUL bytes', async () => {
    await expect(loadScenarioFile(write('empty.yaml', ''))).rejects.toThrow(/empty\.yaml:1:1: the file is empty/);
    await expect(loadScenarioFile(write('comments.yaml', '# nothing\n# here\n'))).rejects.toThrow(/comments\.yaml:1:1: a scenario is a YAML mapping/);
    await expect(loadScenarioFile(write('latin1.yaml', Buffer.from('name: caf\xe9\nduration: 1s\n', 'latin1')))).rejects.toThrow(/latin1\.yaml:1: the file is not valid UTF-8/);
    await expect(loadScenarioFile(write('nul.yaml', Buffer.from('name: a\u0000b\nduration: 1s\n')))).rejects.toThrow(ScenarioError);
  });

  it('a YAML alias bomb is bounded', async () => {
    const bomb = ['a: &a [x, x, x, x, x, x, x, x, x]', ...Array.from({ length: 8 }, (_, i) => `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(9).fill(`*${String.fromCharCode(97 + i)}`).join(', ')}]`), 'name: bomb', 'duration: 1s', ''].join('\n');
    const started = performance.now();
    await expect(loadScenarioFile(write('bomb.yaml', bomb))).rejects.toThrow(ScenarioError);
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it('a missing file and a folder', async () => {
    await expect(loadScenarioFile(join(dir, 'nope.yaml'))).rejects.toThrow(/nope\.yaml: cannot read/);
    await expect(loadScenarioFile(dir)).rejects.toThrow(ScenarioError);
  });
});

describe('fuzzing the loader', () => {
  const onlyScenarioErrors = (input: string | Buffer) => {
    try {
      parseScenarioText(input, 'fuzz.yaml');
    } catch (err) {
      if (!(err instanceof ScenarioError)) throw err;
    }
  };

  it('arbitrary text and bytes: only ScenarioError', () => {
    fc.assert(fc.property(fc.string({ maxLength: 400 }), (s) => onlyScenarioErrors(s)), { numRuns: 1500 });
    fc.assert(fc.property(fc.uint8Array({ maxLength: 400 }), (b) => onlyScenarioErrors(Buffer.from(b))), { numRuns: 1500 });
  }, 60_000);

  it('YAML built from arbitrary values, and mutations of a valid scenario: only ScenarioError', () => {
    fc.assert(fc.property(fc.jsonValue({ maxDepth: 4 }), (v) => onlyScenarioErrors(stringify(v))), { numRuns: 1000 });
    const valid = readFileSync(join(import.meta.dirname, '../../scenarios/primary-partition.yaml'), 'utf8');
    fc.assert(
      fc.property(fc.nat(valid.length), fc.nat(40), fc.string({ maxLength: 12 }), (at, cut, insert) => {
        onlyScenarioErrors(valid.slice(0, at) + insert + valid.slice(Math.min(valid.length, at + cut)));
      }),
      { numRuns: 1500 },
    );
  }, 60_000);
});

describe('bad command lines and bad files through the real CLI', () => {
  it('unknown commands and options exit 2 with a message', async () => {
    const cmd = await runCli(['explode']);
    expect(cmd.code).toBe(2);
    expect(cmd.stderr).toContain("unknown command 'explode'");
    const opt = await runCli(['run', 'primary-crash', '--fast']);
    expect(opt.code).toBe(2);
    expect(opt.stderr).toContain("unknown option '--fast'");
    const missing = await runCli(['run']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("missing required argument 'scenario'");
  }, 60_000);

  it('an unknown scenario name lists the known ones', async () => {
    const r = await runCli(['run', 'primary-crsh']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown scenario "primary-crsh"; built-in scenarios: .*primary-crash.*primary-partition/);
  }, 60_000);

  it.each(CORPUS.filter((_, i) => i % 6 === 0))('run %s exits 2 with one message and starts nothing', async (file, line, col) => {
    const path = join(DIR, file);
    const r = await runCli(['run', path]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${path}:${line}:${col}:`);
    expect(r.stderr).not.toContain('== topology');
    expect(r.stdout).toBe('');
  }, 60_000);
});
