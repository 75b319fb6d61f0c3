import type { Deployment } from '../topology/deployment.ts';
import type { Journal } from '../record/journal.ts';

/**
 * Polls every node on its own schedule: a node that is dead or frozen makes only its own polls slow,
 * never the others' (a shared round would wait a whole connect timeout for it, and every other node's
 * changes would be seen up to a second late).
 */
export class PerNodePoller {
  private timer: NodeJS.Timeout | undefined;
  private readonly busy = new Set<string>();

  constructor(
    private readonly nodes: () => string[],
    private readonly pollOne: (node: string) => Promise<void>,
    private readonly intervalMs: number,
  ) {}

  start(): void {
    this.timer = setInterval(() => {
      for (const name of this.nodes()) {
        if (this.busy.has(name)) continue; // still waiting on this node: never stack its polls
        this.busy.add(name);
        this.pollOne(name)
          .catch(() => {}) // an unreachable node is a fault we injected, not a harness failure
          .finally(() => this.busy.delete(name));
      }
    }, this.intervalMs);
  }

  stop(): void {
    clearInterval(this.timer);
  }
}

/** An observer that polls every data node of a deployment and journals what changed. */
export abstract class DataNodePoller {
  private readonly poller: PerNodePoller;
  private readonly last = new Map<string, string>();

  constructor(protected readonly dep: Deployment, protected readonly journal: Journal, intervalMs: number) {
    this.poller = new PerNodePoller(() => this.dep.dataNodes.map((n) => n.name), (name) => this.pollNode(name), intervalMs);
  }

  start(): void {
    this.poller.start();
  }

  stop(): void {
    this.poller.stop();
  }

  /** Whether `value` differs from what was last seen under `key` (and remembers it). */
  protected changed(key: string, value: string): boolean {
    if (this.last.get(key) === value) return false;
    this.last.set(key, value);
    return true;
  }

  protected abstract pollNode(name: string): Promise<void>;
}
