/**
 * The harness's exit codes and the errors that map to them. The CLI turns these into exit codes;
 * everything else that escapes is an infrastructure error (3) with its message shown.
 */
export const ExitCode = {
  pass: 0,
  expectationFailed: 1,
  badInput: 2,
  infrastructure: 3,
  sigint: 130,
  sigterm: 143,
} as const;

/** Bad input from the user: a scenario file, a command line. Nothing has been started. */
export class InputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InputError';
  }
}

/** Docker missing, an image that cannot be had, a container that died: not the system under test's fault. */
export class InfrastructureError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'InfrastructureError';
  }
}
