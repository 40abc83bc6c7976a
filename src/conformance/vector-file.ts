/**
 * What every golden-vector replay shares (formats in
 * test/fixtures/conformance/*: the static sets and the dynamic one): reading
 * a JSON Lines file with errors that name file, line and field, and the
 * mismatch record a replay keeps.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { IO_TLB_SIZE, KERNEL_RULES, type KernelRules } from '../model/constants.js';

/** A count, index or address: an integer >= 0. */
export const nonNegative = z.number().int().nonnegative();

/** Config fields every vector file has: the boot pool and the sizes the files assume. */
export const CONFIG_FIELDS = {
  kind: z.literal('config'),
  scenario: z.string(),
  kernel_rules: z.string(),
  pool_base: nonNegative,
  nslabs: z.number().int().positive(),
  nareas: z.number().int().positive(),
  io_tlb_size: z.literal(IO_TLB_SIZE),
  io_tlb_segsize: z.literal(128),
  page_size: z.literal(4096),
};

/** The fields of a `map` op but its `expect`: swiotlb_tbl_map_single(dev, orig, size, alloc_align_mask, ...) on `cpu`. */
export const MAP_FIELDS = {
  op: z.literal('map'),
  id: nonNegative,
  cpu: nonNegative,
  orig: nonNegative,
  size: z.number().int().positive(),
  min_align_mask: nonNegative,
  alloc_align_mask: nonNegative,
};

/** Input that cannot be replayed (unreadable file, bad JSON, a field of the wrong shape). */
export class ConformanceInputError extends Error {
  constructor(readonly file: string, readonly line: number, detail: string) {
    super(`${file}:${line}: ${detail}`);
    this.name = 'ConformanceInputError';
  }
}

/** One difference between the model and the vector. */
export interface Mismatch {
  line: number;
  op: string;
  id?: number;
  field: string;
  expected: unknown;
  actual: unknown;
}

export interface ReplayResult {
  file: string;
  scenario: string;
  rules: string;
  /** True for a dynamic-path file (CONFIG_SWIOTLB_DYNAMIC). */
  dynamic: boolean;
  /** map + unmap ops replayed. */
  ops: number;
  checks: number;
  /** `grow` ops replayed (dynamic files). */
  grows: number;
  mismatches: number;
  /** The first mismatch, in full. */
  first?: Mismatch;
}

/** A vector file's lines, with a JSON reader that names the line on error. */
export interface VectorLines {
  file: string;
  lines: string[];
  /** The parsed JSON of line index `n` (0-based). @throws ConformanceInputError */
  json(n: number): unknown;
}

/**
 * Read `file` as JSON Lines.
 * @throws ConformanceInputError when it cannot be read.
 */
export function readVectorLines(file: string): VectorLines {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConformanceInputError(file, 0, `cannot read: ${(err as Error).message}`);
  }
  const lines = text.split('\n');
  return {
    file,
    lines,
    json(n: number): unknown {
      try {
        return JSON.parse(lines[n]);
      } catch {
        throw new ConformanceInputError(file, n + 1, 'not valid JSON');
      }
    },
  };
}

/**
 * `value` checked against `schema`.
 * @throws ConformanceInputError naming the first bad field.
 */
export function parseLine<T>(schema: z.ZodType<T>, value: unknown, file: string, line: number): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw new ConformanceInputError(file, line, `field '${issue.path.join('.') || '(line)'}': ${issue.message}`);
}

/** Each operation line after the config line, parsed by `schema`, with its line number (from 1); blank lines skipped. */
export function* opsOf<T>(input: VectorLines, schema: z.ZodType<T>): Generator<{ op: T; line: number }> {
  for (let n = 1; n < input.lines.length; n++) {
    if (input.lines[n].trim() === '') continue;
    yield { op: parseLine(schema, input.json(n), input.file, n + 1), line: n + 1 };
  }
}

/**
 * `rules` checked against the rule sets this build replays.
 * @throws ConformanceInputError naming the supported ones.
 */
export function checkRules(file: string, rules: string): KernelRules {
  if (!KERNEL_RULES.includes(rules as KernelRules)) {
    throw new ConformanceInputError(file, 1, `field 'kernel_rules': '${rules}' is not supported (supported: ${KERNEL_RULES.join(', ')})`);
  }
  return rules as KernelRules;
}

/** The first field of `expected` whose JSON differs in `actual`, or undefined. */
export function firstDifference(expected: Record<string, unknown>, actual: Record<string, unknown>): string | undefined {
  return Object.keys(expected).find((k) => JSON.stringify(actual[k]) !== JSON.stringify(expected[k]));
}

/** Counts a replay's mismatches into its result, keeping the first in full. */
export class MismatchLog {
  constructor(private readonly result: ReplayResult) {}

  add(m: Mismatch): void {
    this.result.mismatches++;
    this.result.first ??= m;
  }

  /**
   * Record a mismatch when a field of `expected` differs in `actual` (JSON
   * equality): with the two objects whole, or (`fieldsOnly`, for big check
   * lines) with the differing field's two values.
   */
  compare(line: number, op: string, expected: Record<string, unknown>, actual: Record<string, unknown>, id?: number, fieldsOnly = false): void {
    const field = firstDifference(expected, actual);
    if (field === undefined) return;
    this.add(fieldsOnly ? { line, op, id, field, expected: expected[field], actual: actual[field] } : { line, op, id, field, expected, actual });
  }

  /** Take the live mapping an `unmap` names out of `live`; undefined, with a mismatch recorded, when there is none. */
  takeLive<T>(live: Map<number, T>, id: number, line: number): T | undefined {
    const mapping = live.get(id);
    if (mapping === undefined) this.add({ line, op: 'unmap', id, field: 'id', expected: 'a live mapping', actual: 'no live mapping with this id' });
    live.delete(id);
    return mapping;
  }
}
