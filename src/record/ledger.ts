/**
 * The write ledger: one row per write, in columns of typed arrays, so a million writes cost ~16 bytes
 * each and no strings (keys and values are derived from writer and sequence number, never stored).
 */

/**
 * Why a write ended as it did. 0 is success; every other code is a definite failure (the server did not
 * apply it) or indeterminate (it may have), as OUTCOME_OF_CODE says. Codes are only ever added, so old
 * ledgers still read the same.
 */
export const Code = {
  ok: 0,
  readonly: 1,
  noreplicas: 2,
  notConnected: 3, // never sent: the client had no connection
  replyError: 4, // another error reply from the server (LOADING, MASTERDOWN, ...)
  timeout: 5,
  connectionLost: 6,
  unknown: 7,
  moved: 8, // MOVED / ASK: the node does not serve the slot, nothing applied
  clusterDown: 9, // CLUSTERDOWN: the cluster refused the command
  tryAgain: 10, // TRYAGAIN (slot migrating)
  oom: 11, // OOM: maxmemory reached with noeviction
  misconf: 12, // MISCONF: persistence failing, writes refused
} as const;
export type CodeValue = (typeof Code)[keyof typeof Code];

export const CODE_NAMES = ['ok', 'READONLY', 'NOREPLICAS', 'not connected', 'error reply', 'timeout', 'connection lost', 'unknown', 'MOVED', 'CLUSTERDOWN', 'TRYAGAIN', 'OOM', 'MISCONF'];

export type Outcome = 'ok' | 'fail' | 'indeterminate';
const OUTCOME_OF_CODE: Outcome[] = ['ok', 'fail', 'fail', 'fail', 'fail', 'indeterminate', 'indeterminate', 'indeterminate', 'fail', 'fail', 'fail', 'fail', 'fail'];

/** ok, fail (definitely not applied) or indeterminate (may have been applied). */
export function outcomeOf(code: number): Outcome {
  return OUTCOME_OF_CODE[code] ?? 'indeterminate';
}

/** WAIT's reply is unknown (the write was acknowledged but WAIT never answered). */
export const WAIT_UNKNOWN = 255;
/** The node that answered is unknown. */
export const NODE_UNKNOWN = 255;

/** What verification found for a write in the converged final state. */
export const Final = { unchecked: 0, present: 1, absent: 2, otherValue: 3 } as const;

export class WriterLedger {
  length = 0;
  /** Start of the write, ms on the journal's monotonic clock. */
  start: Float64Array;
  /** Time to the write's outcome, ms. */
  latency: Float32Array;
  code: Uint8Array;
  /** WAIT reply (replicas that acknowledged), capped at 254; WAIT_UNKNOWN when not known. */
  wait: Uint8Array;
  /** Index of the node that acknowledged (the topology's node order). */
  node: Uint8Array;
  final: Uint8Array;

  constructor(readonly writer: number, capacity = 4096) {
    this.start = new Float64Array(capacity);
    this.latency = new Float32Array(capacity);
    this.code = new Uint8Array(capacity);
    this.wait = new Uint8Array(capacity);
    this.node = new Uint8Array(capacity);
    this.final = new Uint8Array(capacity);
  }

  push(start: number, latency: number, code: number, wait: number, node: number): number {
    if (this.length === this.start.length) this.grow();
    const i = this.length++;
    this.start[i] = start;
    this.latency[i] = latency;
    this.code[i] = code;
    this.wait[i] = wait > 254 ? (wait === WAIT_UNKNOWN ? WAIT_UNKNOWN : 254) : wait;
    this.node[i] = node;
    return i;
  }

  end(i: number): number {
    return this.start[i] + this.latency[i];
  }

  private grow(): void {
    const capacity = this.start.length * 2;
    const grow = <T extends Float64Array | Float32Array | Uint8Array>(a: T, make: new (n: number) => T): T => {
      const b = new make(capacity);
      b.set(a);
      return b;
    };
    this.start = grow(this.start, Float64Array);
    this.latency = grow(this.latency, Float32Array);
    this.code = grow(this.code, Uint8Array);
    this.wait = grow(this.wait, Uint8Array);
    this.node = grow(this.node, Uint8Array);
    this.final = grow(this.final, Uint8Array);
  }

  /** Bytes held (capacity, not just length). */
  byteSize(): number {
    return this.start.byteLength + this.latency.byteLength + this.code.byteLength * 4;
  }
}

export class Ledger {
  readonly writers: WriterLedger[];

  /**
   * `keyTags`: per writer, hash tags its keys cycle through (cluster mode: tags whose slots belong to the
   * writer's shard, so each writer stays on one shard while its keys still spread over many slots).
   */
  constructor(
    writerCount: number,
    readonly runTag: string,
    readonly valueSize: number,
    readonly keyTags?: string[][],
  ) {
    this.writers = Array.from({ length: writerCount }, (_, w) => new WriterLedger(w));
  }

  get size(): number {
    return this.writers.reduce((n, w) => n + w.length, 0);
  }

  /** The key of a write: derived, never stored. */
  key(writer: number, seq: number): string {
    const tags = this.keyTags?.[writer];
    return tags ? `fd:{${tags[seq % tags.length]}}:${writer}:${seq}` : `fd:${writer}:${seq}`;
  }

  /** Unique per run, writer and sequence, padded to the scenario's value size. */
  value(writer: number, seq: number): string {
    return `${this.runTag}:${writer}:${seq}:`.padEnd(this.valueSize, 'x');
  }

  byteSize(): number {
    return this.writers.reduce((n, w) => n + w.byteSize(), 0);
  }

  /** Compact binary form for the run folder (so reports can be re-rendered from a saved run). */
  serialize(): Buffer {
    const header = Buffer.from(JSON.stringify({ runTag: this.runTag, valueSize: this.valueSize, lengths: this.writers.map((w) => w.length), ...(this.keyTags ? { keyTags: this.keyTags } : {}) }));
    const parts: Buffer[] = [Buffer.alloc(4), header];
    parts[0].writeUInt32LE(header.length);
    for (const w of this.writers) {
      const n = w.length;
      parts.push(
        Buffer.from(w.start.buffer, 0, n * 8),
        Buffer.from(w.latency.buffer, 0, n * 4),
        Buffer.from(w.code.buffer, 0, n),
        Buffer.from(w.wait.buffer, 0, n),
        Buffer.from(w.node.buffer, 0, n),
        Buffer.from(w.final.buffer, 0, n),
      );
    }
    return Buffer.concat(parts);
  }

  static deserialize(buf: Buffer): Ledger {
    const headerLength = buf.readUInt32LE(0);
    const header = JSON.parse(buf.subarray(4, 4 + headerLength).toString()) as { runTag: string; valueSize: number; lengths: number[]; keyTags?: string[][] };
    const ledger = new Ledger(header.lengths.length, header.runTag, header.valueSize, header.keyTags);
    let offset = 4 + headerLength;
    const take = (bytes: number) => {
      const copy = new Uint8Array(bytes);
      copy.set(buf.subarray(offset, offset + bytes));
      offset += bytes;
      return copy.buffer;
    };
    header.lengths.forEach((n, i) => {
      const w = ledger.writers[i];
      w.start = new Float64Array(take(n * 8));
      w.latency = new Float32Array(take(n * 4));
      w.code = new Uint8Array(take(n));
      w.wait = new Uint8Array(take(n));
      w.node = new Uint8Array(take(n));
      w.final = new Uint8Array(take(n));
      w.length = n;
    });
    return ledger;
  }
}
