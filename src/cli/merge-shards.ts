/**
 * What `npm run merge` checks and what it writes: the shards of one sharded
 * bench (each a shard.json, shard-record.ts) must be shards 1..n of one n,
 * each once, of one configuration, seed and commit, and (real engine) of one
 * kind of machine; their outcomes are then put back in the order the
 * unsharded job runs them (workload x threads x repeat x strategy, as
 * src/run/job.ts loops) as one FinishedJob for writeResults, so the merged
 * result directory is the one an unsharded run would have written.
 */
import { InputError } from '../base/errors.js';
import type { MachineFacts } from '../export/machine.js';
import type { RunOutcome } from '../run/run-one.js';
import { type FinishedJob, summaryConfig } from './bench-outputs.js';
import { dealUnits } from './shard.js';
import { type LoadedShard, type RecordedOutcome, type RecordedSweepUnit, configHash } from './shard-record.js';

/** Where the merged result goes: `--out` (results root) and `--label` (absent: the shards'). */
export interface MergeTarget {
  out: string;
  label?: string;
}

/** A shard as messages name it: `DIR (2/4)`. */
function named(s: LoadedShard): string {
  return `${s.arg} (${s.record.shard.index}/${s.record.shard.count})`;
}

/** A machine as messages name it: `2 x AMD EPYC 7B13, Node v20.20.2`. */
function machineText(m: MachineFacts): string {
  return `${m.cores} x ${m.cpuModel}, Node ${m.node}`;
}

/** The shards grouped by `key`, in first-seen order. */
function groupBy(shards: readonly LoadedShard[], key: (s: LoadedShard) => string): Map<string, LoadedShard[]> {
  const by = new Map<string, LoadedShard[]>();
  for (const s of shards) by.set(key(s), [...(by.get(key(s)) ?? []), s]);
  return by;
}

/** @throws InputError `lead: VALUE in DIR (i/n), ...; VALUE in ...; advice` when the shards do not all share `key`. */
function refuseDiffering(shards: readonly LoadedShard[], key: (s: LoadedShard) => string, lead: string, advice: string): void {
  const by = groupBy(shards, key);
  if (by.size <= 1) return;
  throw new InputError(`${lead}: ${[...by].map(([v, ss]) => `${v} in ${ss.map(named).join(', ')}`).join('; ')}; ${advice}`);
}

/** @throws InputError unless every shard 1..n of the first shard's n is there exactly once. */
function checkPresence(shards: readonly LoadedShard[]): void {
  const n = shards[0].record.shard.count;
  const byIndex = groupBy(shards, (s) => String(s.record.shard.index));
  const missing = Array.from({ length: n }, (_, i) => i + 1).filter((i) => !byIndex.has(String(i)));
  const twice = [...byIndex.values()].filter((ss) => ss.length > 1);
  if (missing.length === 0 && twice.length === 0) return;
  const parts = [
    ...(missing.length ? [`missing shard${missing.length > 1 ? 's' : ''} ${missing.map((i) => `${i}/${n}`).join(', ')}`] : []),
    ...twice.map((ss) => `shard ${ss[0].record.shard.index}/${n} given ${ss.length} times (${ss.map((s) => s.arg).join(', ')})`),
  ];
  throw new InputError(`${parts.join('; ')}: give each of the ${n} shards exactly once (given: ${shards.map(named).join(', ')})`);
}

/** Positions of units as text, for comparing a shard's groups with those dealt to it. */
function positions(units: readonly { workload: number; threads: number }[]): string {
  return units.map((u) => `${u.workload}:${u.threads}`).join(',');
}

/**
 * @throws InputError naming the file when a shard's hash is not that of its
 *   own options, or its groups (and sim sweep groups) are not those dealt to it.
 */
function checkOwnRecord(s: LoadedShard): void {
  const { record: r, file } = s;
  const o = r.options;
  const hash = configHash(summaryConfig({ ...o, shard: undefined }));
  if (hash !== r.config_hash) throw new InputError(`${file}: field 'config_hash': ${r.config_hash.slice(0, 12)}... is not the hash of its options (${hash.slice(0, 12)}...): the file was edited, or written by another version`);
  const dealt = dealUnits(o.workload, o.threads, r.shard.count).filter((u) => u.shard === r.shard.index);
  if (positions(dealt) !== positions(r.units)) {
    throw new InputError(`${file}: field 'units': holds ${r.units.map((u) => u.key).join(', ') || 'no group'}, but shard ${r.shard.index}/${r.shard.count} is dealt ${dealt.map((u) => u.key).join(', ') || 'no group'}`);
  }
  const sweep = dealUnits(o.workload, o.simSweep, r.shard.count).filter((u) => u.shard === r.shard.index);
  if (r.sweep.length > 0 && positions(sweep) !== positions(r.sweep)) {
    throw new InputError(`${file}: field 'sweep': holds ${r.sweep.map((u) => u.key).join(', ')}, but shard ${r.shard.index}/${r.shard.count} is dealt ${sweep.map((u) => u.key).join(', ') || 'no group'} of the sim sweep`);
  }
}

/**
 * Check that `shards` are one sharded run, whole: the same shard count, each
 * of shards 1..n exactly once, the same configuration hash, seed and git
 * commit, each record consistent with its options, and for the real engine
 * the same machine (CPU model, cores, Node version); `--engine sim` shards
 * are deterministic and may come from different machines.
 * @throws InputError naming the shards (directories as given) and what differs.
 */
export function checkShards(shards: readonly LoadedShard[]): void {
  if (shards.length === 0) throw new InputError('merge needs the result directories of the shards of one run (npm run bench -- --shard i/n), one per shard');
  refuseDiffering(shards, (s) => `n=${s.record.shard.count}`, 'the shards are of different shard counts', 'give the shards of one sweep, all run with --shard i/n of one n');
  checkPresence(shards);
  const rerun = 'merge only shards of one npm run bench command (they may differ in --shard, --out, --label, --progress, --debug only)';
  refuseDiffering(shards, (s) => s.record.config_hash.slice(0, 12), 'the shards ran different configurations (config_hash)', rerun);
  refuseDiffering(shards, (s) => `--seed ${s.record.seed}`, 'the shards ran with different seeds', rerun);
  refuseDiffering(shards, (s) => s.record.git_commit ?? 'no git checkout', 'the shards ran different code (git commit)', 'run every shard from one commit');
  for (const s of shards) checkOwnRecord(s);
  if (shards[0].record.options.engine === 'real') {
    refuseDiffering(shards, (s) => machineText(s.record.machine), 'these real-engine shards ran on different machines, and timings from different machines are not pooled into one result',
      'run every shard of a real-engine sweep on the same kind of machine (CPU model, cores, Node version), or keep the runs apart and compare them with npm run compare; --engine sim shards may come from different machines');
  }
}

/** The items of `lists`, each once, in first-seen order. */
function unique(lists: readonly (readonly string[])[]): string[] {
  return [...new Set(lists.flat())];
}

/** A recorded outcome as writeResults takes it (the per-worker results are not recorded). */
function outcomeOf(o: RecordedOutcome): RunOutcome {
  return { ...o, workers: [] };
}

/**
 * The unsharded job that `shards` (checked by {@link checkShards}) are the
 * parts of, for writeResults: shard 1's options without `--shard`, with the
 * merge's `--out` and `--label`; shard 1's machine; every shard's pre-run
 * warnings and engine notes, each once, in shard order; the groups and their
 * outcomes in the unsharded run order (workload x threads, then repeat x
 * strategy within a group as each shard ran them), the sim sweep's likewise.
 */
export function mergedJob(shards: readonly LoadedShard[], target: MergeTarget, command: string): FinishedJob {
  const sorted = [...shards].sort((a, b) => a.record.shard.index - b.record.shard.index);
  const first = sorted[0].record;
  const opts = { ...first.options, shard: undefined, out: target.out, label: target.label ?? first.options.label };
  const byPosition = (width: number) => (a: { workload: number; threads: number }, b: { workload: number; threads: number }) => a.workload * width + a.threads - (b.workload * width + b.threads);
  const units = sorted.flatMap((s) => s.record.units).sort(byPosition(opts.threads.length));
  const sweep: RecordedSweepUnit[] = sorted.flatMap((s) => s.record.sweep).sort(byPosition(opts.simSweep.length));
  const machines = groupBy(sorted, (s) => machineText(s.record.machine));
  const fromMany = machines.size > 1
    ? [`the shards ran on different machines (${[...machines].map(([m, ss]) => `${m}: ${ss.map((s) => `${s.record.shard.index}/${s.record.shard.count}`).join(', ')}`).join('; ')}); the virtual-time engine is deterministic, so the results are those of one; machine is shard 1's`]
    : [];
  return {
    command, opts, machine: first.machine,
    warnings: [...unique(sorted.map((s) => s.record.warnings)), ...fromMany],
    strategies: first.strategies,
    schedules: units.map((u) => u.schedule),
    outcomes: units.flatMap((u) => u.outcomes.map(outcomeOf)),
    predicted: sweep.flatMap((u) => u.outcomes.map(outcomeOf)),
    engineNotes: unique(sorted.map((s) => s.record.engine_notes)),
    reference: first.reference ?? undefined,
  };
}

/**
 * summary.json's `command` of a merge: the merge as typed, then which shard
 * is which directory, then the bench command the shards ran (shard 1's,
 * without its `--shard`).
 */
export function mergeCommandText(argv: readonly string[], shards: readonly LoadedShard[]): string {
  const sorted = [...shards].sort((a, b) => a.record.shard.index - b.record.shard.index);
  const bench = sorted[0].record.command.replace(/\s--shard(?:=|\s+)\S+/, '');
  return `npm run merge -- ${argv.join(' ')} (merges shards ${sorted.map((s) => `${s.record.shard.index}/${s.record.shard.count} ${s.arg}`).join(', ')} of: ${bench})`;
}
