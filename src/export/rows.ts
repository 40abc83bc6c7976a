/** Row shapes of throughput.csv and fragmentation.csv (column order = key order). */

export interface ThroughputRow {
  strategy: string;
  workload: string;
  threads: number;
  nareas: number;
  pool_slots: number;
  repeat: number;
  seconds: number;
  maps: number;
  maps_per_s: number;
  mib_per_s: number;
  full_failures: number;
  map_mean_ns: number;
  map_sd_ns: number;
  map_p50_ns: number;
  map_p99_ns: number;
  map_p999_ns: number;
  unmap_mean_ns: number;
  unmap_p50_ns: number;
  unmap_p99_ns: number;
  slots_scanned_per_map: number;
  area_fallbacks_per_map: number;
  lock_contended_pct: number;
  hiwater_slots: number;
  /** Extra columns. */
  unmaps: number;
  lock_wait_ns_per_map: number;
  latency_samples: number;
  handoff_waits: number;
  trace_passes: number;
  io_tlb_used_after: number;
  /** Strategy-specific columns (strategy counters, per-node high-water marks). */
  [extra: string]: string | number;
}

export interface FragmentationRow {
  strategy: string;
  workload: string;
  threads: number;
  repeat: number;
  t_ms: number;
  maps_done: number;
  io_tlb_used: number;
  io_tlb_used_hiwater: number;
  free_runs: number;
  largest_free_run: number;
  unusable_1: number;
  unusable_8: number;
  unusable_32: number;
  unusable_128: number;
  internal_waste_pct: number;
  /** Strategy-specific sampled columns (e.g. io_tlb_nslabs of dynamic-growth). */
  [extra: string]: string | number;
}

/** Rows grouped by `key`, groups and rows in first-seen order. */
export function groupBy<T>(rows: readonly T[], key: (row: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const r of rows) {
    const k = key(r);
    const g = groups.get(k);
    if (g) g.push(r);
    else groups.set(k, [r]);
  }
  return groups;
}

/** The (workload, threads) a row belongs to, as a grouping key. */
export function workloadThreadsKey(row: { workload: string; threads: number }): string {
  return `${row.workload}\u0000${row.threads}`;
}
