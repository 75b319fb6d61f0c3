/**
 * The pure parts of "your configuration and your client": reading redis.conf lines the way Redis does,
 * composing a node's config over the user's file (what is kept, what is changed and why, where each
 * line came from), the server's rejection mapped back to its origin, presets, and the client settings.
 */
import { describe, it, expect } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { splitArgs, parseConf } from '../../src/topology/confFile.ts';
import { dataNodeConfigLines, effectiveDirective, redisDataNodeConfig, sentinelConfigLines, type ConfigInput } from '../../src/topology/serverConfig.ts';
import { parseScenarioText } from '../../src/scenario/loader.ts';
import { blame } from '../../src/topology/provision/configCheck.ts';
import { rejection } from '../../src/topology/runtime/docker/configCheck.ts';
import { backoffDelay, writerSettings } from '../../src/workload/clientOptions.ts';
import { failedOutcome } from '../../src/workload/outcome.ts';
import { classifyError } from '../../src/workload/classify.ts';
import { Code, outcomeOf } from '../../src/record/ledger.ts';
import { InputError, InfrastructureError } from '../../src/util/errors.ts';

const dir = mkdtempSync(join(tmpdir(), 'fd-user-config-'));
function scenarioWith(yaml: string, files: Record<string, string> = {}) {
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  const file = join(dir, `s${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(file, `name: t\nduration: 10s\n${yaml}`);
  return { scenario: parseScenarioText(`name: t\nduration: 10s\n${yaml}`, file), file };
}
const input = (s: ReturnType<typeof scenarioWith>['scenario']): ConfigInput => ({ topology: s.topology, tls: false, enableDebugCommand: false });

describe('redis.conf lines as Redis splits them', () => {
  it('quotes, escapes, comments and blank lines', () => {
    expect(splitArgs('save 900 1')).toEqual(['save', '900', '1']);
    expect(splitArgs('save ""')).toEqual(['save', '']);
    expect(splitArgs(`logfile "/var/log/a b.log"`)).toEqual(['logfile', '/var/log/a b.log']);
    expect(splitArgs(`requirepass 'it\\'s'`)).toEqual(['requirepass', "it's"]);
    expect(splitArgs('x "a\\nb"')).toEqual(['x', 'a\nb']);
    const f = parseConf('f.conf', '# c\n\n  Port 6380\r\nbind 1.2.3.4\n');
    expect(f.entries.map((e) => [e.line, e.name, e.args])).toEqual([[3, 'port', ['6380']], [4, 'bind', ['1.2.3.4']]]);
  });
});

describe('a data node config over your redis.conf', () => {
  const conf = ['# mine', 'port 6380', 'daemonize yes', 'hz 20', 'save 900 1', 'save 300 10', 'appendfsync no', 'replicaof 10.0.0.1 6379', 'requirepass hunter2'].join('\n');

  it('keeps your lines in place, comments out what the harness sets, and says why', () => {
    const { scenario } = scenarioWith('topology:\n  configFiles: { server: ./a.conf }\n  preset: balanced\n  serverConfig: { hz: 50 }\n', { 'a.conf': conf });
    const { lines, changes } = dataNodeConfigLines(input(scenario), { replicaOf: { host: '172.1.0.2', port: 6379 }, modeLines: [] });
    const text = lines.map((l) => l.text);
    const file = join(dir, 'a.conf');
    // Every line of the file is there, at its own origin line.
    const fromFile = lines.filter((l) => l.origin.from === 'file');
    expect(fromFile.map((l) => (l.origin as { line: number }).line)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(text).toContain('save 900 1');
    expect(text).toContain('save 300 10');
    expect(text).toContain('# ferrite-drill: removed: replicaof 10.0.0.1 6379');
    expect(text).toContain('# ferrite-drill: removed: requirepass hunter2');
    expect(text).not.toContain('requirepass hunter2');
    expect(text).toContain('daemonize no');
    expect(text).toContain('replicaof 172.1.0.2 6379');
    // The scenario wins over the preset, the preset over the file.
    expect(text).toContain('hz 50');
    expect(text).toContain('appendfsync everysec');
    expect(changes.map((c) => [c.line, c.directive, c.now])).toEqual([
      [2, 'port', 'port 6379'],
      [3, 'daemonize', 'daemonize no'],
      [4, 'hz', 'hz 50'],
      [7, 'appendfsync', 'appendfsync everysec'],
      [8, 'replicaof', null],
      [9, 'requirepass', null],
    ]);
    expect(changes.find((c) => c.directive === 'hz')!.why).toBe('topology.serverConfig.hz sets it');
    expect(changes[0].file).toBe(file);
    // Without a file the drill's default (no persistence) applies; with one the file is the base.
    expect(effectiveDirective(input(scenario), 'save')).toBe('900 1 300 10');
    expect(effectiveDirective(input(scenarioWith('topology:\n  configFiles: { server: ./b.conf }\n', { 'b.conf': 'hz 20\n' }).scenario), 'save')).toBe('3600 1 300 100 60 10000');
    expect(effectiveDirective(input(scenarioWith('').scenario), 'save')).toBe('');
  });

  it('without a file: the config is what it was (drill defaults, preset, serverConfig) and nothing is listed as changed', () => {
    const { scenario } = scenarioWith('topology:\n  preset: low-latency\n');
    const { lines, changes } = dataNodeConfigLines(input(scenario), { replicaOf: null, modeLines: [] });
    expect(changes).toEqual([]);
    expect(lines.map((l) => l.text)).toEqual(['# written by ferrite-drill', 'port 6379', 'protected-mode no', 'save ""', 'appendonly yes', 'appendfsync everysec', 'min-replicas-to-write 0', '']);
    expect(redisDataNodeConfig(input(scenario), { replicaOf: null, modeLines: [] })).toBe(lines.map((l) => l.text).join('\n'));
  });

  it('your sentinel.conf: monitor and timing are the drill\'s, your other per-master settings follow the drill\'s monitor line', () => {
    const { scenario } = scenarioWith('topology:\n  configFiles: { sentinel: ./s.conf }\n', {
      's.conf': 'sentinel monitor prod 10.0.0.5 6379 2\nsentinel down-after-milliseconds prod 5000\nsentinel master-reboot-down-after-period prod 0\nsentinel deny-scripts-reconfig yes\n',
    });
    const { lines, changes } = sentinelConfigLines(input(scenario), ['sentinel monitor mymaster 172.1.0.2 6379 2']);
    const text = lines.map((l) => l.text);
    expect(text.indexOf('sentinel master-reboot-down-after-period mymaster 0')).toBeGreaterThan(text.indexOf('sentinel monitor mymaster 172.1.0.2 6379 2'));
    expect(text).toContain('sentinel deny-scripts-reconfig yes');
    expect(changes.map((c) => [c.line, c.now === null ? 'removed' : 'moved'])).toEqual([[1, 'removed'], [2, 'removed'], [3, 'moved']]);
  });
});

describe('a rejected line named by where it came from', () => {
  it('redis-server\'s fatal config error is read', () => {
    const logs = "\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nReading the configuration file, at line 7\n>>> 'hz \"x\"'\nargument couldn't be parsed into an integer\n";
    expect(rejection(logs, 1)).toEqual({ ok: false, line: 7, reason: "argument couldn't be parsed into an integer" });
    expect(rejection("Can't chdir to '/nope'\n", 1)).toMatchObject({ ok: false, line: null, reason: expect.stringContaining("exited (code 1) at start: Can't chdir") });
  });

  it('your file and line, the scenario\'s serverConfig key (file:line:col), else the scenario or a harness bug', () => {
    const { scenario, file } = scenarioWith('topology:\n  configFiles: { server: ./c.conf }\n  serverConfig:\n    hz: 50\n', { 'c.conf': '# x\nbogus 1\n' });
    const lines = dataNodeConfigLines(input(scenario), { replicaOf: null, modeLines: [] }).lines;
    const lineOf = (text: string) => lines.findIndex((l) => l.text === text) + 1;
    const fromFile = blame(lines, { ok: false, line: lineOf('bogus 1'), reason: 'Bad directive' }, { scenario, scenarioFile: file }, 'data node');
    expect(fromFile).toBeInstanceOf(InputError);
    expect(fromFile.message).toBe(`${join(dir, 'c.conf')}:2: bogus 1: the data node refuses to start with it: Bad directive`);
    const fromScenario = blame(lines, { ok: false, line: lineOf('hz 50'), reason: 'out of range' }, { scenario, scenarioFile: file }, 'data node');
    expect(fromScenario.message).toBe(`${file}:6:9: topology.serverConfig.hz: "hz 50": the data node refuses to start with it: out of range`);
    expect(blame(lines, { ok: false, line: null, reason: 'exited' }, { scenario, scenarioFile: file }, 'data node')).toBeInstanceOf(InputError);
    const plain = scenarioWith('').scenario;
    expect(blame([], { ok: false, line: null, reason: 'exited' }, { scenario: plain, scenarioFile: file }, 'data node')).toBeInstanceOf(InfrastructureError);
  });
});

describe('the writers\' client settings', () => {
  it('strict by default; ioredis-defaults as ioredis has them; fields override the base', () => {
    const strict = writerSettings(scenarioWith('').scenario);
    expect(strict).toMatchObject({ base: 'strict', commandTimeout: 1000, maxRetriesPerRequest: 0, enableOfflineQueue: false, autoResendUnfulfilledCommands: false, mayResend: false, overridden: [] });
    const io = writerSettings(scenarioWith('client: { base: ioredis-defaults }\n').scenario);
    expect(io).toMatchObject({ commandTimeout: undefined, connectTimeout: 10_000, maxRetriesPerRequest: 20, enableOfflineQueue: true, mayResend: true });
    expect([1, 2, 40, 41].map(io.retryStrategy)).toEqual([50, 100, 2000, 2000]);
    expect([1, 100, 101].map(io.sentinelRetryStrategy)).toEqual([10, 1000, 1000]);
    const mixed = writerSettings(scenarioWith('client:\n  commandTimeout: none\n  maxRetriesPerRequest: unlimited\n  retryStrategy: { kind: exponential, baseMs: 10, maxMs: 500 }\n').scenario);
    expect(mixed).toMatchObject({ commandTimeout: undefined, maxRetriesPerRequest: null, enableOfflineQueue: false, mayResend: true });
    expect(mixed.overridden).toEqual(['commandTimeout', 'maxRetriesPerRequest', 'retryStrategy']);
    expect([1, 2, 3, 10].map(mixed.retryStrategy)).toEqual([10, 20, 40, 500]);
    expect(backoffDelay({ kind: 'none' }, 1)).toBeNull();
  });

  it('a write that may have been re-sent is never a definite failure; a pipeline cut by a drop is indeterminate', () => {
    const noreplicas = Object.assign(new Error('NOREPLICAS Not enough good replicas to write.'), { name: 'ReplyError' });
    expect(outcomeOf(failedOutcome(noreplicas, false, () => {}).code)).toBe('fail');
    expect(outcomeOf(failedOutcome(noreplicas, true, () => {}).code)).toBe('indeterminate');
    expect(classifyError(new Error('Command aborted due to connection close'))).toBe(Code.connectionLost);
  });
});
