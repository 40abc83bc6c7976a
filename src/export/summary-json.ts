/**
 * summary.json: everything a run measured, in one file that `npm run compare`
 * and other tools read back (read-summary.ts). Options appear under their
 * flag names (`config`), every column with its unit and meaning (`columns`).
 */
import type { ColumnSpec } from '../base/column.js';
import type { PoolPlan } from '../model/strategy.js';
import type { LatencySummary } from '../stats/latency.js';
import type { FragmentationRow, ThroughputRow } from './columns.js';
import type { MachineFacts } from './machine.js';

/** One run's series and facts beyond its throughput row. */
export interface RunRecord {
  strategy: string;
  workload: string;
  threads: number;
  repeat: number;
  map_latency_ns: LatencySummary;
  unmap_latency_ns: LatencySummary;
  /** Full failures by mapping size (bytes, as text) -> count. */
  failures_by_size: Record<string, number>;
  messages: string[];
  verify: { checkedBytes: number; corruptedBytes: number; overlaps: number } | null;
  /** Slots in use per area at each sample: `t_ms` and one key per area label. */
  area_used: Record<string, number>[];
}

/** The whole file. */
export interface SummaryJson {
  /** The command line as typed. */
  command: string;
  /** Every option by flag name (`duration`, `max-pool`...), parsed values (units in docs/options.md). */
  config: Record<string, unknown>;
  machine: MachineFacts;
  warnings: string[];
  /** Each strategy's plan per thread count, keyed `STRATEGY threads=N`. */
  plans: Record<string, PoolPlan>;
  /** Each workload's facts per thread count, keyed `WORKLOAD threads=N`. */
  workloads: Record<string, unknown>;
  /** The declarations of the columns below: name, unit, description. */
  columns: { throughput: ColumnSpec[]; fragmentation: ColumnSpec[] };
  throughput: ThroughputRow[];
  /** The virtual-time engine's sweep after a real job (scaling-sim.csv); empty when none. */
  predicted_scaling: ThroughputRow[];
  fragmentation: FragmentationRow[];
  runs: RunRecord[];
  /** Per (workload, threads): the strategies fastest first (src/analysis/ranking.ts). */
  rankings: object[];
  /** `--reference`: ratios to one strategy (src/analysis/reference.ts). */
  reference?: object;
}

/** summary.json as text. */
export function summaryJsonText(summary: SummaryJson): string {
  return JSON.stringify(summary, null, 2) + '\n';
}
