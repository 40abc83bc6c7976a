/**
 * What the gate runs: the gate suite, a JSON file (`--suite FILE`) or the
 * default below. Its schema is declared once here (zod), and a bad file is
 * refused with its path and the field at fault (exit 2).
 *
 * Default: the shipped traces msr-hm0 and tpcc and the profiles
 * nvme-4k-randread-qd32 and net-rx-mtu1500 for the deterministic figures (sim
 * engine at 1 to 256 CPUs); timing on msr-hm0 at 1 and 2 threads (thread
 * counts above the cores are dropped from timing), the trace whose
 * one-thread cell gate:validate measured the false-alarm and detection rates
 * on (with more blocks: 8 to 48); every strategy both sides have. About 8
 * minutes on 2 cores (docs/ci.md); timing a NIC profile as well took 10-13.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { InputError } from '../base/errors.js';
import { parseJsonAs } from '../export/json-input.js';
import { FIGURES } from '../analysis/gate-figures.js';

const tolerance = z.object({ relative: z.number().min(0).optional(), absolute: z.number().min(0).optional() }).strict();

/** The suite file's schema; every field has a default. */
export const SuiteSchema = z.object({
  /** Strategies to gate: names or plug-in paths; `both` = every built-in strategy both sides list. */
  strategies: z.union([z.literal('both'), z.array(z.string().min(1)).min(1)]).default('both'),
  /** Extra `npm run bench` options both sides get in every run (e.g. ["--kernel-rules", "v6.6"]). */
  benchArgs: z.array(z.string()).default([]),
  timing: z.object({
    /** Timed workloads; [] times nothing (deterministic figures only). */
    workloads: z.array(z.string().min(1)).default(['msr-hm0']),
    /** Thread counts; those above the machine's cores are not timed. */
    threads: z.array(z.number().int().min(1).max(1024)).min(1).default([1, 2]),
    /** Measured seconds per run (0.2: what gate:validate's planted-slowdown figure was measured with). */
    duration: z.number().positive().max(60).default(0.2),
    /** Warm-up seconds per run. */
    warmup: z.number().min(0).max(60).default(0.1),
    /** Blocks every cell gets before the first verdict (>= 6: the signed-rank interval needs 6 to reach 95%). */
    minBlocks: z.number().int().min(6).max(100).default(6),
    /** Most blocks a cell gets while INCONCLUSIVE, before confirmation. */
    maxBlocks: z.number().int().min(6).max(1000).default(12),
  }).strict().default({ workloads: ['msr-hm0'], threads: [1, 2], duration: 0.2, warmup: 0.1, minBlocks: 6, maxBlocks: 12 }),
  sim: z.object({
    workloads: z.array(z.string().min(1)).default(['msr-hm0', 'tpcc', 'nvme-4k-randread-qd32', 'net-rx-mtu1500']),
    /** Virtual CPU counts of the deterministic figures. */
    cpus: z.array(z.number().int().min(1).max(1024)).default([1, 4, 16, 64, 256]),
    /** Measured map attempts per sim run (--sim-maps); every figure is compared exactly, so a smaller count still catches a changed search. */
    maps: z.number().int().min(1000).max(1e8).default(30_000),
  }).strict().default({ workloads: ['msr-hm0', 'tpcc', 'nvme-4k-randread-qd32', 'net-rx-mtu1500'], cpus: [1, 4, 16, 64, 256], maps: 30_000 }),
  /** Tolerances by figure key (FIGURES; `full_failures@4096` for one size), over the defaults. */
  tolerances: z.record(z.string(), tolerance).default({}),
}).strict();

/** A gate suite with every default filled in. */
export type Suite = z.infer<typeof SuiteSchema>;

/** The default suite. */
export function defaultSuite(): Suite {
  return SuiteSchema.parse({});
}

/**
 * Read a suite file.
 * @throws InputError naming the file and the field at fault (or that it is not JSON, or unreadable).
 */
export function loadSuite(file: string): Suite {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new InputError(`--suite ${file}: cannot read it (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  const r = { data: parseJsonAs(SuiteSchema, text, `--suite ${file}`).data };
  const known = new Set(FIGURES.map((f) => f.key));
  for (const key of Object.keys(r.data.tolerances)) {
    if (!known.has(key.split('@')[0])) throw new InputError(`--suite ${file}: field 'tolerances.${key}': not a gate figure (${[...known].join(', ')}; full_failures@BYTES for one size)`);
  }
  return r.data;
}
