/**
 * A run's rows from what its workers and the sampler report: one
 * throughput.csv row (sums over workers, per-map ratios) and one
 * fragmentation.csv row per pool sample. Column names are those of
 * src/export/columns.ts and the strategy's `columns`.
 */
import type { FragmentationRow, ThroughputRow } from '../export/columns.js';
import type { PoolPlan } from '../model/strategy.js';
import { type LatencySummary, mergeHistograms, summarize } from '../stats/latency.js';
import type { PoolSample } from './pool-sampler.js';
import type { VerifyCounts, WorkerResult } from './task.js';

/** Which run a row belongs to. */
export interface RunKey {
  strategy: string;
  workload: string;
  threads: number;
  repeat: number;
}

/** A run's figures merged over its workers. */
export interface Collected {
  row: ThroughputRow;
  map: LatencySummary;
  unmap: LatencySummary;
  /** Full failures by mapping size (bytes, as text) -> count. */
  failuresBySize: Record<string, number>;
  messages: string[];
  verify: VerifyCounts | null;
}

/** What the sampler knows at the end of a run (slots). */
export interface PoolEnd {
  hiwater: number;
  usedAfter: number;
  /** Each io_tlb_mem's own high-water mark, when there are several. */
  memHiwater: number[];
}

/** Sum of `f` over the workers. */
function total(results: readonly WorkerResult[], f: (r: WorkerResult) => number): number {
  return results.reduce((s, r) => s + f(r), 0);
}

/** Verify counts added up, or null when verify mode was off. */
function mergeVerify(results: readonly WorkerResult[]): VerifyCounts | null {
  const v = results.map((r) => r.verify).filter((x) => x !== null);
  if (v.length === 0) return null;
  return { checkedBytes: v.reduce((s, x) => s + x.checkedBytes, 0), corruptedBytes: v.reduce((s, x) => s + x.corruptedBytes, 0), overlaps: v.reduce((s, x) => s + x.overlaps, 0) };
}

/** The throughput row and latency summaries of one run. `fragmentation` supplies the sampled hiwater. */
export function collectRun(key: RunKey, plan: PoolPlan, results: readonly WorkerResult[], fragmentation: readonly FragmentationRow[], end: PoolEnd): Collected {
  const sum = (f: (r: WorkerResult) => number) => total(results, f);
  const seconds = sum((r) => r.seconds) / results.length;
  const maps = sum((r) => r.maps);
  const attempts = Math.max(1, maps + sum((r) => r.full_failures));
  const map = summarize(mergeHistograms(results.map((r) => r.map_histogram)));
  const unmap = summarize(mergeHistograms(results.map((r) => r.unmap_histogram)));
  const failed = summarize(mergeHistograms(results.map((r) => r.failed_map_histogram)));
  const acquisitions = sum((r) => r.lock_acquisitions);
  const failuresBySize: Record<string, number> = {};
  for (const r of results) for (const [size, n] of r.failures_by_size) failuresBySize[size] = (failuresBySize[size] ?? 0) + n;
  const row: ThroughputRow = {
    strategy: key.strategy,
    workload: key.workload,
    threads: key.threads,
    nareas: plan.nareas,
    pool_slots: plan.nslabs,
    lock: plan.lock ?? 'qspinlock',
    repeat: key.repeat,
    seconds,
    maps,
    maps_per_s: seconds > 0 ? maps / seconds : 0,
    mib_per_s: seconds > 0 ? sum((r) => r.bytes_mapped) / seconds / 2 ** 20 : 0,
    full_failures: sum((r) => r.full_failures),
    map_mean_ns: map.meanNs,
    map_sd_ns: map.sdNs,
    map_p50_ns: map.p50Ns,
    map_p99_ns: map.p99Ns,
    map_p999_ns: map.p999Ns,
    failed_map_mean_ns: failed.meanNs,
    failed_map_p50_ns: failed.p50Ns,
    failed_map_p99_ns: failed.p99Ns,
    unmap_mean_ns: unmap.meanNs,
    unmap_p50_ns: unmap.p50Ns,
    unmap_p99_ns: unmap.p99Ns,
    slots_scanned_per_map: sum((r) => r.slots_scanned) / attempts,
    area_fallbacks_per_map: sum((r) => r.area_fallbacks) / attempts,
    lock_contended_pct: acquisitions > 0 ? (100 * sum((r) => r.lock_contended)) / acquisitions : 0,
    hiwater_slots: Math.max(...fragmentation.map((f) => f.io_tlb_used_hiwater), end.hiwater),
    unmaps: sum((r) => r.unmaps),
    lock_wait_ns_per_map: sum((r) => r.lock_wait_ns) / attempts,
    latency_samples: map.samples + unmap.samples,
    handoff_waits: sum((r) => r.handoff_waits),
    trace_passes: sum((r) => r.trace_passes),
    io_tlb_used_after: end.usedAfter,
    engine: 'real',
    sim_fixed_pct: 0,
    sim_search_pct: 0,
    sim_lock_wait_pct: 0,
    sim_transfer_pct: 0,
    sim_copy_pct: 0,
    sim_remote_pct: 0,
  };
  for (const k of [...new Set(results.flatMap((r) => Object.keys(r.extra)))].sort()) row[k] = sum((r) => r.extra[k] ?? 0);
  if (end.memHiwater.length > 1) end.memHiwater.forEach((h, i) => (row[`node${i}_hiwater_slots`] = h));
  const messages = results.flatMap((r) => r.messages).sort((a, b) => a.ms - b.ms).map((m) => m.text);
  return { row, map, unmap, failuresBySize, messages, verify: mergeVerify(results) };
}

/** One fragmentation.csv row from a pool sample taken `tMs` after measuring started, when `mapsDone` maps were done. */
export function fragmentationRow(key: RunKey, tMs: number, mapsDone: number, s: PoolSample): FragmentationRow {
  return {
    strategy: key.strategy,
    workload: key.workload,
    threads: key.threads,
    repeat: key.repeat,
    t_ms: tMs,
    maps_done: mapsDone,
    io_tlb_used: s.used,
    io_tlb_used_hiwater: s.hiwater,
    free_runs: s.freeRuns,
    largest_free_run: s.largestFreeRun,
    unusable_1: s.unusable[0],
    unusable_8: s.unusable[1],
    unusable_32: s.unusable[2],
    unusable_128: s.unusable[3],
    internal_waste_pct: s.internalWastePct,
    ...(s.perMem.length > 1 ? Object.fromEntries(s.perMem.map((m, i) => [`node${i}_io_tlb_used`, m.used])) : {}),
    ...s.extra,
  };
}
