/**
 * Reads back every write from the final primary (MGET in batches, pipelined) and marks each row of the
 * ledger present / absent / other value. Analysis then classifies lost and recovered writes.
 */
import { Redis } from 'ioredis';
import { Final, Ledger } from './ledger.ts';
import type { Endpoint } from '../topology/admin.ts';

const BATCH = 1000;
const PIPELINE_DEPTH = 16;

export async function verifyLedger(ledger: Ledger, endpoint: Endpoint): Promise<{ checked: number; ms: number }> {
  const started = performance.now();
  const client = new Redis({ ...endpoint, commandTimeout: 30_000, maxRetriesPerRequest: 2, lazyConnect: true });
  client.on('error', () => {});
  try {
    await client.connect();
    let checked = 0;
    for (const w of ledger.writers) {
      for (let from = 0; from < w.length; from += BATCH * PIPELINE_DEPTH) {
        const pipeline = client.pipeline();
        const ranges: [number, number][] = [];
        for (let b = from; b < Math.min(w.length, from + BATCH * PIPELINE_DEPTH); b += BATCH) {
          const to = Math.min(w.length, b + BATCH);
          const keys = [];
          for (let i = b; i < to; i++) keys.push(Ledger.key(w.writer, i));
          pipeline.mget(keys);
          ranges.push([b, to]);
        }
        const replies = (await pipeline.exec()) ?? [];
        replies.forEach(([err, values], r) => {
          if (err) throw err;
          const [b, to] = ranges[r];
          const vals = values as (string | null)[];
          for (let i = b; i < to; i++) {
            const v = vals[i - b];
            w.final[i] = v === null ? Final.absent : v === ledger.value(w.writer, i) ? Final.present : Final.otherValue;
          }
          checked += to - b;
        });
      }
    }
    return { checked, ms: performance.now() - started };
  } finally {
    client.disconnect();
  }
}
