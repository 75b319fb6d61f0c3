/**
 * The run's journal: every moving part (topology, load, faults, observers) appends timestamped events
 * here, and analysis is a pure function of it. Two clocks per event: `t`, monotonic milliseconds since
 * the run started (for intervals: immune to wall-clock steps), and `wall`, epoch milliseconds (to line
 * events up with server logs).
 */
import { firstOf, ofType, type EventFields, type EventOf, type EventType, type JournalEvent } from './events.ts';

export type { JournalEvent } from './events.ts';
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

  append<K extends EventType>(type: K, fields: EventFields[K], t = this.now()): EventOf<K> {
    const event = { t, wall: this.wallOf(t), type, ...fields } as EventOf<K>;
    this.events.push(event as unknown as JournalEvent);
    for (const listener of this.listeners) listener(event as unknown as JournalEvent);
    return event;
  }

  onEvent(listener: JournalListener): () => void {
    this.listeners.push(listener);
    return () => {
      this.listeners = this.listeners.filter((l) => l !== listener);
    };
  }

  find<K extends EventType>(type: K): EventOf<K> | undefined {
    return firstOf(this.events, type);
  }

  filter<K extends EventType>(type: K): EventOf<K>[] {
    return ofType(this.events, type);
  }

  toNdjson(): string {
    return this.events.map((e) => JSON.stringify(e)).join('\n') + '\n';
  }
}

/** A saved journal (journal.ndjson) back as events. */
export function parseNdjson(text: string): JournalEvent[] {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as JournalEvent);
}
