/**
 * The numbers docs/proposals.md states, from the jobs' rows: means over
 * repeats, failure shares, paired ratios to per-cpu-areas, and the smallest
 * pool with no failure in a pool-size sweep.
 */
import { mean } from 'simple-statistics';
import type { ReferenceSummary } from './reference.js';
import type { ThroughputRow } from '../export/columns.js';

/** The rows of `strategy` at `threads` (and `workload`, when given). */
export function rowsOf(rows: readonly ThroughputRow[], strategy: string, threads: number, workload?: string): ThroughputRow[] {
  return rows.filter((r) => r.strategy === strategy && r.threads === threads && (workload === undefined || r.workload === workload));
}

/** Mean of a numeric column over `rows` (NaN when there are none). */
export function meanOf(rows: readonly ThroughputRow[], column: string): number {
  return rows.length === 0 ? NaN : mean(rows.map((r) => Number(r[column])));
}

/** Failed maps as a share of map attempts over `rows`, percent (0 with no attempts). */
export function failurePct(rows: readonly ThroughputRow[]): number {
  const failed = rows.reduce((s, r) => s + r.full_failures, 0);
  const attempts = rows.reduce((s, r) => s + r.maps + r.full_failures, 0);
  return attempts === 0 ? 0 : (100 * failed) / attempts;
}

/** `strategy`'s paired maps/s ratio to the reference at `threads`, as `1.57x (95% CI 1.31-1.89)`, or '' when the job has none. */
export function ratioText(reference: ReferenceSummary | undefined, strategy: string, threads: number): string {
  const e = reference?.entries.find((x) => x.strategy === strategy && x.threads === threads);
  if (!e || !Number.isFinite(e.maps.ratio)) return '';
  const ci = e.maps.low !== undefined && e.maps.high !== undefined ? ` (${Math.round(e.maps.confidence * 100)}% CI ${e.maps.low.toFixed(2)}-${e.maps.high.toFixed(2)})` : '';
  return `${e.maps.ratio.toFixed(2)}x${ci}`;
}

/** One pool size of a sweep and that job's rows. */
export interface SweepPoint {
  mib: number;
  rows: readonly ThroughputRow[];
}

/**
 * The smallest pool (MiB) of `sweep` from which `strategy` at `cpus` had no
 * failed map, at that size and every larger one; undefined when even the
 * largest failed.
 */
export function smallestWithoutFailures(sweep: readonly SweepPoint[], strategy: string, cpus: number): number | undefined {
  const sorted = [...sweep].sort((a, b) => a.mib - b.mib);
  let answer: number | undefined;
  for (let i = sorted.length - 1; i >= 0; i--) {
    const rows = rowsOf(sorted[i].rows, strategy, cpus);
    if (rows.length === 0 || failurePct(rows) > 0) break;
    answer = sorted[i].mib;
  }
  return answer;
}
