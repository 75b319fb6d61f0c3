/**
 * What the terminal shows during a run. On a terminal: progress lines plus a status line redrawn four
 * times a second (phase, elapsed / planned, writes/s, errors, active faults). Not a terminal, or CI /
 * NO_COLOR set: plain lines only, with a status line every 5 s during the load. --quiet: nothing.
 */
export interface Status {
  phase: string;
  /** ms into the load, and planned load duration. */
  elapsedMs?: number;
  plannedMs?: number;
  acknowledged?: number;
  errors?: number;
  activeFaults?: string[];
}

export interface Progress {
  info(message: string): void;
  phase(name: string): void;
  /** Registers where the status line gets its numbers; null stops it. */
  status(provider: (() => Status) | null): void;
}

export function createProgress(opts: { quiet: boolean; stream?: NodeJS.WriteStream }): Progress {
  const stream = opts.stream ?? process.stderr;
  const origin = performance.now();
  const live = Boolean(stream.isTTY) && !process.env.CI && !process.env.NO_COLOR;
  let provider: (() => Status) | null = null;
  let timer: NodeJS.Timeout | undefined;
  let lastAck = 0;
  let lastAt = performance.now();
  let statusShown = false;

  const stamp = () => `[${((performance.now() - origin) / 1000).toFixed(3).padStart(8)}s]`;
  const clearStatus = () => {
    if (statusShown) stream.write('\r\x1b[K');
    statusShown = false;
  };
  const statusText = () => {
    if (!provider) return '';
    const s = provider();
    const now = performance.now();
    const rate = s.acknowledged !== undefined ? ((s.acknowledged - lastAck) * 1000) / Math.max(1, now - lastAt) : undefined;
    lastAck = s.acknowledged ?? 0;
    lastAt = now;
    const parts = [`phase ${s.phase}`];
    if (s.elapsedMs !== undefined && s.plannedMs !== undefined) parts.push(`${(s.elapsedMs / 1000).toFixed(1)}/${(s.plannedMs / 1000).toFixed(1)} s`);
    if (rate !== undefined) parts.push(`${Math.round(rate).toLocaleString('en-US')} writes/s`);
    if (s.errors !== undefined) parts.push(`${s.errors.toLocaleString('en-US')} errors`);
    parts.push(s.activeFaults && s.activeFaults.length > 0 ? `faults: ${s.activeFaults.join(', ')}` : 'no active fault');
    return parts.join(' | ');
  };
  const write = (msg: string) => {
    if (opts.quiet) return;
    clearStatus();
    stream.write(`${stamp()} ${msg}\n`);
    if (live && provider) {
      stream.write(statusText().slice(0, (stream.columns ?? 120) - 1));
      statusShown = true;
    }
  };
  return {
    info: write,
    phase: (name) => write(`== ${name}`),
    status(p) {
      provider = p;
      clearInterval(timer);
      if (opts.quiet || !p) {
        clearStatus();
        return;
      }
      lastAck = p().acknowledged ?? 0;
      lastAt = performance.now();
      timer = setInterval(
        () => {
          if (live) {
            clearStatus();
            stream.write(statusText().slice(0, (stream.columns ?? 120) - 1));
            statusShown = true;
          } else {
            stream.write(`${stamp()} ${statusText()}\n`);
          }
        },
        live ? 250 : 5000,
      );
      timer.unref();
    },
  };
}

export const silentProgress: Progress = { info: () => {}, phase: () => {}, status: () => {} };
