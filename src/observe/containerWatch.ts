/**
 * Watches Docker's event stream for this run's containers. A container that dies when no fault of ours
 * killed it, or a Docker engine that goes away, ends the drill with an infrastructure error at once
 * instead of letting a phase wait for its deadline (or hang).
 */
import type { Journal } from '../journal/journal.ts';
import { docker, LABEL_NODE, LABEL_RUN } from '../topology/docker.ts';

export class ContainerWatch {
  private stream: NodeJS.ReadableStream | undefined;
  private expected = new Map<string, number>();
  private stopped = false;

  constructor(
    private readonly runId: string,
    private readonly journal: Journal,
    private readonly onFailure: (reason: string) => void,
  ) {}

  async start(): Promise<void> {
    this.stream = (await docker().getEvents({
      filters: { type: ['container'], event: ['die', 'oom'], label: [`${LABEL_RUN}=${this.runId}`] },
    })) as unknown as NodeJS.ReadableStream;
    let buffered = '';
    this.stream.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      let nl: number;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        if (line.trim()) this.onEvent(JSON.parse(line));
      }
    });
    const gone = (why: string) => {
      if (!this.stopped) this.onFailure(`the Docker engine stopped answering (${why}); run "ferrite-drill clean" once it is back`);
    };
    this.stream.on('error', (err: Error) => gone(err.message));
    this.stream.on('end', () => gone('event stream closed'));
  }

  /** A fault is about to kill or stop this node: its death is part of the drill. */
  expectDeath(node: string): void {
    this.expected.set(node, (this.expected.get(node) ?? 0) + 1);
  }

  private onEvent(event: { Action?: string; Actor?: { Attributes?: Record<string, string> } }): void {
    const attrs = event.Actor?.Attributes ?? {};
    const node = attrs[LABEL_NODE] ?? attrs.name ?? '?';
    const exitCode = attrs.exitCode;
    this.journal.append('container.die', { node, action: event.Action, exitCode });
    if (this.stopped || node.startsWith('nettools:') || node === 'netem-probe') return;
    const pending = this.expected.get(node) ?? 0;
    if (pending > 0) {
      this.expected.set(node, pending - 1);
      return;
    }
    this.onFailure(`container of ${node} died unexpectedly (${event.Action}, exit code ${exitCode ?? '?'}); see its log in the run folder`);
  }

  stop(): void {
    this.stopped = true;
    (this.stream as unknown as { destroy?: () => void })?.destroy?.();
  }
}
