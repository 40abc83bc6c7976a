/**
 * Failure rates, so that no verdict calls a strategy fastest while it failed
 * more of its maps than another: maps/s counts successful maps only, and a
 * strategy that fails fast can look faster than one that finds room.
 *
 * The rule (docs/comparing.md): a strategy's failure rate on one (workload,
 * threads) is its full failures over its map attempts, summed over repeats.
 * Strategies whose rate is more than {@link FAILURE_MARGIN} above the lowest
 * rate of that group are not ranked by maps/s; they are named with their
 * rate instead.
 */
import type { ThroughputRow } from '../export/columns.js';

/** How far above the lowest failure rate (a share, 0..1) a strategy may fail and still be ranked: 1 percentage point. */
export const FAILURE_MARGIN = 0.01;

/** Full failures over map attempts (maps + full failures) of `rows`, summed over repeats; 0 when nothing was attempted. */
export function failureRate(rows: readonly Pick<ThroughputRow, 'maps' | 'full_failures'>[]): number {
  const failed = rows.reduce((s, r) => s + r.full_failures, 0);
  const attempts = rows.reduce((s, r) => s + r.maps + r.full_failures, 0);
  return attempts > 0 ? failed / attempts : 0;
}

/** A failure rate as a percentage: `0%`, `0.04%`, `38.2%`. */
export function formatFailureRate(rate: number): string {
  if (rate === 0) return '0%';
  const pct = 100 * rate;
  return `${pct < 0.1 ? pct.toPrecision(1) : pct < 10 ? pct.toFixed(2) : pct.toFixed(1)}%`;
}

/** `items` split by the rule: those within the margin of the lowest rate (order kept), and the others. */
export function splitByFailures<T>(items: readonly T[], rate: (item: T) => number, margin = FAILURE_MARGIN): { comparable: T[]; failing: T[]; lowest: number } {
  const lowest = Math.min(...items.map(rate));
  return { comparable: items.filter((i) => rate(i) <= lowest + margin), failing: items.filter((i) => rate(i) > lowest + margin), lowest };
}
