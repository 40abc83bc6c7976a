/**
 * `dynamic-growth`: CONFIG_SWIOTLB_DYNAMIC (Petr Tesarik, merged for v6.6;
 * docs/model.md, "Dynamic pools"), the kernel's own code path as modelled in
 * src/model/dynamic/ and checked against the kernel's dynamic vectors.
 *
 * - Boot: the pool `--pool` asks for (default 1 MiB) sized by the boot rules
 *   for `--areas` or every CPU (bootSizing), which also fix default_nslabs
 *   and default_nareas.
 * - Growth: when a map finds no room, it queues the dyn_alloc work (at most
 *   one queued; a running one no longer counts as queued) and tries a
 *   transient pool of exactly its size. The work, on its own thread, adds a
 *   pool of min(default_nslabs, 2048) slots with limit_nareas(default_nareas)
 *   areas, halving on page-allocation failure down to 512 slots, at the head
 *   of the list.
 * - Memory: `--max-pool` (default 64 MiB) is all the memory swiotlb may
 *   hold; the boot pool takes its share, the rest is the budget of the page
 *   reserve growth and transient pools come from (lowest-address naturally
 *   aligned blocks, as the vectors' page allocator).
 *
 * Extra counters: oversize_rejects, growth_requests, transient_pools,
 * transient_alloc_failed, transient_no_fit, lookups and lookup_steps (the
 * allocator's); growths, growth_failures, growth_latency_mean_ms / _max_ms
 * (the growth thread's); pools_added, io_tlb_nslabs_end,
 * peak_reserved_bytes, transient_peak_slots (the state's, at the end).
 */
import { numberColumn } from '../../src/base/column.js';
import { InputError } from '../../src/base/errors.js';
import { DEFAULT_POOL_BASE, IO_TLB_MIN_SLABS, IO_TLB_SIZE, PAGE_SIZE } from '../../src/model/constants.js';
import { DynamicAllocator } from '../../src/model/dynamic/allocator.js';
import { createDynamicState } from '../../src/model/dynamic/create.js';
import { PENDING_QUEUED, runDynAllocWork } from '../../src/model/dynamic/alloc-pool.js';
import { DEFAULT_RESERVE_BASE, type DynamicConfig, type DynamicState, DynamicViews, MAX_POOL_SLABS, META_COUNT, META_NSLABS, META_PENDING, META_TRANSIENT_PEAK, META_TRANSIENT_SLOTS } from '../../src/model/dynamic/layout.js';
import { bootSizing, limitNareas, roundUpPowerOfTwo } from '../../src/model/pool-sizing.js';
import type { PoolPlan, Strategy } from '../../src/model/strategy.js';
import { runGrowth } from './growth-thread.js';

/** Default boot pool for this strategy: 1 MiB (IO_TLB_MIN_SLABS), before the boot rules. */
export const DYNAMIC_DEFAULT_POOL_SLOTS = IO_TLB_MIN_SLABS;
/** Default memory limit: 64 MiB, the static default pool. */
export const DYNAMIC_DEFAULT_MAX_SLOTS = (64 << 20) / IO_TLB_SIZE;

/**
 * The dynamic sizes of a plan: the boot pool's slots and areas become
 * default_nslabs / default_nareas; the budget is `--max-pool` less the boot
 * pool; the reserve is the budget rounded up to a power-of-two number of pages.
 */
export function dynamicConfig(plan: PoolPlan): DynamicConfig {
  const budgetBytes = (plan.maxPoolSlots! - plan.nslabs) * IO_TLB_SIZE;
  return {
    defaultNslabs: plan.nslabs,
    defaultNareas: plan.nareas,
    bootStart: DEFAULT_POOL_BASE,
    reserveBase: DEFAULT_RESERVE_BASE,
    reserveBytes: roundUpPowerOfTwo(Math.max(1, budgetBytes / PAGE_SIZE)) * PAGE_SIZE,
    budgetBytes,
  };
}

function planDynamic(request: Parameters<Strategy['plan']>[0]): PoolPlan {
  const boot = bootSizing(request.poolSlots ?? DYNAMIC_DEFAULT_POOL_SLOTS, request.areas ?? request.threads);
  const changes = [...boot.changes];
  if (request.areas !== undefined && request.areas !== boot.nareas) changes.unshift(`--areas ${request.areas} rounded up to ${boot.nareas}, a power of two (swiotlb_adjust_nareas)`);
  const maxPoolSlots = request.maxPoolSlots ?? DYNAMIC_DEFAULT_MAX_SLOTS;
  if (maxPoolSlots < boot.nslabs) {
    throw new InputError(`--max-pool (${maxPoolSlots} slots) is smaller than the boot pool (${boot.nslabs} slots after the kernel's boot rounding); raise --max-pool or lower --pool`);
  }
  const growSlots = Math.min(boot.nslabs, MAX_POOL_SLABS);
  const budgetMiB = ((maxPoolSlots - boot.nslabs) * IO_TLB_SIZE) / 2 ** 20;
  const notes = [
    ...boot.messages,
    `boot pool ${boot.nslabs} slots in ${boot.nareas} areas; each growth asks for ${growSlots} slots in ${limitNareas(boot.nareas, growSlots)} areas (swiotlb_dyn_alloc), halving down to ${IO_TLB_MIN_SLABS}`,
    `--max-pool ${maxPoolSlots} slots: ${budgetMiB} MiB left after the boot pool for growth and transient pools`,
  ];
  const plan: PoolPlan = { nslabs: boot.nslabs, nareas: boot.nareas, rules: request.rules, notes, changes, maxPoolSlots };
  plan.slotSpace = boot.nslabs + dynamicConfig(plan).reserveBytes / IO_TLB_SIZE;
  return plan;
}

/** The main thread's views of each state, made once: the sampler and the virtual-time engine's per-op hook read them often. */
const views = new WeakMap<DynamicState, DynamicViews>();
function viewsOf(state: DynamicState): DynamicViews {
  let v = views.get(state);
  if (v === undefined) {
    v = new DynamicViews(state);
    views.set(state, v);
  }
  return v;
}

export const dynamicGrowth: Strategy<DynamicState> = {
  name: 'dynamic-growth',
  description: 'CONFIG_SWIOTLB_DYNAMIC: a small boot pool grown by default_nslabs at a time in a background thread, transient pools meanwhile',
  plan: planDynamic,
  create: (plan, arena) => createDynamicState(plan, dynamicConfig(plan), true, arena),
  attach: (state) => new DynamicAllocator(state),
  columns: {
    throughput: [
      numberColumn('lookups', 'count', 'swiotlb_find_pool() walks in the measured time: newest kernel, one per unmap and one per sync (an unmap syncs first unless DMA_ATTR_SKIP_CPU_SYNC); v6.6 also walks at map, in each copy, and two or three times per unmap'),
      numberColumn('lookup_steps', 'count', 'pools compared by those walks: mem->pools newest first, then the device\'s transient pools'),
      numberColumn('oversize_rejects', 'count', 'maps of more than 256 KiB after offset and round-up, refused before any search (newest kernel; v6.6 has no such check)'),
      numberColumn('growth_requests', 'count', 'failed searches that queued the dyn_alloc work (schedule_work found it not pending)'),
      numberColumn('transient_pools', 'count', 'transient pools created in the measured time'),
      numberColumn('transient_alloc_failed', 'count', 'maps whose transient pool got no pages (the budget was spent): "swiotlb buffer is full"'),
      numberColumn('transient_no_fit', 'count', 'maps whose transient pool was made but could not hold them (min_align_mask), freed at once'),
      numberColumn('growths', 'count', 'pools the growth work added (whole run, warm-up included)'),
      numberColumn('growth_failures', 'count', 'growth work runs that got no pages at any size ("Failed to allocate new pool")'),
      numberColumn('growth_latency_mean_ms', 'ms', "mean time from a growth's request to the new pool's publication"),
      numberColumn('growth_latency_max_ms', 'ms', "longest time from a growth's request to the new pool's publication"),
      numberColumn('pools_added', 'count', 'growth pools in mem->pools at the end'),
      numberColumn('io_tlb_nslabs_end', 'slots', 'mem->nslabs at the end: boot and growth pools (transient ones not counted)'),
      numberColumn('peak_reserved_bytes', 'bytes', 'most memory growth and transient pools held at once (the boot pool not included)'),
      numberColumn('transient_peak_slots', 'slots', 'most slots held by live transient pools at once'),
      numberColumn('pool_list_len_at_lookup', 'count', 'lookup_steps per lookup: pools compared per swiotlb_find_pool()'),
    ],
    fragmentation: [
      numberColumn('io_tlb_nslabs', 'slots', 'mem->nslabs at the sample (grows)'),
      numberColumn('io_tlb_transient_nslabs', 'slots', 'slots held by live transient pools at the sample'),
      numberColumn('reserved_bytes', 'bytes', 'memory growth and transient pools hold at the sample'),
    ],
  },
  livePools: (state) => viewsOf(state).livePools(),
  sampleColumns(state) {
    const v = viewsOf(state);
    return {
      io_tlb_nslabs: Atomics.load(v.meta, META_NSLABS),
      io_tlb_transient_nslabs: Atomics.load(v.meta, META_TRANSIENT_SLOTS),
      reserved_bytes: v.reserve.heldBytes,
    };
  },
  reportColumns(state) {
    const v = viewsOf(state);
    return {
      pools_added: Atomics.load(v.meta, META_COUNT) - 1,
      io_tlb_nslabs_end: Atomics.load(v.meta, META_NSLABS),
      peak_reserved_bytes: v.reserve.peakBytes,
      transient_peak_slots: Atomics.load(v.meta, META_TRANSIENT_PEAK),
    };
  },
  deriveColumns(row) {
    const lookups = Number(row.lookups);
    return { pool_list_len_at_lookup: lookups > 0 ? Number(row.lookup_steps) / lookups : 0 };
  },
  runBackground: runGrowth,
  backgroundQueued: (state) => Atomics.load(viewsOf(state).meta, META_PENDING) === PENDING_QUEUED,
  stepBackground(state) {
    const grown = runDynAllocWork(viewsOf(state)).pool ? 1 : 0;
    return { growths: grown, growth_failures: 1 - grown };
  },
};
