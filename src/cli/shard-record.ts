/**
 * shard.json: what a shard (`npm run bench -- --shard i/n`) writes beside
 * its ordinary result files, so that `npm run merge` can check the shards
 * belong together (count, configuration hash, seed, git commit, machine)
 * and rebuild the unsharded job's result files exactly: the runs' outcomes
 * of each (workload, threads) group and of the sim sweep, the schedules'
 * facts, the strategies' column declarations and the pre-run warnings.
 * Read back with zod; a bad file is named with the field that is wrong.
 * docs/sharding.md describes the fields.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { realpathSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { InputError } from '../base/errors.js';
import { parseJsonAs } from '../export/json-input.js';
import { projectRoot } from '../base/paths.js';
import type { ColumnSource } from '../export/columns.js';
import type { MachineFacts } from '../export/machine.js';
import type { ResultDir } from '../export/result-dir.js';
import type { RunOutcome } from '../run/run-one.js';
import type { BenchOptions } from './bench-options.js';
import { type FinishedJob, type ScheduleFacts, summaryConfig } from './bench-outputs.js';
import { type Shard, type ShardUnit, resolveShard, shardUnits, unitKey } from './shard.js';

/** The file a shard writes into its result directory. */
export const SHARD_FILE = 'shard.json';

/** The version of shard.json's layout this code writes and reads. */
export const SHARD_SCHEMA_VERSION = 1;

/** summary.json `config` fields left out of the configuration hash: where results go and how they are shown, not what is measured. */
export const NOT_HASHED: readonly string[] = ['out', 'label', 'progress', 'debug', 'list', 'verbose', 'shard'];

/** A run's outcome as shard.json keeps it: all of RunOutcome but the per-worker results, which the result files never read (their sums are `row`). */
export type RecordedOutcome = Omit<RunOutcome, 'workers'>;

/** One (workload, threads) group a shard ran: its positions, its schedule's facts, and its outcomes in run order (repeat x strategy). */
export interface RecordedUnit extends ShardUnit {
  schedule: ScheduleFacts;
  outcomes: RecordedOutcome[];
}

/** One (workload, CPUs) group of the sim sweep a shard ran; `threads` is the position in `--sim-sweep`. */
export interface RecordedSweepUnit extends ShardUnit {
  outcomes: RecordedOutcome[];
}

/** The whole of shard.json. */
export interface ShardRecord {
  schema_version: typeof SHARD_SCHEMA_VERSION;
  /** This shard, 1-based, of `count`. */
  shard: Shard;
  /** `git rev-parse HEAD` of the project, or null when it is not a git checkout. */
  git_commit: string | null;
  /** SHA-256 (hex) of summary.json's `config` without {@link NOT_HASHED}, keys sorted ({@link configHash}). */
  config_hash: string;
  /** `--seed`. */
  seed: number;
  machine: MachineFacts;
  /** The bench command as typed. */
  command: string;
  /** Every bench option as parsed (units as declared), `shard` resolved. */
  options: BenchOptions;
  /** Each strategy as run (a `--nodes` list makes several of one): its name and declared columns. */
  strategies: ColumnSource[];
  /** `--reference` as resolved against the loaded strategies, or null. */
  reference: string | null;
  /** The warnings raised before the runs (and a sim sweep that could not run). */
  warnings: string[];
  /** Which figures are measured and which predicted (summary.md, report.html). */
  engine_notes: string[];
  /** The shard's (workload, threads) groups in run order. */
  units: RecordedUnit[];
  /** The shard's groups of the sim sweep that ends a real job, in run order; empty when none ran. */
  sweep: RecordedSweepUnit[];
}

/** A shard.json read back: where from, and its record with the outcomes ready for writeResults (no per-worker results). */
export interface LoadedShard {
  /** The argument as given (a directory or a shard.json). */
  arg: string;
  /** The shard.json read. */
  file: string;
  record: ShardRecord;
}

/**
 * The project's commit: `git rev-parse HEAD` in the project root, or null
 * when the root is not the top of a git checkout (or git is missing).
 */
export function gitCommit(root: string = projectRoot()): string | null {
  try {
    const [top, head] = execFileSync('git', ['rev-parse', '--show-toplevel', 'HEAD'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 10_000 }).trim().split('\n');
    if (realpathSync(top) !== realpathSync(root) || !/^[0-9a-f]{40,64}$/.test(head ?? '')) return null;
    return head;
  } catch {
    return null;
  }
}

/** `value` as JSON with object keys sorted at every level (arrays keep their order). */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** The configuration hash of summary.json's `config`: SHA-256 (hex) of its canonical JSON without {@link NOT_HASHED}. */
export function configHash(config: Record<string, unknown>): string {
  const kept = Object.fromEntries(Object.entries(config).filter(([k]) => !NOT_HASHED.includes(k)));
  return createHash('sha256').update(canonicalJson(kept)).digest('hex');
}

/** Tag of the values JSON cannot hold (NaN, Infinity, -Infinity, undefined), so a record rebuilds the very rows it came from. */
const SPECIAL = '$js';
const SPECIALS: Record<string, unknown> = { NaN, Infinity, '-Infinity': -Infinity, undefined };

/** shard.json text: JSON, with NaN, +-Infinity and undefined properties as `{"$js": "NaN"}`... */
export function shardRecordText(record: ShardRecord): string {
  return JSON.stringify(record, (_key, value: unknown) => {
    if (value === undefined || (typeof value === 'number' && !Number.isFinite(value))) return { [SPECIAL]: String(value) };
    return value;
  }, 1) + '\n';
}

/** The values of parsed shard.json with the tagged ones back (NaN, Infinity, undefined). */
function untag(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(untag);
  if (value === null || typeof value !== 'object') return value;
  const keys = Object.keys(value);
  const tag = (value as Record<string, unknown>)[SPECIAL];
  if (keys.length === 1 && typeof tag === 'string' && tag in SPECIALS) return SPECIALS[tag];
  const out: Record<string, unknown> = {};
  for (const k of keys) out[k] = untag((value as Record<string, unknown>)[k]);
  return out;
}

/** `outcomes` cut into groups of `per`, one per unit. @throws Error when they do not divide (a bug: runJob runs `per` per schedule). */
function perUnit(outcomes: readonly RunOutcome[], units: number, per: number, what: string): RecordedOutcome[][] {
  if (outcomes.length !== units * per) throw new Error(`shard.json: ${outcomes.length} ${what} outcomes for ${units} groups of ${per}`);
  return Array.from({ length: units }, (_, i) => outcomes.slice(i * per, (i + 1) * per).map(({ workers: _w, ...o }) => o));
}

/**
 * The record of a finished shard (`job.opts.shard` set and resolved).
 * @throws Error when the outcomes are not the shard's groups in run order (a bug).
 */
export function shardRecord(job: FinishedJob, commit: string | null): ShardRecord {
  const { opts } = job;
  if (!opts.shard) throw new Error('shardRecord: the job has no --shard');
  const shard = resolveShard(opts.shard);
  const strategies = job.strategies.map((s) => ({ name: s.name, ...(s.columns ? { columns: s.columns } : {}) }));
  const mine = shardUnits(opts.workload, opts.threads, shard);
  if (mine.length !== job.schedules.length) throw new Error(`shard.json: ${job.schedules.length} schedules for ${mine.length} groups`);
  const outcomes = perUnit(job.outcomes, mine.length, opts.repeat * strategies.length, 'run');
  const units = mine.map((u, i) => {
    const s = job.schedules[i];
    const stray = outcomes[i].find((o) => o.row.workload !== s.workload || o.row.threads !== s.threads);
    if (stray) throw new Error(`shard.json: group ${u.key} holds a run of ${stray.row.workload} threads=${stray.row.threads}`);
    return { ...u, schedule: s, outcomes: outcomes[i] };
  });
  const predicted = job.predicted ?? [];
  const sweepUnits = predicted.length === 0 ? [] : shardUnits(opts.workload, opts.simSweep, shard);
  const sweepOutcomes = perUnit(predicted, sweepUnits.length, strategies.length, 'sim sweep');
  return {
    schema_version: SHARD_SCHEMA_VERSION, shard, git_commit: commit, config_hash: configHash(summaryConfig(opts)), seed: opts.seed,
    machine: job.machine, command: job.command, options: { ...opts, shard }, strategies, reference: job.reference ?? null,
    warnings: job.warnings, engine_notes: job.engineNotes ?? [], units, sweep: sweepUnits.map((u, i) => ({ ...u, outcomes: sweepOutcomes[i] })),
  };
}

/** Write shard.json for the finished shard `job` into `dir` (still staging). @throws as {@link shardRecord}. */
export async function writeShardRecord(dir: ResultDir, job: FinishedJob): Promise<void> {
  await dir.write(SHARD_FILE, shardRecordText(shardRecord(job, gitCommit())));
}

const count = z.number().int().nonnegative();
/** Any JSON number, NaN and infinities included (rows may hold them; tagged in the file). */
const anyNumber = z.custom<number>((v) => typeof v === 'number', { message: 'expected a number' });
const cell = z.union([z.string(), anyNumber, z.boolean(), z.null(), z.undefined()]);
const rowOf = z.object({ strategy: z.string().min(1), workload: z.string().min(1), threads: z.number().int().positive(), repeat: count }).catchall(cell);
const latency = z.looseObject({ samples: count, meanNs: anyNumber, sdNs: anyNumber, p50Ns: anyNumber, p99Ns: anyNumber, p999Ns: anyNumber });
const columnSpec = z.looseObject({ name: z.string().min(1), unit: z.string(), description: z.string() });
const outcomeSchema = z.looseObject({
  plan: z.looseObject({ nslabs: count, nareas: count, rules: z.string(), notes: z.array(z.string()) }),
  row: rowOf,
  fragmentation: z.array(rowOf),
  map: latency,
  unmap: latency,
  failuresBySize: z.record(z.string(), count),
  messages: z.array(z.string()),
  verify: z.looseObject({ checkedBytes: count, corruptedBytes: count, overlaps: count }).nullable(),
  areaUsed: z.array(z.looseObject({ tMs: anyNumber, used: z.record(z.string(), anyNumber) })),
  snapshots: z.array(z.looseObject({
    moment: z.enum(['peak', 'end']), tMs: anyNumber, used: count,
    pools: z.array(z.looseObject({ label: z.string(), nslabs: count, nareas: count, states: z.string() })),
  })),
});
const unitFields = { workload: count, threads: count, key: z.string().min(1), outcomes: z.array(outcomeSchema) };

/** What shard.json must hold (checked before use; the data itself is kept as written). */
const ShardRecordSchema = z.looseObject({
  schema_version: z.literal(SHARD_SCHEMA_VERSION, { message: `expected ${SHARD_SCHEMA_VERSION} (this file was written by another version of swiotlb-bench)` }),
  shard: z.looseObject({ index: z.number().int().min(1), count: z.number().int().min(1) }),
  git_commit: z.string().min(1).nullable(),
  config_hash: z.string().regex(/^[0-9a-f]{64}$/, 'expected 64 hex digits (SHA-256)'),
  seed: count,
  machine: z.looseObject({ cores: z.number().int().positive(), cpuModel: z.string(), memoryGiB: anyNumber, node: z.string(), platform: z.string() }),
  command: z.string(),
  options: z.looseObject({
    strategy: z.array(z.string()).min(1), workload: z.array(z.string()).min(1), threads: z.array(z.number().int().positive()).min(1),
    simSweep: z.array(z.number().int().positive()), repeat: z.number().int().positive(), engine: z.enum(['real', 'sim']), seed: count,
  }),
  strategies: z.array(z.looseObject({ name: z.string().min(1), columns: z.looseObject({ throughput: z.array(columnSpec).optional(), fragmentation: z.array(columnSpec).optional() }).optional() })).min(1),
  reference: z.string().nullable(),
  warnings: z.array(z.string()),
  engine_notes: z.array(z.string()),
  units: z.array(z.looseObject({ ...unitFields, schedule: z.looseObject({ workload: z.string().min(1), threads: z.number().int().positive(), facts: z.looseObject({}), mappingSizes: z.array(count) }) })),
  sweep: z.array(z.looseObject(unitFields)),
});

/**
 * What the schema cannot see: the shard inside its count, each group where
 * its positions say (key `WORKLOAD/THREADS` of the options' lists), with
 * repeat x strategies outcomes (strategies for a sweep group).
 * @throws InputError naming the file and field.
 */
function checkConsistent(file: string, r: ShardRecord): void {
  const bad = (field: string, detail: string) => new InputError(`${file}: field '${field}': ${detail}`);
  const o = r.options;
  if (r.shard.index > r.shard.count) throw bad('shard.index', `${r.shard.index} is outside 1..${r.shard.count}`);
  if (r.seed !== o.seed) throw bad('seed', `${r.seed} differs from options.seed ${o.seed}`);
  const check = (units: readonly (ShardUnit & { outcomes: readonly unknown[] })[], field: string, lists: readonly number[], listName: string, per: number, perText: string) => {
    units.forEach((u, i) => {
      if (u.workload >= o.workload.length) throw bad(`${field}[${i}].workload`, `position ${u.workload} is past the ${o.workload.length} workload(s) of options.workload`);
      if (u.threads >= lists.length) throw bad(`${field}[${i}].threads`, `position ${u.threads} is past the ${lists.length} value(s) of options.${listName}`);
      const key = unitKey(o.workload[u.workload], lists[u.threads]);
      if (u.key !== key) throw bad(`${field}[${i}].key`, `'${u.key}' is not '${key}', the group at these positions`);
      if (u.outcomes.length !== per) throw bad(`${field}[${i}].outcomes`, `expected ${per} outcomes (${perText}), found ${u.outcomes.length}`);
    });
  };
  check(r.units, 'units', o.threads, 'threads', o.repeat * r.strategies.length, `repeat ${o.repeat} x ${r.strategies.length} strategies`);
  check(r.sweep, 'sweep', o.simSweep, 'simSweep', r.strategies.length, `one per strategy, ${r.strategies.length}`);
}

/**
 * Read and check one shard: a shard result directory or its shard.json.
 * @throws InputError naming the path (missing, not a shard result) or the
 *   file and field (unparseable JSON, a missing, mistyped or inconsistent field).
 */
export async function readShardRecord(arg: string): Promise<LoadedShard> {
  const info = await stat(arg).catch(() => undefined);
  if (!info) throw new InputError(`${arg}: no such file or directory`);
  const file = info.isDirectory() ? join(arg, SHARD_FILE) : arg;
  const text = await readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') throw new InputError(`${arg}: no ${SHARD_FILE} here: not the result directory of a shard (npm run bench -- --shard i/n writes one)`);
    throw new InputError(`${file}: cannot read: ${err.message}`);
  });
  const record = parseJsonAs(ShardRecordSchema, text, file, untag).json as ShardRecord;
  checkConsistent(file, record);
  return { arg, file, record };
}
