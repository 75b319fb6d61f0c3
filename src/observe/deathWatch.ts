/**
 * Watches the runtime for nodes dying. A node that dies when no fault of ours took it down, or a
 * runtime that goes away, ends the drill with an infrastructure error at once instead of letting a
 * phase wait for its deadline (or hang).
 */
import type { Journal } from '../record/journal.ts';
import type { DeathWatch as RuntimeWatch, NodeRuntime } from '../topology/runtime/types.ts';

export class DeathWatch {
  private expected = new Map<string, number>();
  private watch: RuntimeWatch | undefined;
  private stopped = false;

  constructor(
    private readonly runtime: NodeRuntime,
    private readonly journal: Journal,
    private readonly onFailure: (reason: string) => void,
  ) {}

  async start(): Promise<void> {
    this.watch = await this.runtime.watchDeaths(
      (node, action, exitCode) => this.onDeath(node, action, exitCode),
      (why) => {
        if (!this.stopped) this.onFailure(`the ${this.runtime.displayName} engine stopped answering (${why}); run "ferrite-drill clean" once it is back`);
      },
    );
  }

  /** A fault is about to kill or stop this node: its death is part of the drill. */
  expectDeath(node: string): void {
    this.expected.set(node, (this.expected.get(node) ?? 0) + 1);
  }

  private onDeath(node: string, action: string, exitCode: string | undefined): void {
    this.journal.append('container.die', { node, action, exitCode });
    // The runtime reports a kernel OOM kill as its own event just before the death itself: only the
    // death counts against what a fault expected.
    if (this.stopped || action === 'oom') return;
    const pending = this.expected.get(node) ?? 0;
    if (pending > 0) {
      this.expected.set(node, pending - 1);
      return;
    }
    this.onFailure(`container of ${node} died unexpectedly (${action}, exit code ${exitCode ?? '?'}); see its log in the run folder`);
  }

  stop(): void {
    this.stopped = true;
    this.watch?.stop();
  }
}
