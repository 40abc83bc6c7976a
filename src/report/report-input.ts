/**
 * Everything the charts and the HTML report are drawn from: the rows of
 * throughput.csv and fragmentation.csv plus per-run series that only live in
 * memory (per-area use, pool snapshots) and the workloads' mapping sizes.
 */
import type { AreaSample, PoolSnapshot } from '../export/run-series.js';
import type { FragmentationRow, ThroughputRow } from '../export/columns.js';
import { IO_TLB_SIZE } from '../model/constants.js';

/** One run's series. */
export interface ReportRun {
  strategy: string;
  workload: string;
  threads: number;
  repeat: number;
  /** Full failures by padded mapping size (bytes, as text) -> count. */
  failuresBySize: Record<string, number>;
  areaUsed: AreaSample[];
  /** Present for the runs chosen for pool-map.png. */
  snapshots?: PoolSnapshot[];
}

/** A whole job's data for the charts; built by bench/report-input-of.ts from the runs. */
export interface ReportInput {
  /** The command line, for titles and the report header. */
  command: string;
  repeats: number;
  /** `--duration`, seconds. */
  duration: number;
  rows: ThroughputRow[];
  /** Rows the virtual-time engine predicted (the sweep after a real job; empty when none). */
  predicted: ThroughputRow[];
  fragmentation: FragmentationRow[];
  runs: ReportRun[];
  /** Per workload: mappings per trace pass in each {@link SIZE_BUCKETS} bucket. */
  mappingSizes: Record<string, number[]>;
}

/** Upper bounds (bytes) of the mapping-size buckets: 1, 2, 4 ... 128 slots (one segment). */
export const SIZE_BUCKETS = [1, 2, 4, 8, 16, 32, 64, 128].map((slots) => slots * IO_TLB_SIZE);

/** Bucket labels: `<=2 KiB` ... `<=256 KiB`, then `>256 KiB`. */
export const SIZE_LABELS = [...SIZE_BUCKETS.map((b) => `≤${b / 1024} KiB`), '>256 KiB'];

/** Index into {@link SIZE_LABELS} of a size in bytes. */
export function sizeBucket(bytes: number): number {
  const i = SIZE_BUCKETS.findIndex((b) => bytes <= b);
  return i < 0 ? SIZE_BUCKETS.length : i;
}

/**
 * Histogram over {@link SIZE_LABELS} of mapping sizes as the slot search sees
 * them: bytes plus the in-slot offset swiotlb_align_offset() keeps
 * (`orig & min_align_mask & (IO_TLB_SIZE - 1)`, dma-direct's case), the size
 * full failures are counted by.
 * @param sizes bytes per mapping; `origs` physical addresses; `masks` min_align_mask per mapping.
 */
export function sizeHistogram(sizes: ArrayLike<number>, origs: ArrayLike<number>, masks: ArrayLike<number>): number[] {
  const counts = new Array<number>(SIZE_LABELS.length).fill(0);
  for (let i = 0; i < sizes.length; i++) counts[sizeBucket(sizes[i] + ((origs[i] % IO_TLB_SIZE) & masks[i]))]++;
  return counts;
}

/** Names in first-seen order. */
export function uniq<T>(items: T[]): T[] {
  return [...new Set(items)];
}

/** Strategies, workloads and thread counts of a run, in the order they ran. */
export function dimensions(input: ReportInput): { strategies: string[]; workloads: string[]; threads: number[] } {
  return {
    strategies: uniq(input.rows.map((r) => r.strategy)),
    workloads: uniq(input.rows.map((r) => r.workload)),
    threads: uniq(input.rows.map((r) => r.threads)).sort((a, b) => a - b),
  };
}

/** The run facts for figure titles: `global-lock, per-cpu-areas · msr-hm0, tpcc · 1,2 threads · 3 x 2 s`. */
export function runFacts(input: ReportInput): string {
  const d = dimensions(input);
  return `${d.strategies.join(', ')} · ${d.workloads.join(', ')} · ${d.threads.join(',')} threads · ${input.repeats} x ${input.duration} s`;
}
