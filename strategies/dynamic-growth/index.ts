/**
 * `dynamic-growth`: CONFIG_SWIOTLB_DYNAMIC (Petr Tesarik, merged for v6.6;
 * docs/model.md, "Dynamic pools"). The allocator starts with a small pool
 * (`--pool`, default 1 MiB here) inside a memory budget (`--max-pool`,
 * default 64 MiB) standing for what the page allocator can give.
 *
 * - Search (swiotlb_find_slots, dynamic path): reject more than 256 KiB at
 *   once; for each area offset i, try area `(cpu + i) & (nareas - 1)` in every
 *   pool, newest pool first (pools with fewer than i + 1 areas are skipped).
 * - When everything fails: schedule one background growth (never two at
 *   once): a new pool of up to 4 MiB (halving on budget failure down to 1 MiB),
 *   with areas limited by its size, published at the head of the pool list
 *   only once fully initialised. The failing request gets a transient pool of
 *   exactly its size (1 area), freed when that buffer is unmapped; transient
 *   slots count in io_tlb_used but not in io_tlb_nslabs.
 * - Unmap walks the pool list newest first (swiotlb_find_pool) and then the
 *   transient pools.
 *
 * All pools live in one pre-reserved region of the budget's size (shared
 * slot arrays, bounce data and area words); a table in shared memory says
 * which slot ranges are pools. The growth runs in its own thread.
 *
 * Extra counters: transient_pools, transient_failures, oversize_rejects,
 * lookup_steps (pools compared at unmap); from the growth thread: growths,
 * growth_failures, growth_latency_mean_ms / _max_ms; from the state:
 * peak_reserved_bytes, transient_peak_slots, io_tlb_nslabs_end.
 */
import { numberColumn } from '../../src/base/column.js';
import { IO_TLB_SIZE } from '../../src/model/constants.js';
import { InputError } from '../../src/base/errors.js';
import { allocateMemStats } from '../../src/model/mem-stats.js';
import { AREA_STRIDE, type PoolShared } from '../../src/model/pool-layout.js';
import { bootPoolSlots, limitNareas, roundUpPowerOfTwo } from '../../src/model/pool-sizing.js';
import type { PoolPlan, Strategy } from '../../src/model/strategy.js';
import { DynamicAllocator } from './allocator.js';
import { growOnce, growthPending, runGrowth } from './growth.js';
import {
  DYNAMIC_DEFAULT_MAX_SLOTS, DYNAMIC_DEFAULT_POOL_SLOTS, DynamicViews, type DynamicState, ENTRY_WORDS, GROWN_MAX_AREAS, KIND_FREE, KIND_REGULAR,
  MAX_ENTRIES, META_COUNT, META_NSLABS, META_PEAK_RESERVED, META_RESERVED, META_TRANSIENT_PEAK, META_WORDS,
} from './state.js';

export { growOnce, growthPending, type DynamicState };

function planDynamic(request: Parameters<Strategy['plan']>[0]): PoolPlan {
  const notes: string[] = [];
  const changes: string[] = [];
  const nslabs = bootPoolSlots(request.poolSlots ?? DYNAMIC_DEFAULT_POOL_SLOTS, 1, changes);
  const maxPoolSlots = request.maxPoolSlots ?? DYNAMIC_DEFAULT_MAX_SLOTS;
  if (maxPoolSlots < nslabs) throw new InputError(`--max-pool (${maxPoolSlots} slots) is smaller than the initial pool (${nslabs} slots)`);
  const wanted = limitNareas(roundUpPowerOfTwo(request.areas ?? request.threads), nslabs, changes);
  const nareas = Math.min(wanted, GROWN_MAX_AREAS);
  if (nareas < wanted) changes.push(`areas limited from ${wanted} to ${GROWN_MAX_AREAS}: dynamic-growth models at most ${GROWN_MAX_AREAS} areas per pool`);
  notes.push(`initial pool ${nslabs} slots (${(nslabs * IO_TLB_SIZE) >> 10} KiB), budget ${maxPoolSlots} slots (${(maxPoolSlots * IO_TLB_SIZE) >> 20} MiB)`);
  return { nslabs, nareas, rules: request.rules, notes, changes, maxPoolSlots };
}

export const dynamicGrowth: Strategy<DynamicState> = {
  name: 'dynamic-growth',
  description: 'CONFIG_SWIOTLB_DYNAMIC: 1 MiB pool grown 4 MiB at a time in a background thread, transient pools meanwhile',
  plan: planDynamic,
  create(plan) {
    const capacity = plan.maxPoolSlots!;
    const base = {
      plan,
      pools: [] as PoolShared[],
      capacity,
      slotWords: new SharedArrayBuffer(capacity * 3 * 4),
      origAddr: new SharedArrayBuffer(capacity * 8),
      areas: new SharedArrayBuffer(MAX_ENTRIES * GROWN_MAX_AREAS * AREA_STRIDE * 4),
      data: new SharedArrayBuffer(capacity * IO_TLB_SIZE),
      mem: allocateMemStats(),
      table: new SharedArrayBuffer(MAX_ENTRIES * ENTRY_WORDS * 4),
      meta: new SharedArrayBuffer(META_WORDS * 4),
      owner: new SharedArrayBuffer(capacity * 4),
      times: new SharedArrayBuffer(64),
    };
    const v = new DynamicViews(base);
    const e = v.createPool(KIND_REGULAR, plan.nslabs, plan.nareas, plan.nslabs);
    v.publish(e);
    base.pools.push(v.poolShared(e));
    return base;
  },
  attach: (state) => new DynamicAllocator(state),
  columns: {
    throughput: [
      numberColumn('lookup_steps', 'count', 'pools compared by swiotlb_find_pool() at unmap, newest first (measured time)'),
      numberColumn('oversize_rejects', 'count', 'maps of more than 256 KiB, refused at once'),
      numberColumn('transient_failures', 'count', 'maps that found no room even for a transient pool (the budget was spent)'),
      numberColumn('transient_pools', 'count', 'transient pools created in the measured time'),
      numberColumn('growths', 'count', 'pools the growth thread added (whole run, warm-up included)'),
      numberColumn('growth_failures', 'count', 'growths that found no room in the budget ("Failed to allocate new pool")'),
      numberColumn('growth_latency_mean_ms', 'ms', "mean time from a growth's request to the new pool's publication"),
      numberColumn('growth_latency_max_ms', 'ms', "longest time from a growth's request to the new pool's publication"),
      numberColumn('pools_added', 'count', 'regular pools in the list at the end, beyond the first'),
      numberColumn('io_tlb_nslabs_end', 'slots', 'io_tlb_nslabs at the end: slots in regular pools (transient ones not counted)'),
      numberColumn('peak_reserved_bytes', 'bytes', 'most memory its pools and transient pools ever held at once, to set against a static 64 MiB pool'),
      numberColumn('transient_peak_slots', 'slots', 'most slots held by live transient pools at once'),
      numberColumn('pool_list_len_at_lookup', 'count', 'lookup_steps per unmap: pools compared per swiotlb_find_pool()'),
    ],
    fragmentation: [
      numberColumn('io_tlb_nslabs', 'slots', 'slots in regular pools at the sample (grows)'),
      numberColumn('io_tlb_transient_nslabs', 'slots', 'slots held by live transient pools at the sample'),
      numberColumn('reserved_bytes', 'bytes', 'memory its pools and transient pools hold at the sample'),
      numberColumn('used_bytes', 'bytes', 'io_tlb_used at the sample, in bytes'),
    ],
  },
  livePools(state) {
    const v = new DynamicViews(state);
    const pools: PoolShared[] = [];
    for (let e = 0; e < MAX_ENTRIES; e++) if (Atomics.load(v.table, e * ENTRY_WORDS) !== KIND_FREE) pools.push(v.poolShared(e));
    return pools;
  },
  sampleColumns(state) {
    const v = new DynamicViews(state);
    return {
      io_tlb_nslabs: Atomics.load(v.meta, META_NSLABS),
      io_tlb_transient_nslabs: v.mem.transientNslabs,
      reserved_bytes: Atomics.load(v.meta, META_RESERVED) * IO_TLB_SIZE,
      used_bytes: v.mem.used * IO_TLB_SIZE,
    };
  },
  reportColumns(state) {
    const v = new DynamicViews(state);
    return {
      pools_added: Atomics.load(v.meta, META_COUNT) - 1,
      io_tlb_nslabs_end: Atomics.load(v.meta, META_NSLABS),
      peak_reserved_bytes: Atomics.load(v.meta, META_PEAK_RESERVED) * IO_TLB_SIZE,
      transient_peak_slots: Atomics.load(v.meta, META_TRANSIENT_PEAK),
    };
  },
  deriveColumns(row) {
    const unmaps = Number(row.unmaps);
    return { pool_list_len_at_lookup: unmaps > 0 ? Number(row.lookup_steps) / unmaps : 0 };
  },
  runBackground: runGrowth,
};
