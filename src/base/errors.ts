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

/** The stack traces of `err` and of every error in its `cause` chain, for --debug. */
export function stacksOf(err: unknown): string {
  const out: string[] = [];
  for (let e = err as (Error & { cause?: unknown }) | undefined, depth = 0; e && depth < 8; e = e.cause as typeof e, depth++) {
    out.push(depth === 0 ? String(e.stack ?? e) : `caused by: ${String(e.stack ?? e)}`);
  }
  return out.join('\n');
}

/**
 * A command's answer to a thrown error. Side effect: prints `error: <message>`
 * on stderr, one line (with `debug`, the stack traces too). Returns the exit
 * code: 2 for an {@link InputError} (bad input), 1 for anything else. Never throws.
 */
export function reportErrorAndExitCode(err: unknown, debug = false): number {
  const e = err as Error;
  console.error(`error: ${String(e?.message ?? e).split('\n')[0]}`);
  if (debug) console.error(stacksOf(err));
  return e instanceof InputError ? 2 : 1;
}
