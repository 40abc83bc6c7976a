/**
 * Warnings after the runs, before the result files are written: runs too
 * short to trust, and repeats that disagree too much to compare. Pure
 * functions over throughput rows.
 */
import type { ThroughputRow } from '../export/columns.js';
import { groupBy } from '../stats/group.js';
import { coefficientOfVariation, relativeRange } from '../stats/spread.js';

/** A run with fewer successful maps than this is too short for stable maps/s and p99. */
export const MIN_MAPS_PER_RUN = 10_000;
/** Largest accepted coefficient of variation (sd / mean) of maps/s across repeats. */
export const MAX_THROUGHPUT_CV = 0.1;
/** Largest accepted spread of map p99 across repeats: (max - min) / median. */
export const MAX_P99_SPREAD = 0.25;

const count = (n: number) => n.toLocaleString('en-US');
const pct = (x: number) => `${Math.round(100 * x)}%`;

/** The throughput.csv columns the post-run checks read. */
export type RunRow = Pick<ThroughputRow, 'strategy' | 'workload' | 'threads' | 'repeat' | 'maps' | 'seconds' | 'maps_per_s' | 'map_p99_ns'> & Partial<Pick<ThroughputRow, 'engine'>>;

/**
 * Runs with fewer than `minMaps` successful maps: one warning naming how many
 * and the shortest, with the `--duration` (seconds) that would reach
 * `minMaps` at the slowest such run's maps/s (plus 20%). Empty when none.
 */
export function shortRunWarnings(rows: RunRow[], duration: number, minMaps = MIN_MAPS_PER_RUN): string[] {
  const short = rows.filter((r) => r.maps < minMaps);
  if (short.length === 0) return [];
  const fewest = short.reduce((a, b) => (b.maps < a.maps ? b : a));
  const slowest = Math.min(...short.map((r) => r.maps_per_s));
  let advice = 'raise --duration';
  if (slowest > 0) {
    const need = Math.max(duration * 2, (1.2 * minMaps) / slowest);
    advice += ` (--duration ${need < 1 ? Math.ceil(need * 10) / 10 : Math.ceil(need)} would reach ${count(minMaps)})`;
  }
  return [`${short.length} of ${rows.length} runs completed fewer than ${count(minMaps)} maps (fewest: ${runName(fewest)} repeat=${fewest.repeat}, ` +
    `${count(fewest.maps)} maps in ${Number(fewest.seconds.toPrecision(3))} s): too few for stable maps/s and p99 latency; ${advice}`];
}

function runName(r: RunRow): string {
  return `${r.strategy} ${r.workload} threads=${r.threads}`;
}

/**
 * Spread across repeats of each strategy x workload x threads: maps/s with a
 * coefficient of variation above 10%, or map p99 whose range exceeds 25% of
 * its median, makes differences of that size noise. The advice: more repeats,
 * and fewer threads than `cores` where a flagged run used as many or more.
 * With one repeat per run, says that no spread can be measured.
 */
export function spreadWarnings(rows: RunRow[], cores: number): string[] {
  const groups = groupBy(rows, runName);
  const repeats = Math.max(0, ...[...groups.values()].map((g) => g.length));
  if (repeats === 0) return [];
  if (repeats === 1) {
    return ['one repeat per run: no run-to-run spread can be measured, so differences between strategies cannot be told from noise; use --repeat 3 or more'];
  }
  const more = Math.max(5, 2 * repeats);
  const out: string[] = [];
  const check = (label: string, value: (g: RunRow[]) => number, limit: number, measure: string) => {
    const bad = [...groups.entries()].map(([name, g]) => ({ name, g, v: value(g) })).filter((x) => x.v > limit).sort((a, b) => b.v - a.v);
    if (bad.length === 0) return;
    const shown = bad.slice(0, 3).map((x) => `${x.name} ${pct(x.v)}`).join(', ') + (bad.length > 3 ? `, and ${bad.length - 3} more` : '');
    const crowded = bad.some((x) => x.g[0].threads >= cores);
    out.push(`${label} varies too much across repeats to compare (${measure} above ${pct(limit)}): ${shown}; ` +
      `use --repeat ${more}${crowded ? `, or fewer threads than the ${cores} cores` : ''}, and keep the machine otherwise idle`);
  };
  check('maps/s', (g) => coefficientOfVariation(g.map((r) => r.maps_per_s)), MAX_THROUGHPUT_CV, 'coefficient of variation');
  check('map p99 latency', (g) => relativeRange(g.map((r) => r.map_p99_ns).filter((x) => Number.isFinite(x) && x > 0)), MAX_P99_SPREAD, 'range over median');
  return out;
}

/** Every post-run warning for the finished rows: short runs, then spread. */
export function postRunWarnings(rows: RunRow[], opts: { duration: number; cores: number }): string[] {
  // Rows of the virtual-time engine have no wall-clock time and no noise: nothing here applies to them.
  const real = rows.filter((r) => r.engine !== 'sim');
  if (real.length === 0) return [];
  return [...shortRunWarnings(real, opts.duration), ...spreadWarnings(real, opts.cores)];
}

/**
 * Notes (not warnings: nothing is wrong) for runs whose hiwater_slots exceeds
 * pool_slots, saying why: the counters' window of the kernel itself, or a
 * pool that grew. One note per strategy, with the largest excess.
 */
export function hiwaterNotes(rows: readonly Pick<ThroughputRow, 'strategy' | 'workload' | 'threads' | 'hiwater_slots' | 'pool_slots'>[]): string[] {
  const over = rows.filter((r) => r.hiwater_slots > r.pool_slots);
  return [...groupBy(over, (r) => r.strategy).entries()].map(([strategy, rs]) => {
    const worst = rs.reduce((a, b) => (b.hiwater_slots - b.pool_slots > a.hiwater_slots - a.pool_slots ? b : a));
    const grows = rs.some((r) => 'io_tlb_nslabs_end' in r);
    const why = grows
      ? 'its pools grow beyond pool_slots (the initial pool) and transient pools count in io_tlb_used too'
      : 'as in the kernel, io_tlb_used is raised after the area lock is dropped (inc_used_and_hiwater), so a map can count slots another CPU freed but has not yet subtracted (dec_used)';
    return `${strategy}: hiwater_slots exceeds pool_slots in ${rs.length} run(s), by up to ${worst.hiwater_slots - worst.pool_slots} slots (${worst.workload} threads=${worst.threads}: ${worst.hiwater_slots} of ${worst.pool_slots}): ${why}`;
  });
}
