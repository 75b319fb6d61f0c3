/**
 * Heap cost of the write ledger at 1,000,000 acknowledged writes, measured with forced GC (run under
 * `node --expose-gc`). Baseline in the same run: the same rows as plain JS objects in an array, the
 * obvious design the ledger replaces. Prints one JSON line.
 */
import { Code, Ledger } from '../src/record/ledger.ts';

const N = Number(process.argv[2] ?? 1_000_000);
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc');
const used = () => {
  gc();
  gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
};

let before = used();
const ledger = new Ledger(4, 'bench', 32);
for (let i = 0; i < N; i++) ledger.writers[i % 4].push(i * 0.01, 0.3, Code.ok, 1, 0);
const ledgerBytes = used() - before;

before = used();
const naive: { start: number; latency: number; outcome: string; wait: number; node: string; key: string }[] = [];
for (let i = 0; i < N; i++) naive.push({ start: i * 0.01, latency: 0.3, outcome: 'ok', wait: 1, node: 'redis-1', key: `fd:${i % 4}:${i >> 2}` });
const naiveBytes = used() - before;

console.log(JSON.stringify({ writes: ledger.size + naive.length - N, ledgerBytesPerWrite: ledgerBytes / N, naiveBytesPerWrite: naiveBytes / N }));
