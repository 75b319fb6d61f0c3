/**
 * The write load: N writers, each with its own client from the HA mode (so WAIT counts that writer's
 * writes), each write a unique key/value, every outcome in the ledger. Pacing, counting and the ledger
 * are here; how a write reaches the deployment is the mode's writer client.
 */
import { Code, Ledger, outcomeOf, type WriterLedger } from '../record/ledger.ts';
import type { Journal } from '../record/journal.ts';
import type { Scenario } from '../scenario/schema.ts';
import type { Deployment } from '../topology/deployment.ts';
import type { WriterClient } from '../topology/modes/mode.ts';
import { sleep, waitFor } from '../util/time.ts';
import type { WriterFactory } from './writerFactory.ts';

/** Pause after a write that could not even be sent, so a disconnected writer does not spin. */
const NOT_CONNECTED_BACKOFF_MS = 10;

export class WriteLoad {
  readonly ledger: Ledger;
  /** Running totals for the live status line (cheaper than scanning the ledger). */
  readonly counts = { acknowledged: 0, failed: 0, indeterminate: 0 };
  /** Writes that outlived a connection with a client that may re-send them, by outcome (each one ledger row). */
  readonly acrossDrops = { ok: 0, fail: 0, indeterminate: 0 };
  private clients: WriterClient[] = [];
  private running: Promise<void>[] = [];
  private stopped = false;

  constructor(
    private readonly spec: Scenario['load'],
    private readonly dep: Deployment,
    private readonly journal: Journal,
    runTag: string,
    /** Each writer's client (default: the HA mode's own). */
    private readonly makeClient: WriterFactory = (w, stopping) => dep.mode.writerClient(dep, w, journal, stopping),
  ) {
    const keys = dep.mode.keyPlan?.(dep, spec.writers);
    this.writerShards = keys?.writerShards;
    this.ledger = new Ledger(spec.writers, runTag, spec.valueSize, keys?.keyTags);
  }

  /** Cluster mode: the shard each writer writes to. */
  readonly writerShards: number[] | undefined;

  /** Connects every writer's client; resolves when all are ready. */
  async connect(signal: AbortSignal, timeoutMs = 15_000): Promise<void> {
    this.clients = Array.from({ length: this.spec.writers }, (_, w) => this.makeClient(w, () => this.stopped));
    await Promise.all(this.clients.map((c) => c.connect()));
    await waitFor(
      'every writer to connect to the primary',
      async (note) => {
        const notReady = this.clients.filter((c) => !c.ready).length;
        if (notReady > 0) note(`${notReady} writers not connected`);
        return notReady === 0 ? true : undefined;
      },
      { timeoutMs, signal, intervalMs: 20 },
    );
  }

  /** Starts every writer; they run until stop(). */
  start(): void {
    const interval = this.spec.rate === 'unlimited' ? 0 : (this.spec.writers * 1000) / this.spec.rate;
    this.running = this.clients.map((client, w) => this.runWriter(client, this.ledger.writers[w], interval));
  }

  /**
   * Stops the writers. A write still in flight gets up to one command timeout to finish; then the
   * clients are closed, which ends it as indeterminate. A client that retries on its own (ioredis
   * Cluster rides out failovers for seconds) must not stretch the load past its planned end.
   */
  async stop(): Promise<void> {
    this.stopped = true;
    const finished = Promise.all(this.running);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([finished, new Promise((resolve) => (timer = setTimeout(resolve, this.spec.commandTimeout)))]);
    clearTimeout(timer);
    for (const c of this.clients) c.close();
    await finished;
  }

  private async runWriter(client: WriterClient, ledger: WriterLedger, intervalMs: number): Promise<void> {
    const writer = ledger.writer;
    let next = this.journal.now();
    while (!this.stopped) {
      if (intervalMs > 0) {
        const delay = next - this.journal.now();
        if (delay > 0) await sleep(delay);
        next += intervalMs;
      }
      const seq = ledger.length;
      const start = this.journal.now();
      const { code, waitReply, node, acrossDrop } = await client.write(this.ledger.key(writer, seq), this.ledger.value(writer, seq));
      ledger.push(start, this.journal.now() - start, code, waitReply, node);
      const outcome = outcomeOf(code);
      if (acrossDrop) this.acrossDrops[outcome]++;
      if (outcome === 'ok') this.counts.acknowledged++;
      else if (outcome === 'fail') this.counts.failed++;
      else this.counts.indeterminate++;
      if (code === Code.notConnected) await sleep(NOT_CONNECTED_BACKOFF_MS);
    }
  }
}
