/**
 * The run's journal: every moving part (topology, load, faults, observers) appends timestamped events
 * here, and analysis is a pure function of it. Two clocks per event: `t`, monotonic milliseconds since
 * the run started (for intervals: immune to wall-clock steps), and `wall`, epoch milliseconds (to line
 * events up with server logs).
 */
import { writeFile } from 'node:fs/promises';

export interface JournalEvent {
  /** Monotonic ms since the journal was created. */
  t: number;
  /** Wall clock, epoch ms. */
  wall: number;
  /** Dotted event type, e.g. `sentinel.event`, `fault.inject`, `phase`. */
  type: string;
  [field: string]: unknown;
}

export type JournalListener = (event: JournalEvent) => void;

export class Journal {
  readonly events: JournalEvent[] = [];
  /** performance.now() at creation; `t` values are relative to it. */
  readonly origin: number;
  /** Wall clock at creation, so `wall` can be derived from `t` for any monotonic instant. */
  readonly originWall: number;
  private listeners: JournalListener[] = [];

  constructor() {
    this.origin = performance.now();
    this.originWall = Date.now();
  }

  /** Monotonic ms since the journal's origin. */
  now(): number {
    return performance.now() - this.origin;
  }

  /** Wall-clock epoch ms of a monotonic journal time (precise to the sub-ms; one clock read at origin). */
  wallOf(t: number): number {
    return this.originWall + t;
  }

  append(type: string, fields: Record<string, unknown> = {}, t = this.now()): JournalEvent {
    const event: JournalEvent = { t, wall: this.wallOf(t), type, ...fields };
    this.events.push(event);
    for (const listener of this.listeners) listener(event);
    return event;
  }

  onEvent(listener: JournalListener): () => void {
    this.listeners.push(listener);
    return () => {
      this.listeners = this.listeners.filter((l) => l !== listener);
    };
  }

  find(type: string): JournalEvent | undefined {
    return this.events.find((e) => e.type === type);
  }

  filter(type: string): JournalEvent[] {
    return this.events.filter((e) => e.type === type);
  }

  async writeNdjson(path: string): Promise<void> {
    await writeFile(path, this.events.map((e) => JSON.stringify(e)).join('\n') + '\n');
  }
}

export function parseNdjson(text: string): JournalEvent[] {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as JournalEvent);
}
