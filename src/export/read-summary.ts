/**
 * Reading the runs that `npm run compare` compares: a result directory (its
 * summary.json) or a summary.json file, validated with zod so that a bad file
 * is named with the field that is wrong.
 */
import { readFile, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { z } from 'zod';
import { InputError } from '../base/errors.js';
import { parseJsonAs } from './json-input.js';

/** The fields of a throughput row that compare reads (the rest is ignored). */
const ThroughputRowSchema = z.object({
  strategy: z.string().min(1),
  workload: z.string().min(1),
  threads: z.number().int().positive(),
  repeat: z.number().int().nonnegative(),
  maps_per_s: z.number().nonnegative(),
  map_p99_ns: z.number().nonnegative(),
  full_failures: z.number().nonnegative(),
  hiwater_slots: z.number().nonnegative(),
});

/** What compare needs from summary.json. */
const SummarySchema = z.object({
  command: z.string().optional(),
  machine: z.object({ cores: z.number(), cpuModel: z.string(), node: z.string() }).partial().optional(),
  /** The options of the run (bench's `config`); read loosely: any record, compared field by field. */
  config: z.record(z.string(), z.unknown()).optional(),
  throughput: z.array(ThroughputRowSchema).min(1, 'no rows (the run measured nothing)'),
});

/**
 * One repeat of one strategy on one (workload, threads), as compare reads it
 * from summary.json's `throughput`: `maps_per_s` (successful maps per second,
 * all workers), `map_p99_ns` (ns), `full_failures` (count) and
 * `hiwater_slots` (slots); other row fields are ignored.
 */
export type CompareRow = z.infer<typeof ThroughputRowSchema>;

/** One run to compare: its label (result directory name or --label), where it came from, and its rows. */
export interface LoadedRun {
  label: string;
  /** The summary.json that was read. */
  file: string;
  command?: string;
  machine?: { cores?: number; cpuModel?: string; node?: string };
  /** summary.json's `config` (the bench options by flag name, e.g. `duration`, `pool`, `kernel-rules`); absent in files that lack it. */
  config?: Record<string, unknown>;
  rows: CompareRow[];
}

/**
 * Load one run from a result directory or a summary.json path.
 * The label defaults to the result directory's name.
 * @throws InputError naming the path (missing, not a result directory) or the
 *   file and field (unparseable JSON, a missing or mistyped field).
 */
export async function loadRun(arg: string, label?: string): Promise<LoadedRun> {
  const info = await stat(arg).catch(() => undefined);
  if (!info) throw new InputError(`${arg}: no such file or directory`);
  const file = info.isDirectory() ? join(arg, 'summary.json') : arg;
  const text = await readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') throw new InputError(`${arg}: no summary.json in this directory (not a complete result directory; a failed run leaves only a hidden .partial directory)`);
    throw new InputError(`${file}: cannot read: ${err.message}`);
  });
  const parsed = parseJsonAs(SummarySchema, text, file);
  const dirName = basename(info.isDirectory() ? resolve(arg) : dirname(resolve(arg)));
  return { label: label ?? dirName, file, command: parsed.data.command, machine: parsed.data.machine, config: parsed.data.config, rows: parsed.data.throughput };
}

/**
 * Labels made unique: a repeated label gets `#2`, `#3`... (e.g. one directory
 * given twice), so every side of a comparison can be told apart.
 */
export function uniqueLabels(labels: readonly string[]): string[] {
  const used = new Set<string>();
  return labels.map((l) => {
    let name = l;
    for (let n = 2; used.has(name); n++) name = `${l}#${n}`;
    used.add(name);
    return name;
  });
}
