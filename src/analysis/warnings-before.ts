/**
 * Warnings before the runs, that say what to do: threads above cores, and a
 * planned pool whose areas or segments cannot hold the workload's largest
 * mapping. Pure functions over plans and schedules' mapping sizes; the texts
 * go to the console (`warning: ...`) and into summary.json / summary.md.
 */
import { IO_TLB_SEGMENT_BYTES, IO_TLB_SEGSIZE, IO_TLB_SHIFT, IO_TLB_SIZE, PAGE_SIZE, allocatedSlots, nrSlots } from '../model/constants.js';
import type { LockKind } from '../model/lock.js';
import type { PoolPlan, Strategy } from '../model/strategy.js';
import type { SegmentMode } from '../../workloads/drivers/nvme.js';
import type { Schedule } from '../../workloads/schedule/build.js';


const count = (n: number) => n.toLocaleString('en-US');

/** The machine's warnings for a job of up to `maxThreads` threads: threads above cores, and a spinlock chosen for them, with what to do. */
export function machineWarnings(cores: number, maxThreads: number, lock?: LockKind): string[] {
  const w = threadsAboveCoresWarning(maxThreads, cores);
  const spin = lock === 'qspinlock' && maxThreads > cores
    ? `--lock qspinlock with ${maxThreads} threads on ${cores} cores: a waiter the OS preempts stalls every CPU queued behind it (the kernel never preempts a spinning CPU), so latencies measure the OS scheduler; leave --lock out (the mutex then runs) or use --threads up to ${cores}`
    : null;
  return [w, spin].filter((x): x is string => x !== null);
}

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
 * With an `allocAlignMask` (iommu-dma's granule - 1) the allocation is the
 * kept offset (at most `minAlignMask & (allocAlignMask | 0x7ff)`) plus the
 * bytes, rounded up to the granule, starting on one.
 */
export function worstCaseSlots(bytes: number, minAlignMask: number, allocAlignMask = 0): number {
  // The worst original sets every min_align_mask bit.
  if (allocAlignMask !== 0) return allocatedSlots(minAlignMask, bytes, minAlignMask, allocAlignMask);
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

/** The largest mapping of a schedule, from its per-mapping sizes (bytes), min_align_masks and alloc_align_masks (none: 0). */
export function largestMapping(sizes: ArrayLike<number>, masks: ArrayLike<number>, allocMasks?: ArrayLike<number>): LargestMapping {
  let best: LargestMapping = { bytes: 0, mask: 0, slots: 0 };
  for (let i = 0; i < sizes.length; i++) {
    const slots = worstCaseSlots(sizes[i], masks[i], allocMasks?.[i] ?? 0);
    if (slots > best.slots || (slots === best.slots && sizes[i] > best.bytes)) best = { bytes: sizes[i], mask: masks[i], slots };
  }
  return best;
}

/** Which planned pool a fit check is about. */
export interface PoolFitCase {
  strategy: string;
  threads: number;
  workload: string;
  plan: Pick<PoolPlan, 'nslabs' | 'nareas' | 'nodes' | 'maxPoolSlots' | 'deviceSlots' | 'childSets'>;
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
  // Device pools: the smallest one (every device maps only in its own); node pools: an equal share.
  const pools = plan.deviceSlots ? plan.deviceSlots.length : (plan.childSets ?? plan.nodes ?? 1);
  const areaSlots = plan.deviceSlots ? Math.min(...plan.deviceSlots) : Math.floor(plan.nslabs / pools / plan.nareas);
  if (largest.slots <= areaSlots) return null;
  const fixes = plan.deviceSlots
    ? [`give each device at least --device-pool ${(largest.slots * IO_TLB_SIZE) >> 10}KiB`]
    : [`raise --pool to at least ${count(largest.slots * plan.nareas * pools)} slots (${(largest.slots * plan.nareas * pools * IO_TLB_SIZE) >> 10}KiB)`];
  const areas = 2 ** Math.floor(Math.log2(Math.max(1, Math.floor(plan.nslabs / pools / largest.slots))));
  if (plan.nareas > 1 && areas < plan.nareas && areas * largest.slots <= plan.nslabs / pools) fixes.push(`lower --areas to ${areas}`);
  if (pageFits) fixes.push('use --segment page (4 KiB mappings)');
  return `${c.strategy} threads=${c.threads}: ${what} does not fit in one area of the planned pool ` +
    `(${count(plan.nslabs)} slots${pools > 1 ? ` in ${pools} pools` : ''}, ${plan.nareas} areas of ${areaSlots} slots; a mapping never spans two areas): ${fails}; ${fixes.join(', or ')}`;
}

/** A strategy's plan for a run at `threads` CPUs of a workload with `devices` devices (1 when absent). */
export type PlanOf = (strategy: Strategy, threads: number, devices?: number) => PoolPlan;

/** {@link poolFitWarning} for every strategy x schedule, each with the strategy's plan for that schedule's thread count. Duplicates dropped. */
export function poolFitWarnings(strategies: Strategy[], schedules: Iterable<Schedule>, planOf: PlanOf, segment: SegmentMode): string[] {
  const out = new Set<string>();
  for (const schedule of schedules) {
    const largest = largestMapping(new Int32Array(schedule.size), new Int32Array(schedule.mask), new Int32Array(schedule.allocMask));
    for (const strategy of strategies) {
      const w = poolFitWarning({ strategy: strategy.name, threads: schedule.threads, workload: schedule.workload, plan: planOf(strategy, schedule.threads, schedule.devices), largest, segment });
      if (w) out.add(w);
    }
  }
  return [...out];
}

const mib = (bytes: number) => `${Number((bytes / 2 ** 20).toPrecision(3))} MiB`;

/**
 * A workload whose peak bytes in flight (on its own timeline, which the
 * replay keeps) exceed a strategy's pool: its maps will fail with "swiotlb
 * buffer is full", which measures the pool's exhaustion, not the allocator's
 * speed. For growing pools the budget (`maxPoolSlots`) counts. One warning
 * per workload, naming the strategies and the `--pool` that would hold it.
 */
export function inflightWarnings(strategies: Strategy[], schedules: Iterable<Schedule>, planOf: PlanOf): string[] {
  const out = new Map<string, string>();
  for (const schedule of schedules) {
    const peak = schedule.facts.peakInflightBytes;
    const short = strategies.filter((s) => {
      const plan = planOf(s, schedule.threads, schedule.devices);
      return peak > (plan.maxPoolSlots ?? plan.nslabs) * IO_TLB_SIZE;
    });
    if (short.length === 0 || out.has(schedule.workload)) continue;
    const pools = short.map((s) => `${s.name} ${mib((planOf(s, schedule.threads, schedule.devices).maxPoolSlots ?? planOf(s, schedule.threads, schedule.devices).nslabs) * IO_TLB_SIZE)}`).join(', ');
    const need = 2 ** Math.ceil(Math.log2(peak / 2 ** 20));
    out.set(schedule.workload, `${schedule.workload}: up to ${mib(peak)} in flight at its peak (${count(schedule.facts.peakInflightMappings)} mappings at once on the trace's timeline), ` +
      `more than the pool of ${pools}: maps will fail with "swiotlb buffer is full" and the run measures pool exhaustion; ` +
      `${need <= 1024 ? `use --pool ${need}MiB or more to measure the allocator, ` : ''}or keep it to study failures`);
  }
  return [...out.values()];
}

/**
 * Strategies of one job whose pools differ in size at the same thread
 * count (dynamic-growth starts at 1 MiB, the others at 64 MiB): maps/s then
 * also compares cache footprints. Empty when `--pool` was given or all agree.
 */
export function poolSizeWarnings(strategies: Strategy[], threads: readonly number[], planOf: PlanOf, poolGiven: boolean, devices: readonly number[] = [1]): string[] {
  if (strategies.length < 2) return [];
  const t = Math.max(...threads);
  const out = new Set<string>();
  for (const d of devices) {
    const sizes = strategies.map((s) => ({ name: s.name, plan: planOf(s, t, d) }));
    const devicePools = sizes.some((x) => x.plan.deviceSlots !== undefined);
    // --pool sets every strategy's memory, but per-device-pools' own --device-pool can still differ from it.
    if (poolGiven && !devicePools) continue;
    if (new Set(sizes.map((x) => x.plan.nslabs)).size === 1) continue;
    const list = sizes.map(({ name, plan }) => `${name} ${mib(plan.nslabs * IO_TLB_SIZE)}${plan.maxPoolSlots !== undefined ? ` (grows to ${mib(plan.maxPoolSlots * IO_TLB_SIZE)})` : ''}`).join(', ');
    out.add(`the strategies start with pools of different sizes (${list}${d > 1 ? `; ${d} devices` : ''}): maps/s then also compares cache footprints, not only allocators; give --pool SIZE to give every strategy the same pool${devicePools ? ', and leave out --device-pool (per-device-pools then splits --pool over the devices)' : ''}`);
  }
  return [...out];
}

/** The plans' changes (rounding, limits, ignored options), one warning per strategy and change, with the thread counts it applies to. */
export function planChangeWarnings(strategies: Strategy[], threads: readonly number[], planOf: PlanOf, devices: readonly number[] = [1]): string[] {
  const out: string[] = [];
  for (const s of strategies) {
    const byChange = new Map<string, { threads: Set<number>; devices: Set<number> }>();
    for (const d of devices) {
      for (const t of threads) {
        for (const c of planOf(s, t, d).changes ?? []) {
          const seen = byChange.get(c) ?? { threads: new Set<number>(), devices: new Set<number>() };
          seen.threads.add(t);
          seen.devices.add(d);
          byChange.set(c, seen);
        }
      }
    }
    // A change of several-device workloads only says for how many devices.
    for (const [c, at] of byChange) out.push(`${s.name} (threads=${[...at.threads].join(',')}${at.devices.has(1) ? '' : `; ${[...at.devices].join(',')} devices`}): ${c}`);
  }
  return out;
}
