/**
 * Warnings that say what to do: before the runs (threads above cores, a pool
 * whose areas or segments cannot hold the workload's largest mapping) and
 * after them (runs too short to trust, repeats that disagree too much to
 * compare). Pure functions over plans, schedules' mapping sizes and
 * throughput rows; the texts go to the console (`warning: ...`) and into
 * summary.json / summary.md.
 */
import { IO_TLB_SEGMENT_BYTES, IO_TLB_SEGSIZE, IO_TLB_SHIFT, IO_TLB_SIZE, PAGE_SIZE, nrSlots } from '../model/constants.js';
import type { PoolOptions, PoolPlan, Strategy } from '../model/strategy.js';
import type { SegmentMode } from '../../workloads/drivers/nvme.js';
import type { Schedule } from '../../workloads/schedule/build.js';
import { max, mean, median, min, sampleStandardDeviation } from 'simple-statistics';
import { type ThroughputRow, groupBy } from '../export/rows.js';

/** A run with fewer successful maps than this is too short for stable maps/s and p99. */
export const MIN_MAPS_PER_RUN = 10_000;
/** Largest accepted coefficient of variation (sd / mean) of maps/s across repeats. */
export const MAX_THROUGHPUT_CV = 0.1;
/** Largest accepted spread of map p99 across repeats: (max - min) / median. */
export const MAX_P99_SPREAD = 0.25;

const count = (n: number) => n.toLocaleString('en-US');
const pct = (x: number) => `${Math.round(100 * x)}%`;

/** `maxThreads` worker threads on `cores` cores: what to do, or null when they fit. */
export function threadsAboveCoresWarning(maxThreads: number, cores: number): string | null {
  if (maxThreads <= cores) return null;
  return `${maxThreads} threads on ${cores} cores: results then include the OS scheduler's effects (workers preempted while holding area locks); ` +
    `to compare lock designs use --threads up to ${cores}, or run on a machine with at least ${maxThreads} cores`;
}

/**
 * Slots one mapping of `bytes` needs at worst with `minAlignMask` (newest
 * rules, no alloc_align_mask): the in-slot offset kept from the original
 * (`mask & 0x7ff`), plus the slots skipped inside a segment until the slot
 * address matches the mask's bits above 2 KiB. So 252 KiB with NVMe's 0xfff
 * takes 128 slots, exactly one segment (swiotlb_max_mapping_size()).
 */
export function worstCaseSlots(bytes: number, minAlignMask: number): number {
  const inSlot = minAlignMask & (IO_TLB_SIZE - 1);
  const skipped = (minAlignMask & (IO_TLB_SEGMENT_BYTES - 1)) >> IO_TLB_SHIFT;
  return nrSlots(bytes + inSlot) + skipped;
}

/** The mapping needing the most slots: its bytes, min_align_mask and worst-case slots. */
export interface LargestMapping {
  bytes: number;
  mask: number;
  slots: number;
}

/** The largest mapping of a schedule, from its per-mapping sizes (bytes) and masks. */
export function largestMapping(sizes: ArrayLike<number>, masks: ArrayLike<number>): LargestMapping {
  let best: LargestMapping = { bytes: 0, mask: 0, slots: 0 };
  for (let i = 0; i < sizes.length; i++) {
    const slots = worstCaseSlots(sizes[i], masks[i]);
    if (slots > best.slots || (slots === best.slots && sizes[i] > best.bytes)) best = { bytes: sizes[i], mask: masks[i], slots };
  }
  return best;
}

/** Which planned pool a fit check is about. */
export interface PoolFitCase {
  strategy: string;
  threads: number;
  workload: string;
  plan: Pick<PoolPlan, 'nslabs' | 'nareas' | 'nodes' | 'maxPoolSlots'>;
  largest: LargestMapping;
  /** `--segment` in use. */
  segment: SegmentMode;
}

/**
 * Before running: can one area of the planned pool hold the largest mapping?
 * A mapping never spans two 128-slot segments (IO_TLB_SEGSIZE, 256 KiB) nor
 * two areas (nslabs / pools / nareas slots each). Growing pools
 * (`maxPoolSlots` set) only have the segment limit: a transient pool takes
 * any mapping up to 256 KiB. Returns the warning, or null when it fits.
 */
export function poolFitWarning(c: PoolFitCase): string | null {
  const { largest, plan } = c;
  const what = `${c.workload}: the largest mapping (${count(largest.bytes)} bytes, ${largest.slots} slots of 2 KiB with min_align_mask 0x${largest.mask.toString(16)})`;
  const fails = 'every such map fails with "swiotlb buffer is full"';
  const pageFits = c.segment === 'max' && worstCaseSlots(Math.min(largest.bytes, PAGE_SIZE), largest.mask) < largest.slots;
  if (largest.slots > IO_TLB_SEGSIZE) {
    const fix = c.segment === 'max' ? 'use --segment page (one mapping per 4 KiB page)' : 'use --segment max (chunks of swiotlb_max_mapping_size())';
    return `${what} is more than one ${IO_TLB_SEGSIZE}-slot segment (256 KiB) can hold, whatever the pool size: ${fails}; ${fix}`;
  }
  if (plan.maxPoolSlots !== undefined) return null;
  const pools = plan.nodes ?? 1;
  const areaSlots = Math.floor(plan.nslabs / pools / plan.nareas);
  if (largest.slots <= areaSlots) return null;
  const fixes = [`raise --pool to at least ${count(largest.slots * plan.nareas * pools)} slots (${(largest.slots * plan.nareas * pools * IO_TLB_SIZE) >> 10}KiB)`];
  const areas = 2 ** Math.floor(Math.log2(Math.max(1, Math.floor(plan.nslabs / pools / largest.slots))));
  if (plan.nareas > 1 && areas < plan.nareas && areas * largest.slots <= plan.nslabs / pools) fixes.push(`lower --areas to ${areas}`);
  if (pageFits) fixes.push('use --segment page (4 KiB mappings)');
  return `${c.strategy} threads=${c.threads}: ${what} does not fit in one area of the planned pool ` +
    `(${count(plan.nslabs)} slots${pools > 1 ? ` in ${pools} pools` : ''}, ${plan.nareas} areas of ${areaSlots} slots; a mapping never spans two areas): ${fails}; ${fixes.join(', or ')}`;
}

/** The throughput.csv columns the post-run checks read. */
export type RunRow = Pick<ThroughputRow, 'strategy' | 'workload' | 'threads' | 'repeat' | 'maps' | 'seconds' | 'maps_per_s' | 'map_p99_ns'>;

/**
 * Runs with fewer than `minMaps` successful maps: one warning naming how many
 * and the shortest, with the `--duration` (seconds) that would reach
 * `minMaps` at the slowest such run's maps/s (plus 20%). Empty when none.
 */
export function shortRunWarnings(rows: RunRow[], durationS: number, minMaps = MIN_MAPS_PER_RUN): string[] {
  const short = rows.filter((r) => r.maps < minMaps);
  if (short.length === 0) return [];
  const fewest = short.reduce((a, b) => (b.maps < a.maps ? b : a));
  const slowest = Math.min(...short.map((r) => r.maps_per_s));
  let advice = 'raise --duration';
  if (slowest > 0) {
    const need = Math.max(durationS * 2, (1.2 * minMaps) / slowest);
    advice += ` (--duration ${need < 1 ? Math.ceil(need * 10) / 10 : Math.ceil(need)} would reach ${count(minMaps)})`;
  }
  return [`${short.length} of ${rows.length} runs completed fewer than ${count(minMaps)} maps (fewest: ${runName(fewest)} repeat=${fewest.repeat}, ` +
    `${count(fewest.maps)} maps in ${Number(fewest.seconds.toPrecision(3))} s): too few for stable maps/s and p99 latency; ${advice}`];
}

function runName(r: RunRow): string {
  return `${r.strategy} ${r.workload} threads=${r.threads}`;
}

/** Sample coefficient of variation (sd / mean) of `xs`; 0 for fewer than 2 values or a zero mean. */
export function coefficientOfVariation(xs: number[]): number {
  if (xs.length < 2) return 0;
  const m = mean(xs);
  return m === 0 ? 0 : sampleStandardDeviation(xs) / m;
}

/** (max - min) / median of `xs`; 0 for fewer than 2 values or a zero median. */
export function relativeRange(xs: number[]): number {
  if (xs.length < 2) return 0;
  const mid = median(xs);
  return mid > 0 ? (max(xs) - min(xs)) / mid : 0;
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
export function postRunWarnings(rows: RunRow[], opts: { durationS: number; cores: number }): string[] {
  return [...shortRunWarnings(rows, opts.durationS), ...spreadWarnings(rows, opts.cores)];
}

/**
 * {@link poolFitWarning} for every strategy x schedule, each with the
 * strategy's plan for that schedule's thread count. A plan that throws (bad
 * --nodes and the like) is skipped: the run itself reports it. Duplicates dropped.
 */
export function poolFitWarnings(strategies: Strategy[], schedules: Iterable<Schedule>, pool: PoolOptions, segment: SegmentMode): string[] {
  const out = new Set<string>();
  for (const schedule of schedules) {
    const largest = largestMapping(new Int32Array(schedule.size), new Int32Array(schedule.mask));
    for (const strategy of strategies) {
      let plan: PoolPlan;
      try {
        plan = strategy.plan({ ...pool, threads: schedule.threads });
      } catch {
        continue;
      }
      const w = poolFitWarning({ strategy: strategy.name, threads: schedule.threads, workload: schedule.workload, plan, largest, segment });
      if (w) out.add(w);
    }
  }
  return [...out];
}
