#!/usr/bin/env node
// Entry point: registers tsx so the TypeScript sources run as they are (no build step to forget),
// then hands over to the CLI.

// Until a drill installs its own handlers, Ctrl-C / SIGTERM simply end the program (nothing has been
// started yet), with the conventional exit codes.
const early = (signal) => process.exit(signal === 'SIGINT' ? 130 : 143);
process.on('SIGINT', early);
process.on('SIGTERM', early);
globalThis[Symbol.for('ferrite-drill.early-signals')] = () => {
  process.off('SIGINT', early);
  process.off('SIGTERM', early);
};

const { register } = await import('tsx/esm/api');
register();
const { main } = await import('../src/cli/main.ts');
await main(process.argv);
