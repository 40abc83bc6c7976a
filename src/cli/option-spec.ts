/**
 * How a command-line option is declared, once: its flag (the declaration's
 * key, kebab-cased), value placeholder, help text, default, accepted values
 * and unit. The commander parser, `--help`, the validation, summary.json's
 * `config` and the option tables of docs/options.md are all built from the
 * declarations (bench-options.ts, compare-options.ts).
 */
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { reportErrorAndExitCode } from '../base/errors.js';

/** One option. `T` is the parsed value's type. */
export interface OptionSpec<T> {
  /** Value placeholder shown in help, e.g. `<seconds>`; absent for a boolean flag. */
  readonly arg?: string;
  /** One line for --help and docs/options.md. */
  readonly help: string;
  /** The parsed default; absent: the option is unset unless given. */
  readonly default?: T;
  /** How --help and the docs show the default when not `String(default)` (e.g. `64MiB; dynamic-growth: 1MiB`). */
  readonly defaultText?: string;
  /** Parse one value. @throws InvalidArgumentError naming the accepted forms. */
  readonly parse?: (text: string) => T;
  /** The accepted values, when they are a fixed set. */
  readonly choices?: readonly string[];
  /** Unit of the parsed value as recorded in summary.json (`s`, `slots`, `ms`...). */
  readonly unit?: string;
  /**
   * False for options that do not change what is measured (where results go,
   * how they are shown, what is listed): `npm run compare` does not warn when
   * two runs differ in them. Default true.
   */
  readonly compared?: boolean;
  /** A `--no-NAME` flag: the value is true unless the flag is given. */
  readonly negated?: boolean;
  /** How a value is written back as the user would type it (e.g. a mask in hex); default `String`. */
  show?(value: T): string;
}

/** An option with a default, so its value is always set. */
export type DefaultedOption<T> = OptionSpec<T> & { readonly default: T };

/** Declare an option (typed: `T` from `parse`, `choices` or `default`). */
export function option<T>(spec: DefaultedOption<T>): DefaultedOption<T>;
export function option<T>(spec: OptionSpec<T>): OptionSpec<T>;
export function option<T>(spec: OptionSpec<T>): OptionSpec<T> {
  return spec;
}

/** A table of declarations, keyed by the option's camelCase name (`maxPool` is `--max-pool`). */
export type OptionTable = Record<string, OptionSpec<unknown>>;

/** The parsed options of a table: defaulted ones always set, the others possibly undefined. */
export type OptionValues<S extends OptionTable> = {
  -readonly [K in keyof S]: S[K] extends DefaultedOption<infer T> ? T : S[K] extends OptionSpec<infer T> ? T | undefined : never;
};

/** `maxPool` -> `max-pool`. */
export function flagName(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

/** `--max-pool <size>`, or `--no-progress`. */
export function flagText(key: string, spec: OptionSpec<unknown>): string {
  return `--${spec.negated ? 'no-' : ''}${flagName(key)}${spec.arg ? ` ${spec.arg}` : ''}`;
}

/** The default as --help and the docs show it, or '' when there is none. */
export function defaultShown(spec: OptionSpec<unknown>): string {
  if (spec.defaultText !== undefined) return spec.defaultText;
  if (spec.default === undefined || spec.negated) return '';
  if (Array.isArray(spec.default)) return spec.default.join(',');
  return String(spec.default);
}

/** Parsers for the common value shapes; each error says what is accepted. */
export const parse = {
  /** An integer from `min` to `max`. */
  int(min: number, what: string, max = Number.MAX_SAFE_INTEGER) {
    return (value: string): number => {
      const n = value.trim() === '' ? NaN : Number(value);
      if (!Number.isInteger(n) || n < min || n > max) {
        throw new InvalidArgumentError(`expected ${what} (an integer ${max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `from ${min} to ${max}`})`);
      }
      return n;
    };
  },
  /** Seconds, > 0 (or >= 0 with `zeroOk`), at most `max`. */
  seconds(zeroOk = false, max = 86_400) {
    return (value: string): number => {
      const n = value.trim() === '' ? NaN : Number(value);
      if (!Number.isFinite(n) || n < 0 || (!zeroOk && n === 0) || n > max) {
        throw new InvalidArgumentError(`expected seconds ${zeroOk ? '>= 0' : '> 0'} and at most ${max}, e.g. 2 or 0.5`);
      }
      return n;
    };
  },
  /** A number in the open interval (low, high). */
  between(low: number, high: number, example: string) {
    return (value: string): number => {
      const n = Number(value);
      if (!(n > low && n < high)) throw new InvalidArgumentError(`expected a number between ${low} and ${high}, e.g. ${example}`);
      return n;
    };
  },
  /** A non-empty string. */
  text(what: string) {
    return (value: string): string => {
      if (value.trim() === '') throw new InvalidArgumentError(`expected ${what}, not an empty string`);
      return value;
    };
  },
  /** A comma list of items, each through `item`. */
  list<T>(what: string, item: (s: string) => T) {
    return (value: string): T[] => {
      const items = value.split(',').map((s) => s.trim()).filter((s) => s !== '');
      if (items.length === 0) throw new InvalidArgumentError(`expected a comma-separated list of ${what}`);
      return items.map(item);
    };
  },
};

/**
 * A commander Command holding every option of `table`, with `--help` text
 * and defaults from the declarations. Errors exit through `exitOverride`
 * (a CommanderError), never process.exit.
 */
export function commandFor(name: string, description: string, table: OptionTable, epilogue = ''): Command {
  const cmd = new Command(name).description(description);
  for (const [key, spec] of Object.entries(table)) {
    const shown = defaultShown(spec);
    // commander shows a default only when there is a value; a described-only default goes into the help text.
    const o = new Option(flagText(key, spec), spec.default === undefined && shown ? `${spec.help} (default: ${shown})` : spec.help);
    if (spec.choices) o.choices(spec.choices as string[]);
    if (spec.parse) o.argParser((v: string) => spec.parse!(v));
    if (spec.default !== undefined && !spec.negated) o.default(spec.default, shown);
    cmd.addOption(o);
  }
  if (epilogue) cmd.addHelpText('after', `\n${epilogue}`);
  return cmd.allowExcessArguments(false).showHelpAfterError('(run with --help for every option and its default)').exitOverride();
}

/** The values of a parsed command, one per declared option (commander names them by the camelCase key). */
export function valuesOf<S extends OptionTable>(cmd: Command, table: S): OptionValues<S> {
  const raw = cmd.opts();
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(table)) out[key] = raw[key];
  return out as OptionValues<S>;
}

/**
 * The options as summary.json records them: each by its flag name (what the
 * user typed, without dashes), with its parsed value; unset ones left out.
 */
export function configOf<S extends OptionTable>(table: S, values: OptionValues<S>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(table)) {
    const v = (values as Record<string, unknown>)[key];
    if (v !== undefined) out[flagName(key)] = v;
  }
  return out;
}

/**
 * The options as a person reads them back (report.html): `--flag` -> the
 * value as it would be typed; a negated flag (`--no-progress`) says whether
 * it was given; unset options left out.
 */
export function typedOptions<S extends OptionTable>(table: S, values: OptionValues<S>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, spec] of Object.entries(table)) {
    const v = (values as Record<string, unknown>)[key];
    if (v === undefined) continue;
    if (spec.negated) out[`--no-${flagName(key)}`] = v === false ? 'given' : 'not given';
    else out[`--${flagName(key)}`] = spec.show ? spec.show(v) : Array.isArray(v) ? v.join(',') : String(v);
  }
  return out;
}

/** Flag names (without dashes) of the options `npm run compare` does not compare. */
export function notCompared(table: OptionTable): Set<string> {
  return new Set(Object.entries(table).filter(([, s]) => s.compared === false).map(([k]) => flagName(k)));
}

/**
 * Parse `argv` (without node and script) with a command from {@link commandFor}.
 * @returns undefined when the command should run; otherwise the exit code
 *   parsing ended with: 0 after --help or --version, 2 for a bad option
 *   (commander printed why), 1 or 2 for anything else (printed).
 */
export function parseOrExitCode(cmd: Command, argv: string[]): number | undefined {
  try {
    cmd.parse(argv, { from: 'user' });
    return undefined;
  } catch (err) {
    if (err instanceof CommanderError) return err.code === 'commander.helpDisplayed' || err.code === 'commander.version' ? 0 : 2;
    return reportErrorAndExitCode(err);
  }
}
