/**
 * The user's configuration, checked by the server itself before the drill starts: one throwaway data
 * node (and one sentinel when a sentinel.conf is given) of the drill's image, started with the config
 * the real nodes will get. A directive the server rejects is bad input naming where it came from: the
 * user's file and line, or the scenario's serverConfig key or preset. Nothing of the drill exists yet.
 */
import type { Scenario } from '../../scenario/schema.ts';
import type { FailoverMode } from '../modes/mode.ts';
import type { Credentials } from '../secrets.ts';
import { dataNodeConfigLines, sentinelConfigLines, type ConfigInput, type ConfigLine } from '../serverConfig.ts';
import { profileFor, sentinelProfileFor, type NodeLaunch } from '../profiles/index.ts';
import { tryConfig, type ConfigVerdict } from '../runtime/docker/configCheck.ts';
import { locateInScenario } from '../../scenario/loader.ts';
import { InfrastructureError, InputError } from '../../util/errors.ts';
import { describePreset } from '../presets.ts';
import type { ConfigurationSummary } from '../../record/result.ts';

export interface ConfigCheckOptions {
  runId: string;
  scenario: Scenario;
  scenarioFile: string;
  mode: FailoverMode;
  credentials?: Credentials;
  enableDebugCommand: boolean;
  image: string;
  sentinelImage: string;
}

/** Whether the scenario gives the servers anything of the user's own (only then is a check worth a container). */
export function hasUserConfig(topology: Scenario['topology']): boolean {
  return Boolean(topology.configFiles?.server || topology.configFiles?.sentinel || topology.preset || Object.keys(topology.serverConfig).length > 0);
}

/** Throws InputError naming the rejected line; returns how long the check took. */
export async function checkUserConfig(o: ConfigCheckOptions, log: (message: string) => void): Promise<void> {
  const t = o.scenario.topology;
  if (!hasUserConfig(t)) return;
  const started = performance.now();
  const { input, role, sentinelPlan } = throwawayPlan(o);
  const launch = profileFor(t.server).dataNode(input, role);
  // Only redis.conf-format servers: Ferrite's TOML is written from names the profile already checked.
  if (isRedisConf(launch)) {
    const verdict = await tryConfig(o.runId, o.image, launch);
    if (!verdict.ok) throw blame(dataNodeConfigLines(input, role).lines, verdict, o, 'data node');
  }
  if (t.configFiles?.sentinel && sentinelPlan) {
    const verdict = await tryConfig(o.runId, o.sentinelImage, sentinelProfileFor(t.server).sentinel!(input, sentinelPlan.configLines));
    if (!verdict.ok) throw blame(sentinelConfigLines(input, sentinelPlan.configLines).lines, verdict, o, 'sentinel');
  }
  log(`your configuration was accepted by a throwaway ${t.configFiles?.sentinel ? 'server and sentinel' : 'server'} of the drill's image (${Math.round(performance.now() - started)} ms)`);
}

/** One data node (a standalone primary) and one sentinel as the mode plans them, for the check and the report. */
function throwawayPlan(o: Pick<ConfigCheckOptions, 'scenario' | 'mode' | 'credentials' | 'enableDebugCommand'>) {
  // Addresses only fill the monitor and replicaof lines: nothing is reachable from a container without a network.
  const addresses = new Map(o.mode.nodeNames().map((name, i) => [name, `127.0.0.${i + 2}`]));
  const plans = o.mode.plan(addresses);
  // TLS material is made for the run later; the harness's TLS lines are not the user's to check.
  const input: ConfigInput = { topology: o.scenario.topology, credentials: o.credentials, tls: false, enableDebugCommand: o.enableDebugCommand };
  const dataPlan = plans.find((p) => p.kind === 'data')!;
  return { input, role: { replicaOf: null, modeLines: dataPlan.configLines }, sentinelPlan: plans.find((p) => p.kind === 'sentinel') };
}

/** What the report says of the servers' configuration: preset, files, and every line of the files the harness changed. */
export function configurationOf(o: Pick<ConfigCheckOptions, 'scenario' | 'mode' | 'enableDebugCommand'>): ConfigurationSummary {
  const t = o.scenario.topology;
  const { input, role, sentinelPlan } = throwawayPlan(o);
  return {
    preset: t.preset ? describePreset(t.preset) : null,
    files: { server: t.configFiles?.server ?? null, sentinel: t.configFiles?.sentinel ?? null },
    serverConfig: { ...t.serverConfig },
    changes: {
      server: t.configFiles?.server ? dataNodeConfigLines(input, role).changes : [],
      sentinel: t.configFiles?.sentinel && sentinelPlan ? sentinelConfigLines(input, sentinelPlan.configLines).changes : [],
    },
  };
}

function isRedisConf(launch: NodeLaunch): boolean {
  return Object.keys(launch.files).some((f) => f.endsWith('.conf'));
}

/** The error for a config the server refused, naming the line's origin. */
export function blame(lines: ConfigLine[], v: ConfigVerdict, o: Pick<ConfigCheckOptions, 'scenario' | 'scenarioFile'>, what: string): Error {
  const line = v.line !== null ? lines[v.line - 1] : undefined;
  const origin = line?.origin;
  const said = `the ${what} refuses to start with it: ${v.reason}`;
  if (origin?.from === 'file') return new InputError(`${origin.file}:${origin.line}: ${line!.text.trim()}: ${said}`);
  if (origin?.from === 'serverConfig') {
    const path = ['topology', 'serverConfig', origin.key];
    return new InputError(`${locateInScenario(o.scenarioFile, path)}: ${path.join('.')}: "${line!.text}": ${said}`);
  }
  if (origin?.from === 'preset') return new InputError(`${locateInScenario(o.scenarioFile, ['topology', 'preset'])}: topology.preset: "${line!.text}" of the ${origin.preset} preset: ${said}`);
  const where = line ? ` (line ${v.line}: "${line.text}")` : '';
  if (hasUserConfig(o.scenario.topology)) return new InputError(`${o.scenarioFile}: with this scenario's configuration ${said}${where}`);
  return new InfrastructureError(`the drill's own ${what} config was refused${where}: ${v.reason}`);
}
