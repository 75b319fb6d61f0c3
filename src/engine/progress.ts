/** Progress lines on stderr during a run: `[  4.012s] message`. Silent with --quiet. */
export interface Progress {
  info(message: string): void;
  phase(name: string): void;
}

export function createProgress(opts: { quiet: boolean; stream?: NodeJS.WritableStream }): Progress {
  const stream = opts.stream ?? process.stderr;
  const origin = performance.now();
  const write = (msg: string) => {
    if (opts.quiet) return;
    const s = ((performance.now() - origin) / 1000).toFixed(3).padStart(8);
    stream.write(`[${s}s] ${msg}\n`);
  };
  return { info: write, phase: (name) => write(`== ${name}`) };
}

export const silentProgress: Progress = { info: () => {}, phase: () => {} };
