/**
 * `--shard i/n`: this machine's part of a sweep split over n machines. The
 * unit dealt to shards is one (workload, threads) group with all its
 * strategies and repeats, so strategies compared with each other, and a
 * cell's repeats, always run on one machine. The units are sorted by an
 * FNV-1a hash of `workload/threads` and dealt round-robin to shards 1..n,
 * so the assignment depends only on the matrix, never on the machine.
 * The sim sweep that ends a real job is dealt the same way by
 * (workload, CPUs). docs/sharding.md.
 */
import { InvalidArgumentError } from 'commander';
import { InputError } from '../base/errors.js';
import { mixSeed } from '../stats/hash.js';

/** The largest shard count `--shard` accepts. */
export const MAX_SHARDS = 1024;

/** Environment variables `--shard auto/n` reads, in this order: 0-based indices (Kubernetes indexed Jobs, Slurm job arrays). */
export const SHARD_ENV = ['JOB_COMPLETION_INDEX', 'SLURM_ARRAY_TASK_ID'] as const;

/** `--shard` as parsed: a 1-based index, or `auto` (taken from {@link SHARD_ENV} when the job starts), of `count` shards. */
export interface ShardSpec {
  index: number | 'auto';
  count: number;
}

/** A shard with its index known: `index` from 1 to `count`. */
export interface Shard {
  index: number;
  count: number;
}

/** One shard unit: a (workload, threads) group by its positions in `--workload` and `--threads` (or `--sim-sweep`). */
export interface ShardUnit {
  /** Position in the workload list, 0-based. */
  workload: number;
  /** Position in the thread (or sweep CPU) list, 0-based. */
  threads: number;
  /** `WORKLOAD/THREADS` as given, what the assignment hashes. */
  key: string;
}

/**
 * Parse `--shard`: `i/n` (1-based, 1 <= i <= n) or `auto/n`, n from 1 to {@link MAX_SHARDS}.
 * @throws InvalidArgumentError naming the accepted forms (the parser turns it into exit 2).
 */
export function parseShard(value: string): ShardSpec {
  const m = /^\s*(auto|\d+)\s*\/\s*(\d+)\s*$/.exec(value);
  if (!m) throw new InvalidArgumentError(`expected i/n (1-based, e.g. 1/4) or auto/n (i from ${SHARD_ENV.join(' or ')}, 0-based), n from 1 to ${MAX_SHARDS}`);
  const count = Number(m[2]);
  if (count < 1 || count > MAX_SHARDS) throw new InvalidArgumentError(`expected a shard count n from 1 to ${MAX_SHARDS}, got ${m[2]}`);
  if (m[1] === 'auto') return { index: 'auto', count };
  const index = Number(m[1]);
  if (index < 1 || index > count) throw new InvalidArgumentError(`expected a shard index i from 1 to ${count} (1-based: 1/${count} to ${count}/${count}), got ${m[1]}`);
  return { index, count };
}

/**
 * The shard `spec` names; `auto/n` takes the first of {@link SHARD_ENV} that
 * is set (0-based, so the index is the value + 1).
 * @throws InputError when neither variable is set, when its value is not a
 *   non-negative integer, or when it names a shard outside 1..n.
 */
export function resolveShard(spec: ShardSpec, env: Readonly<Record<string, string | undefined>> = process.env): Shard {
  if (spec.index !== 'auto') return { index: spec.index, count: spec.count };
  const n = spec.count;
  const name = SHARD_ENV.find((v) => (env[v] ?? '').trim() !== '');
  if (name === undefined) {
    throw new InputError(`--shard auto/${n}: neither JOB_COMPLETION_INDEX (a Kubernetes indexed Job) nor SLURM_ARRAY_TASK_ID (a Slurm job array) is set; outside those, give the index: --shard i/${n} (1-based)`);
  }
  const text = env[name]!.trim();
  if (!/^\d+$/.test(text)) throw new InputError(`--shard auto/${n}: ${name}='${env[name]}' is not an integer >= 0 (it is the 0-based index of this task)`);
  const index = Number(text) + 1;
  if (index > n) throw new InputError(`--shard auto/${n}: ${name}=${text} (0-based) is shard ${index}, outside 1..${n}: the Job or array has more tasks than --shard's n`);
  return { index, count: n };
}

/** `opts` with `shard` resolved ({@link resolveShard}); unchanged without one. @throws InputError as resolveShard. */
export function withResolvedShard<T extends { shard?: ShardSpec }>(opts: T, env: Readonly<Record<string, string | undefined>> = process.env): T {
  return opts.shard ? { ...opts, shard: resolveShard(opts.shard, env) } : opts;
}

/** The key a unit is hashed by: `WORKLOAD/THREADS`. */
export function unitKey(workload: string, threads: number): string {
  return `${workload}/${threads}`;
}

/**
 * Every unit of the matrix `workloads` x `threads`, in run order (workload
 * major), each with the shard (1-based) it is dealt to out of `count`: the
 * units sorted by FNV-1a of their key (ties by run order), then dealt
 * round-robin, the first to shard 1. Shard k gets a unit when k <= the
 * number of units.
 */
export function dealUnits(workloads: readonly string[], threads: readonly number[], count: number): (ShardUnit & { shard: number })[] {
  const units = workloads.flatMap((w, wi) => threads.map((t, ti) => ({ workload: wi, threads: ti, key: unitKey(w, t) })));
  const order = units.map((u, i) => ({ i, hash: mixSeed(0, u.key) })).sort((a, b) => a.hash - b.hash || a.i - b.i);
  const shardOf = new Array<number>(units.length);
  order.forEach(({ i }, k) => (shardOf[i] = (k % count) + 1));
  return units.map((u, i) => ({ ...u, shard: shardOf[i] }));
}

/**
 * The units `shard` runs, in run order; every unit without a shard. `auto`
 * is resolved from the environment.
 * @throws InputError as {@link resolveShard}.
 */
export function shardUnits(workloads: readonly string[], threads: readonly number[], shard?: ShardSpec): ShardUnit[] {
  if (!shard) return dealUnits(workloads, threads, 1).map(({ shard: _s, ...u }) => u);
  const { index, count } = resolveShard(shard);
  return dealUnits(workloads, threads, count).filter((u) => u.shard === index).map(({ shard: _s, ...u }) => u);
}

/** The console line that says what this shard runs, e.g. `shard 1/2: 2 of 4 (workload, threads) groups: msr-hm0/1, tpcc/2`. */
export function shardLine(shard: ShardSpec, workloads: readonly string[], threads: readonly number[]): string {
  const mine = shardUnits(workloads, threads, shard);
  const { index, count } = resolveShard(shard);
  const total = workloads.length * threads.length;
  const what = mine.length > 0 ? mine.map((u) => u.key).join(', ') : `none (${count} shards for ${total} groups): an empty shard result, for npm run merge`;
  return `shard ${index}/${count}: ${mine.length} of ${total} (workload, threads) groups, each with all its strategies and repeats: ${what}`;
}
