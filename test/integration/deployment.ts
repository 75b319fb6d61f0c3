/**
 * A deployment for tests that drive parts of the harness directly (faults, benchmarks): brought up by
 * the real create provisioner, as a drill would, and torn down by it.
 */
import { randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { Journal } from '../../src/record/journal.ts';
import { scenarioSchema, type Scenario } from '../../src/scenario/schema.ts';
import { CreateProvisioner } from '../../src/topology/provision/create.ts';
import { modeFor } from '../../src/topology/modes/index.ts';
import type { Deployment } from '../../src/topology/deployment.ts';
import type { Node } from '../../src/topology/node.ts';

export interface TestDeployment {
  runId: string;
  journal: Journal;
  dep: Deployment;
  provisioner: CreateProvisioner;
  scenario: Scenario;
}

export async function bringUpForTest(topology: Record<string, unknown>, opts: { enableDebugCommand?: boolean; load?: Record<string, unknown> } = {}): Promise<TestDeployment> {
  const runId = randomBytes(4).toString('hex');
  const journal = new Journal();
  const scenario = scenarioSchema.parse({ name: 'test', duration: '1s', topology, ...(opts.load ? { load: opts.load } : {}) });
  const provisioner = new CreateProvisioner({ runId, scenario, journal, mode: modeFor(scenario, undefined), enableDebugCommand: Boolean(opts.enableDebugCommand) });
  await provisioner.prepare(() => {});
  try {
    const dep = await provisioner.bringUp(AbortSignal.timeout(90_000));
    return { runId, journal, dep, provisioner, scenario };
  } catch (err) {
    await provisioner.tearDown();
    throw err;
  }
}

/** A container's state as `docker inspect` reports it: an observation independent of the harness's runtime code. */
export function dockerState(node: Node): { running: boolean; paused: boolean; exitCode: number } {
  const out = execFileSync('docker', ['inspect', '--format', '{{.State.Running}} {{.State.Paused}} {{.State.ExitCode}}', node.id], { encoding: 'utf8' }).trim().split(' ');
  return { running: out[0] === 'true', paused: out[1] === 'true', exitCode: Number(out[2]) };
}

/** Waits until `docker wait` says the container has exited. */
export function dockerWait(node: Node): void {
  execFileSync('docker', ['wait', node.id], { timeout: 15_000 });
}
