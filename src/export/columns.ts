/**
 * The result schema: every column of throughput.csv and fragmentation.csv,
 * declared once with its name, unit and meaning. The row types, the CSV
 * headers, summary.json's `columns`, summary.md's legend and the tables of
 * docs/results.md are all generated from these declarations; a strategy adds
 * its own through `Strategy.columns`, and a column nobody declared is refused
 * when the files are written.
 */
import { type ColumnSpec, columnMatches, numberColumn as num, textColumn as text } from '../base/column.js';
import type { Strategy } from '../model/strategy.js';

/** The `(strategy, workload, threads, repeat)` every row starts with: which run it belongs to. */
const RUN_COLUMNS = [
  text('strategy', "the strategy that ran: a built-in name, or a plug-in's `name`"),
  text('workload', 'the workload: a named one, or `trace:FILE`'),
  num('threads', 'count', 'worker threads, one per simulated CPU'),
] as const;

/** throughput.csv: one row per run (strategy x workload x threads x repeat). */
export const THROUGHPUT_COLUMNS = [
  ...RUN_COLUMNS,
  num('nareas', 'count', "areas per pool in the strategy's plan (after the kernel's rounding)"),
  num('pool_slots', 'slots', "slots of 2 KiB in all pools of the plan when the run starts (nslabs after the kernel's boot rounding; dynamic-growth's boot pool)"),
  text('lock', 'the lock the areas ran with: qspinlock (FIFO spinlock, as the kernel) or mutex (parks; the default when threads outnumber cores)'),
  num('repeat', 'index', 'repeat number, from 0; strategies alternate inside each repeat'),
  num('seconds', 's', 'measured time, mean over workers'),
  num('maps', 'count', 'successful maps in the measured time'),
  num('maps_per_s', 'maps/s', 'successful maps per second, all workers together'),
  num('mib_per_s', 'MiB/s', 'bytes mapped per second, all workers together'),
  num('full_failures', 'count', 'maps that found no free slots ("swiotlb buffer is full")'),
  num('map_mean_ns', 'ns', 'map latency (dma_map_single: slot search and the copy), mean of the sampled successful maps'),
  num('map_sd_ns', 'ns', 'map latency, standard deviation'),
  num('map_p50_ns', 'ns', 'map latency, median'),
  num('map_p99_ns', 'ns', 'map latency, 99th percentile'),
  num('map_p999_ns', 'ns', 'map latency, 99.9th percentile'),
  num('failed_map_mean_ns', 'ns', 'latency of the sampled map attempts that failed ("swiotlb buffer is full"), mean; 0 when none failed'),
  num('failed_map_p50_ns', 'ns', 'latency of the failed map attempts, median'),
  num('failed_map_p99_ns', 'ns', 'latency of the failed map attempts, 99th percentile'),
  num('unmap_mean_ns', 'ns', 'unmap latency (copy-back and release), mean of the sampled unmaps'),
  num('unmap_p50_ns', 'ns', 'unmap latency, median'),
  num('unmap_p99_ns', 'ns', 'unmap latency, 99th percentile'),
  num('slots_scanned_per_map', 'slots', 'candidate slots the area search examined, per map attempt'),
  num('area_fallbacks_per_map', 'count', "areas tried after the CPU's own, per map attempt"),
  num('lock_contended_pct', '%', 'share of lock acquisitions that found the lock held'),
  num('hiwater_slots', 'slots', "io_tlb_used_hiwater over the measured time (reset when measuring starts); with several io_tlb_mems, the largest sampled sum (each node's own mark is node<i>_hiwater_slots). It can exceed pool_slots by a few slots, as the kernel's can: io_tlb_used is raised after the area lock is dropped (inc_used_and_hiwater), so a map can count slots another CPU freed but has not yet subtracted (dec_used); for dynamic-growth it also counts grown and transient pools"),
  num('unmaps', 'count', 'unmaps in the measured time'),
  num('lock_wait_ns_per_map', 'ns', 'time spent waiting for locks, per map attempt'),
  num('latency_samples', 'count', 'successful maps and unmaps timed (about one in --sample-every); failed attempts are timed apart (failed_map_*)'),
  num('handoff_waits', 'count', "times a CPU waited for another CPU's map or unmap (--completion-cpu other)"),
  num('trace_passes', 'count', 'times the workers went through the whole trace'),
  num('io_tlb_used_after', 'slots', 'slots still in use after the workers drained: must be 0'),
  text('engine', 'real: worker threads timed on this machine; sim: the virtual-time engine, whose times (maps/s, latencies, lock waits) are predicted from a calibration (docs/sim.md)'),
  num('sim_fixed_pct', '%', "sim: share of virtual time in the maps' and unmaps' fixed costs (0 for real runs)"),
  num('sim_search_pct', '%', 'sim: share in the slot search and release under the locks, lock pairs included'),
  num('sim_lock_wait_pct', '%', 'sim: share waiting for locks held by other CPUs'),
  num('sim_transfer_pct', '%', 'sim: share moving lock words and counter lines between CPUs (cache-line transfers and lock handoffs)'),
  num('sim_copy_pct', '%', 'sim: share in the bounce copies at local speed'),
  num('sim_remote_pct', '%', 'sim: what remote NUMA memory added to the copies'),
] as const;

/** fragmentation.csv: pool samples, one every --sample-interval ms of the measured time of each run. */
export const FRAGMENTATION_COLUMNS = [
  ...RUN_COLUMNS,
  num('repeat', 'index', 'repeat number, from 0'),
  num('t_ms', 'ms', 'time since measuring started'),
  num('maps_done', 'count', 'maps completed by all workers so far'),
  num('io_tlb_used', 'slots', 'slots in use (debugfs io_tlb_used; with several io_tlb_mems their sum)'),
  num('io_tlb_used_hiwater', 'slots', 'high-water mark of io_tlb_used (with several io_tlb_mems: the largest sampled sum)'),
  num('free_runs', 'count', 'maximal runs of free slots over the whole pool, as the conformance checks count them'),
  num('largest_free_run', 'slots', 'the longest such run'),
  num('unusable_1', 'share 0..1', 'share of free slots in no free run of at least 1 slot inside one 128-slot segment'),
  num('unusable_8', 'share 0..1', 'share of free slots a request of 8 slots (16 KiB) can never use'),
  num('unusable_32', 'share 0..1', 'share of free slots a request of 32 slots (64 KiB) can never use'),
  num('unusable_128', 'share 0..1', 'share of free slots a request of 128 slots (256 KiB) can never use'),
  num('internal_waste_pct', '%', 'share of allocated slot bytes carrying no requested data: slot rounding, the min_align offset, pad slots'),
] as const;

/**
 * Per-io_tlb_mem columns, present when a strategy has several (per-numa-pools:
 * one per node; per-device-pools: one per device). The names keep `node`, the
 * first strategy that had them.
 */
export const PER_NODE_THROUGHPUT_COLUMNS: readonly ColumnSpec[] = [
  num('node<i>_hiwater_slots', 'slots', "io_tlb_mem i's own high-water mark (exact, unlike the sampled sum): node i of per-numa-pools, device i's restricted pool of per-device-pools"),
];
export const PER_NODE_FRAGMENTATION_COLUMNS: readonly ColumnSpec[] = [
  num('node<i>_io_tlb_used', 'slots', "io_tlb_mem i's io_tlb_used at the sample (node i, or device i's pool)"),
];

type RowOf<C extends readonly { name: string; unit: string }[]> = { [K in C[number] as K['name']]: K['unit'] extends '' ? string : number };

/** One throughput.csv row: the declared columns, plus per-node and strategy columns (declared too). */
export type ThroughputRow = RowOf<typeof THROUGHPUT_COLUMNS> & { [extra: string]: string | number };
/** One fragmentation.csv row. */
export type FragmentationRow = RowOf<typeof FRAGMENTATION_COLUMNS> & { [extra: string]: string | number };

/** Which file a header is for. */
export type ResultFile = 'throughput' | 'fragmentation';

/** The strategy facts a header needs: its name and the columns it declares. */
export type ColumnSource = Pick<Strategy, 'name' | 'columns'>;

/**
 * Every column `file` may hold for runs of `strategies`, in header order: the
 * harness's own, the per-node ones, then each strategy's in its order
 * (shared names once).
 */
export function declaredColumns(file: ResultFile, strategies: readonly ColumnSource[]): ColumnSpec[] {
  const own = file === 'throughput' ? [...THROUGHPUT_COLUMNS, ...PER_NODE_THROUGHPUT_COLUMNS] : [...FRAGMENTATION_COLUMNS, ...PER_NODE_FRAGMENTATION_COLUMNS];
  const out: ColumnSpec[] = [...own];
  for (const s of strategies) for (const c of s.columns?.[file] ?? []) if (!out.some((o) => o.name === c.name)) out.push(c);
  return out;
}

/** A column the rows hold that no declaration covers: a strategy that writes a column it did not declare. */
export class UndeclaredColumnError extends Error {
  constructor(file: ResultFile, column: string, strategy: string) {
    super(`${file}.csv: column '${column}' (from strategy ${strategy}) is declared nowhere: add it to the strategy's columns.${file} (name, unit, description)`);
    this.name = 'UndeclaredColumnError';
  }
}

/**
 * The header of `file` for `rows`: the declared columns of the strategies in
 * the rows (matched by name), a per-node pattern expanded to the node numbers
 * present (ascending), and a strategy's column only when its strategy ran.
 * @throws UndeclaredColumnError when a row holds a column no declaration covers.
 */
export function header(file: ResultFile, rows: readonly Record<string, unknown>[], strategies: readonly ColumnSource[]): string[] {
  const ran = new Set(rows.map((r) => String(r.strategy)));
  const specs = declaredColumns(file, strategies.filter((s) => ran.has(s.name)));
  const keys = new Set(rows.flatMap((r) => Object.keys(r)));
  for (const r of rows) {
    for (const k of Object.keys(r)) if (!specs.some((s) => columnMatches(s, k))) throw new UndeclaredColumnError(file, k, String(r.strategy));
  }
  return specs.flatMap((spec) => {
    if (!spec.name.includes('<i>')) return keys.has(spec.name) || isOwnColumn(file, spec.name) ? [spec.name] : [];
    const matches = [...keys].filter((k) => columnMatches(spec, k));
    const node = (k: string) => Number(/\d+/.exec(k)![0]);
    return matches.sort((a, b) => node(a) - node(b));
  });
}

/** True for a column every row of `file` has. */
function isOwnColumn(file: ResultFile, name: string): boolean {
  return (file === 'throughput' ? THROUGHPUT_COLUMNS : FRAGMENTATION_COLUMNS).some((c) => c.name === name);
}

/** The declarations behind a header, for summary.json's `columns` (per-node columns by their pattern, once). */
export function describeColumns(file: ResultFile, names: readonly string[], strategies: readonly ColumnSource[]): ColumnSpec[] {
  const specs = declaredColumns(file, strategies);
  const out: ColumnSpec[] = [];
  for (const n of names) {
    const spec = specs.find((s) => columnMatches(s, n));
    if (spec && !out.includes(spec)) out.push(spec);
  }
  return out;
}
