/**
 * sizing.csv: one row per (workload, strategy, CPUs) of `npm run size`, every
 * column declared once here (the CSV header, sizing.json's `columns` and the
 * table of docs/sizing.md come from it). `<i>` stands for a VM memory size in
 * GiB (`coco_<i>gib_mib` is `coco_8gib_mib` for `--vm-memory 8`).
 */
import { type ColumnSpec, numberColumn as num, textColumn as text } from '../base/column.js';

export const SIZING_COLUMNS = [
  text('workload', 'the workload'),
  text('strategy', 'the strategy'),
  num('cpus', 'count', 'CPUs of the replay, and num_possible_cpus() for the area count'),
  text('seeds', 'seeds replayed (generated workloads), or `trace` (replayed once)'),
  text('kind', 'static: the smallest pool searched; dynamic: replayed from the kernel default pool, growing (CONFIG_SWIOTLB_DYNAMIC)'),
  num('nareas', 'count', 'areas per pool at the answer'),
  num('min_pool_slots', 'slots', "static: the smallest pool (after the kernel's rounding) whose replay has no \"swiotlb buffer is full\" failure, largest over the seeds; empty when even the largest pool searched fails"),
  num('min_pool_mib', 'MiB', 'min_pool_slots in MiB'),
  num('floor_mib', 'MiB', "static: the smallest pool this strategy's rounding allows at these CPUs (IO_TLB_SEGSIZE slots per area, as round_up_default_nslabs() does): a min_pool equal to it is as low as the search can go at this many areas"),
  num('rate_pool_mib', 'MiB', 'static: the smallest pool whose failures stay at or under --max-failure-rate of map attempts, largest over the seeds'),
  num('searched_up_to_mib', 'MiB', "static: the largest candidate pool (a 1 GiB request after the strategy's rounding)"),
  num('hiwater_slots', 'slots', "io_tlb_used_hiwater, what debugfs would show: static, of the replay at min_pool for the seed that needed the largest pool; dynamic, all pools, largest over the seeds"),
  num('min_pool_over_hiwater', 'ratio', 'min_pool_slots / hiwater_slots: above 1 is the pool the failures need beyond the peak use (fragmentation, areas, and the power-of-two rounding)'),
  num('failures', 'count', 'static: failures at min_pool (0 by definition); dynamic: "swiotlb buffer is full" failures of the replay, largest over the seeds'),
  num('attempts', 'count', 'map attempts of the replay (one seed)'),
  num('peak_memory_mib', 'MiB', 'dynamic: the boot pool plus the most growth and transient pools held at once, largest over the seeds'),
  num('growths', 'count', 'dynamic: pools the growth work added, largest over the seeds'),
  num('transient_pools', 'count', 'dynamic: transient pools made, largest over the seeds'),
  num('failures_no_fit', 'count', 'dynamic: of the failures, those whose transient pool was made but could not place the buffer: it has exactly nr_slots(size) slots from a page boundary, so a min_align_mask offset that needs a later first slot does not fit (swiotlb_find_slots() frees it and fails)'),
  num('failures_no_pages', 'count', 'dynamic: of the failures, those whose transient pool got no pages (the budget spent, or no free block of its order)'),
  num('failures_oversize', 'count', 'dynamic: of the failures, those refused before any search: a padded size over one segment (256 KiB), newest kernel'),
  num('probes', 'count', 'replays run for this row (all seeds)'),
  num('real_failures', 'count', 'real threads at min_pool for --check-duration (CPU counts up to the cores only): failures, reported whatever they are; empty when not checked'),
  num('real_attempts', 'count', 'real threads: map attempts of that check'),
  num('coco_<i>gib_mib', 'MiB', "the default pool of a confidential VM with i GiB: 6% of memory clamped to [64 MiB, 1 GiB], swiotlb_adjust_size(), then round_up_default_nslabs() for this many CPUs"),
  num('coco_<i>gib_spare_mib', 'MiB', 'static: that pool less min_pool: positive is memory wasted, negative is how much it is short by (empty when min_pool was not found)'),
] as const satisfies readonly ColumnSpec[];

/** One sizing.csv row: every column by name (empty cells left out). */
export type SizingRow = Record<string, string | number>;

/** The header for `vmGiB` memory sizes: the declared names, `<i>` columns once per size. */
export function sizingHeader(vmGiB: readonly number[]): string[] {
  const fixed = SIZING_COLUMNS.filter((c) => !c.name.includes('<i>')).map((c) => c.name);
  const perVm = vmGiB.flatMap((g) => SIZING_COLUMNS.filter((c) => c.name.includes('<i>')).map((c) => c.name.replace('<i>', String(g))));
  return [...fixed, ...perVm];
}
