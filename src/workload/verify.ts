/**
 * Reads back every write from the converged final state (in batches, pipelined by the reader) and marks
 * each row of the ledger present / absent / other value. Analysis then classifies lost and recovered
 * writes (Jepsen's set checker).
 */
import { Final, Ledger } from '../record/ledger.ts';
import type { KeyReader } from '../topology/modes/mode.ts';

const BATCH = 16_000;

export async function verifyLedger(ledger: Ledger, reader: KeyReader): Promise<{ checked: number; ms: number }> {
  const started = performance.now();
  let checked = 0;
  for (const w of ledger.writers) {
    for (let from = 0; from < w.length; from += BATCH) {
      const to = Math.min(w.length, from + BATCH);
      const keys: string[] = [];
      for (let i = from; i < to; i++) keys.push(ledger.key(w.writer, i));
      const values = await reader.get(keys);
      for (let i = from; i < to; i++) {
        const v = values[i - from];
        w.final[i] = v === null ? Final.absent : v === ledger.value(w.writer, i) ? Final.present : Final.otherValue;
      }
      checked += to - from;
    }
  }
  return { checked, ms: performance.now() - started };
}
