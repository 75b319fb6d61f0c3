/** Small helpers for durations and abortable waits. Every wait in the harness has a deadline. */

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Parses `1500`, `"1500ms"`, `"2.5s"`, `"1m"` into milliseconds; returns null when it is not a duration. */
export function parseDurationMs(input: unknown): number | null {
  if (typeof input === 'number') return Number.isFinite(input) ? input : null;
  if (typeof input !== 'string') return null;
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/.exec(input);
  if (!match) return null;
  return Number(match[1]) * UNIT_MS[match[2] ?? 'ms'];
}

export class AbortedError extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'AbortedError';
  }
}

export class DeadlineError extends Error {
  constructor(what: string, ms: number, detail?: string) {
    super(`timed out after ${ms} ms waiting for ${what}${detail ? `: ${detail}` : ''}`);
    this.name = 'DeadlineError';
  }
}

export function throwIfAborted(signal?: AbortSignal): void {
  if (signal?.aborted) throw new AbortedError(String(signal.reason ?? 'aborted'));
}

/** Sleeps `ms`, resolving early (with an AbortedError) when `signal` fires. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new AbortedError(String(signal.reason ?? 'aborted')));
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(new AbortedError(String(signal?.reason ?? 'aborted')));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Polls `probe` every `intervalMs` until it returns a non-undefined value or `timeoutMs` passes.
 * The last failure reason (probe returning a string via `lastReason`) is put in the timeout message,
 * so "timed out" always says what it was still waiting for.
 */
export async function waitFor<T>(
  what: string,
  probe: (note: (reason: string) => void) => Promise<T | undefined>,
  opts: { timeoutMs: number; intervalMs?: number; signal?: AbortSignal },
): Promise<T> {
  const deadline = performance.now() + opts.timeoutMs;
  let reason = '';
  const note = (r: string) => {
    reason = r;
  };
  for (;;) {
    throwIfAborted(opts.signal);
    try {
      const value = await probe(note);
      if (value !== undefined) return value;
    } catch (err) {
      reason = (err as Error).message;
    }
    if (performance.now() >= deadline) throw new DeadlineError(what, opts.timeoutMs, reason);
    await sleep(opts.intervalMs ?? 50, opts.signal);
  }
}

/** Races a promise against a deadline. */
export async function withTimeout<T>(what: string, promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new DeadlineError(what, ms)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
