/**
 * Runs the scenario's timeline: injections and heals in time order (auto-heal after `duration`, explicit
 * `fault: heal` steps, `repeat`), overlapping faults allowed, and the operator's steps (`action: ...`),
 * each of which the timeline waits on until it took effect, as an operator would. Keeps the active faults
 * so that an abort heals every one of them before teardown.
 */
import { isAction, type ActionEntry, type FaultEntry, type Scenario } from '../scenario/schema.ts';
import { describeEntry, healFault, injectFault, type ActiveFault } from '../faults/inject.ts';
import { describeAction, performAction } from '../actions/perform.ts';
import type { FaultContext } from '../faults/kind.ts';
import type { Progress } from './progress.ts';
import { sleep, throwIfAborted } from '../util/time.ts';

type InjectStep = { at: number; order: number; kind: 'inject'; entry: FaultEntry; key: string };
type ActionStep = { at: number; order: number; kind: 'action'; entry: ActionEntry; key: string };
type Step = InjectStep | ActionStep | { at: number; order: number; kind: 'heal'; key: string };

/** Expands the timeline into ordered steps. Pure, so it is unit-testable. */
export function planTimeline(timeline: Scenario['timeline']): Step[] {
  const steps: Step[] = [];
  const lastKeyOfId = new Map<string, string>();
  let order = 0;
  const sorted = timeline.map((e, i) => ({ e, i })).sort((a, b) => a.e.at - b.e.at || a.i - b.i);
  for (const { e, i } of sorted) {
    if (isAction(e)) {
      steps.push({ at: e.at, order: order++, kind: 'action', entry: e, key: e.id ?? `${e.action}-${i + 1}` });
      continue;
    }
    if (e.fault === 'heal') {
      const key = lastKeyOfId.get(e.of);
      if (key) steps.push({ at: e.at, order: order++, kind: 'heal', key });
      continue;
    }
    const times = e.repeat?.times ?? 1;
    for (let k = 0; k < times; k++) {
      const at = e.at + k * (e.repeat?.every ?? 0);
      const key = `${e.id ?? `${e.fault}-${i + 1}`}#${k + 1}`;
      steps.push({ at, order: order++, kind: 'inject', entry: e, key });
      if (e.duration !== undefined && e.fault !== 'restart') steps.push({ at: at + e.duration, order: order++, kind: 'heal', key });
      if (e.id) lastKeyOfId.set(e.id, key);
    }
  }
  return steps.sort((a, b) => a.at - b.at || a.order - b.order);
}

export class TimelineRunner {
  readonly active = new Map<string, ActiveFault>();

  constructor(
    private readonly scenario: Scenario,
    private readonly ctx: FaultContext,
    private readonly progress: Progress,
  ) {}

  /**
   * Runs every step that falls before the end of the load; later heals are left to healAll(). Faults
   * declared for the same instant are injected together (e.g. two primaries killed at once), each
   * resolving its targets against the deployment as it was before either fired.
   */
  async run(loadStart: number, signal: AbortSignal): Promise<void> {
    const { journal } = this.ctx;
    // A fault's duration counts from when it took effect: an injection that took 30 ms moves its heal too.
    const lateness = new Map<string, number>();
    const steps = planTimeline(this.scenario.timeline).filter((s) => s.at < this.scenario.duration);
    for (let i = 0; i < steps.length; ) {
      const step = steps[i];
      const delay = loadStart + step.at + (step.kind === 'heal' ? (lateness.get(step.key) ?? 0) : 0) - journal.now();
      if (delay > 0) await sleep(delay, signal);
      throwIfAborted(signal);
      if (step.kind === 'action') {
        i++;
        const done = await performAction(step.entry, step.key, this.ctx, signal);
        const effect = done.effect ? `took effect: ${done.effect.detail}` : 'did not take effect in time';
        this.progress.info(`step ${step.key}: ${describeAction(step.entry)} -> ${done.nodes.join(', ') || '(no node)'}; ${effect}`);
        continue;
      }
      if (step.kind === 'heal') {
        i++;
        const fault = this.active.get(step.key);
        if (!fault) continue;
        this.active.delete(step.key);
        await healFault(fault, this.ctx, 'scheduled');
        this.progress.info(`healed ${step.key}`);
        continue;
      }
      const together: InjectStep[] = [];
      while (i < steps.length && steps[i].kind === 'inject' && steps[i].at === step.at) together.push(steps[i++] as InjectStep);
      const faults = await Promise.all(together.map((s) => injectFault(s.entry, s.key, this.ctx)));
      together.forEach((s, k) => {
        lateness.set(s.key, Math.max(0, journal.now() - (loadStart + s.at)));
        this.active.set(s.key, faults[k]);
        this.progress.info(`fault ${s.key}: ${describeEntry(s.entry)} -> ${faults[k].nodes.join(', ') || '(no node)'}`);
      });
    }
  }

  /** Heals every fault still active whose heal is due (scheduled past the load's end). */
  async healDue(): Promise<void> {
    for (const step of planTimeline(this.scenario.timeline)) {
      if (step.kind !== 'heal') continue;
      const fault = this.active.get(step.key);
      if (!fault) continue;
      this.active.delete(step.key);
      await healFault(fault, this.ctx, 'scheduled');
      this.progress.info(`healed ${step.key} (at the end of the load)`);
    }
  }

  /** On abort or at teardown: heal whatever is still active, newest first; never throws. Returns the faults it could not heal. */
  async healAll(): Promise<string[]> {
    const unhealed: string[] = [];
    for (const fault of [...this.active.values()].reverse()) {
      try {
        await healFault(fault, this.ctx, 'teardown');
      } catch (err) {
        unhealed.push(fault.key);
        this.progress.info(`could not heal ${fault.key}: ${(err as Error).message}`);
      }
    }
    this.active.clear();
    return unhealed;
  }
}
