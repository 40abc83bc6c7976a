/**
 * Errors for bad input. The CLI turns an {@link InputError} into exit code 2
 * with its message, which names the file, line and field when there is one.
 */
export class InputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InputError';
  }
}

/** A malformed line in a trace or other input file. */
export class ParseError extends InputError {
  constructor(readonly file: string, readonly line: number, readonly field: string, detail: string) {
    super(`${file}:${line}: field '${field}': ${detail}`);
    this.name = 'ParseError';
  }
}

/** A name (strategy, workload, format) that is not registered; lists the valid ones. */
export class UnknownNameError extends InputError {
  constructor(kind: string, name: string, valid: readonly string[]) {
    super(`unknown ${kind} '${name}'; valid ${kind} names: ${valid.join(', ')}`);
    this.name = 'UnknownNameError';
  }
}

/**
 * A command's answer to a thrown error. Side effect: prints `error: <message>`
 * on stderr. Returns the exit code: 2 for an {@link InputError} (bad input),
 * 1 for anything else. Never throws.
 */
export function reportErrorAndExitCode(err: unknown): number {
  const e = err as Error;
  console.error(`error: ${e.message}`);
  return e instanceof InputError ? 2 : 1;
}
