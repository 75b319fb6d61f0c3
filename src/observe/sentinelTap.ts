/**
 * Sentinel's events, two independent ways. The live tap listens to every sentinel's pub/sub
 * (`PSUBSCRIBE *`) and journals each event with the harness's clocks the moment it arrives; the log
 * parser reads the same events from the sentinels' own logs after the run, with the sentinels' own
 * millisecond timestamps. Analysis takes times from the logs (complete even when a partition cut the
 * tap); the tap's arrival times are an independent observation to check them against.
 */
import { Redis } from 'ioredis';
import type { Journal } from '../record/journal.ts';
import type { Deployment } from '../topology/deployment.ts';
import type { Observer } from '../topology/modes/mode.ts';

export class SentinelTap implements Observer {
  private clients: Redis[] = [];

  constructor(
    private readonly dep: Deployment,
    private readonly journal: Journal,
  ) {}

  async start(): Promise<void> {
    await Promise.all(
      this.dep.sentinels.map(async (sentinel) => {
        const client = new Redis({ ...this.dep.access.endpoint(sentinel), lazyConnect: true, retryStrategy: () => 100, maxRetriesPerRequest: 1 });
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

export interface LogLine {
  /** Wall clock epoch ms, from the log line (the container's clock is the host's, in UTC). */
  wall: number;
  /** The role letter Redis writes: X sentinel, M primary, S replica, C child. */
  role: string;
  text: string;
}

const MONTHS: Record<string, number> = { Jan: 0, Feb: 1, Mar: 2, Apr: 3, May: 4, Jun: 5, Jul: 6, Aug: 7, Sep: 8, Oct: 9, Nov: 10, Dec: 11 };
const LINE = /^\d+:([XMSC]) (\d{1,2}) (\w{3}) (\d{4}) (\d{2}):(\d{2}):(\d{2})\.(\d{3}) [#*.-] (.*)$/;

/** The timestamped lines of a Redis or Sentinel log ("1:X 23 Nov 2026 06:40:41.746 # +sdown ..."). */
export function parseRedisLog(text: string): LogLine[] {
  const out: LogLine[] = [];
  for (const line of text.split('\n')) {
    const m = LINE.exec(line.trim());
    if (!m) continue;
    const wall = Date.UTC(Number(m[4]), MONTHS[m[3]], Number(m[2]), Number(m[5]), Number(m[6]), Number(m[7]), Number(m[8]));
    out.push({ wall, role: m[1], text: m[9] });
  }
  return out;
}

export interface SentinelLogEvent {
  wall: number;
  event: string;
  detail: string;
}

/** Events from a sentinel's own log ("+sdown master mymaster 172.19.0.2 6379"). */
export function parseSentinelLog(text: string): SentinelLogEvent[] {
  const out: SentinelLogEvent[] = [];
  for (const line of parseRedisLog(text)) {
    const m = /^([+-][\w-]+) ?(.*)$/.exec(line.text);
    if (m) out.push({ wall: line.wall, event: m[1], detail: m[2] });
  }
  return out;
}
