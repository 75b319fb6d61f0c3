/**
 * Listens to every sentinel's event stream (`PSUBSCRIBE *`): +sdown, +odown, +switch-master, ... each
 * lands in the journal with both clocks the moment it arrives.
 */
import { Redis } from 'ioredis';
import type { Journal } from '../journal/journal.ts';
import type { Topology } from '../topology/topology.ts';

export class SentinelTap {
  private clients: Redis[] = [];

  constructor(
    private readonly topology: Topology,
    private readonly journal: Journal,
  ) {}

  async start(): Promise<void> {
    await Promise.all(
      this.topology.sentinels.map(async (sentinel) => {
        const client = new Redis({ ...this.topology.endpoint(sentinel), lazyConnect: true, retryStrategy: () => 100, maxRetriesPerRequest: 1 });
        client.on('error', () => {}); // a killed sentinel is a fault we injected, not a harness failure
        client.on('pmessage', (_pattern: string, channel: string, message: string) => {
          this.journal.append('sentinel.event', { node: sentinel.name, channel, message });
        });
        this.clients.push(client);
        await client.connect();
        await client.psubscribe('*');
      }),
    );
  }

  stop(): void {
    for (const c of this.clients) c.disconnect();
    this.clients = [];
  }
}

export interface SentinelLogEvent {
  /** Wall clock epoch ms, from the log line (the container's clock is the host's, in UTC). */
  wall: number;
  event: string;
  detail: string;
}

const MONTHS: Record<string, number> = { Jan: 0, Feb: 1, Mar: 2, Apr: 3, May: 4, Jun: 5, Jul: 6, Aug: 7, Sep: 8, Oct: 9, Nov: 10, Dec: 11 };
const LOG_LINE = /^\d+:X (\d{1,2}) (\w{3}) (\d{4}) (\d{2}):(\d{2}):(\d{2})\.(\d{3}) [#*.-] ([+-][\w-]+) ?(.*)$/;

/** Events from a sentinel's own log ("1:X 23 Nov 2026 06:40:41.746 # +sdown master mymaster 172.19.0.2 6379"). */
export function parseSentinelLog(text: string): SentinelLogEvent[] {
  const out: SentinelLogEvent[] = [];
  for (const line of text.split('\n')) {
    const m = LOG_LINE.exec(line.trim());
    if (!m) continue;
    const wall = Date.UTC(Number(m[3]), MONTHS[m[2]], Number(m[1]), Number(m[4]), Number(m[5]), Number(m[6]), Number(m[7]));
    out.push({ wall, event: m[8], detail: m[9] });
  }
  return out;
}
