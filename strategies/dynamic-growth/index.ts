/**
 * `dynamic-growth`: CONFIG_SWIOTLB_DYNAMIC (Petr Tesarik, merged for v6.6;
 * model document section 5). The allocator starts with a small pool
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
import {
  DEFAULT_POOL_BASE, DMA_MAPPING_ERROR, IO_TLB_MIN_SLABS, IO_TLB_SEGMENT_BYTES, IO_TLB_SEGSIZE, IO_TLB_SHIFT, IO_TLB_SIZE, nrSlots,
} from '../../src/model/constants.js';
import { InputError } from '../../src/base/errors.js';
import { type LockStats, lockAcquire, lockRelease, newLockStats } from '../../src/model/lock.js';
import { MemStats, allocateMemStats } from '../../src/model/mem-stats.js';
import { AREA_STRIDE, type AllocCounters, type HostMemory, type PoolShared, SwiotlbPool, initPoolSlots, newAllocCounters } from '../../src/model/pool.js';
import { bootPoolSlots, limitNareas, roundDownPowerOfTwo, roundUpPowerOfTwo } from '../../src/model/pool-sizing.js';
import type { BounceAllocator, PoolPlan, Strategy, StrategyState } from '../../src/model/strategy.js';

/** Default initial pool for this strategy: 1 MiB (IO_TLB_MIN_SLABS). */
export const DYNAMIC_DEFAULT_POOL_SLOTS = IO_TLB_MIN_SLABS;
/** Default budget: 64 MiB, the static default pool. */
export const DYNAMIC_DEFAULT_MAX_SLOTS = (64 << 20) / IO_TLB_SIZE;
/** Largest pool one growth adds: SLABS_PER_PAGE << MAX_PAGE_ORDER = 4 MiB on x86. */
export const GROWTH_MAX_SLOTS = (4 << 20) / IO_TLB_SIZE;
/** Most areas a grown pool gets (4 MiB / 256 KiB). */
const GROWN_MAX_AREAS = GROWTH_MAX_SLOTS / IO_TLB_SEGSIZE;
/** Pool table capacity: regular pools plus live transient pools. */
const MAX_ENTRIES = 2048;
const ENTRY_WORDS = 4;
const KIND_FREE = 0;
const KIND_REGULAR = 1;
const KIND_TRANSIENT = 2;

// Words of the `meta` Int32Array; hot words sit on lines of their own.
const META_LOCK = 0;
const META_PENDING = 16;
const META_COUNT = 32;
const META_RESERVED = 48;
const META_PEAK_RESERVED = 49;
const META_TRANSIENT_PEAK = 50;
const META_NSLABS = 51;
const META_ORDER = 64;
const META_WORDS = META_ORDER + MAX_ENTRIES;

export interface DynamicState extends StrategyState {
  /** Slots in the reserved region (the budget). */
  capacity: number;
  /** Backing arrays of every pool (see PoolShared). */
  slotWords: SharedArrayBuffer;
  origAddr: SharedArrayBuffer;
  areas: SharedArrayBuffer;
  data: SharedArrayBuffer;
  mem: SharedArrayBuffer;
  /** Int32 MAX_ENTRIES x ENTRY_WORDS: kind, firstSlot, nslabs, nareas. */
  table: SharedArrayBuffer;
  /** Int32: lock, growth pending, pool count, reserve counters, pool order. */
  meta: SharedArrayBuffer;
  /** Int32 per reserved slot: owning table entry + 1, or 0. */
  owner: SharedArrayBuffer;
  /** Float64: [0] when the pending growth was asked for (ms, performance.timeOrigin based). */
  times: SharedArrayBuffer;
}

function wallMs(): number {
  return performance.timeOrigin + performance.now();
}

/** Views of a DynamicState shared by the allocator and the growth thread. */
class DynamicViews {
  readonly table: Int32Array;
  readonly meta: Int32Array;
  readonly owner: Int32Array;
  readonly times: Float64Array;
  readonly mem: MemStats;
  readonly lockStats: LockStats = newLockStats();

  constructor(readonly state: DynamicState) {
    this.table = new Int32Array(state.table);
    this.meta = new Int32Array(state.meta);
    this.owner = new Int32Array(state.owner);
    this.times = new Float64Array(state.times);
    this.mem = new MemStats(state.mem);
  }

  /** The PoolShared of table entry `e` (a slot range of the reserve). */
  poolShared(e: number): PoolShared {
    const t = this.table;
    const firstSlot = t[e * ENTRY_WORDS + 1];
    const s = this.state;
    return {
      start: DEFAULT_POOL_BASE + firstSlot * IO_TLB_SIZE,
      nslabs: t[e * ENTRY_WORDS + 2],
      nareas: t[e * ENTRY_WORDS + 3],
      rules: s.plan.rules,
      mem: s.mem,
      slotWords: s.slotWords,
      origAddr: s.origAddr,
      areas: s.areas,
      data: s.data,
      capacity: s.capacity,
      firstSlot,
      firstArea: e * GROWN_MAX_AREAS,
      label: `${t[e * ENTRY_WORDS] === KIND_TRANSIENT ? 'transient' : 'pool'}@${firstSlot}`,
    };
  }

  /**
   * Under the io_tlb_mem lock: carve `nslabs` slots aligned to `align` out of
   * the reserve and create table entry of `kind`, initialised and owned, not
   * yet published. Returns the entry, or -1 when the budget or table is full.
   */
  createPool(kind: number, nslabs: number, nareas: number, align: number): number {
    const meta = this.meta;
    lockAcquire(meta, META_LOCK, this.lockStats);
    try {
      const owner = this.owner;
      let first = -1;
      for (let at = 0; at + nslabs <= this.state.capacity; at += align) {
        let free = true;
        for (let i = at; i < at + nslabs; i++) {
          if (owner[i] !== 0) {
            free = false;
            break;
          }
        }
        if (free) {
          first = at;
          break;
        }
      }
      if (first < 0) return -1;
      let e = 0;
      const t = this.table;
      while (e < MAX_ENTRIES && t[e * ENTRY_WORDS] !== KIND_FREE) e++;
      if (e === MAX_ENTRIES) return -1;
      t[e * ENTRY_WORDS + 1] = first;
      t[e * ENTRY_WORDS + 2] = nslabs;
      t[e * ENTRY_WORDS + 3] = nareas;
      initPoolSlots(this.poolShared(e));
      owner.fill(e + 1, first, first + nslabs);
      Atomics.store(t, e * ENTRY_WORDS, kind);
      const reserved = (meta[META_RESERVED] += nslabs);
      if (reserved > meta[META_PEAK_RESERVED]) meta[META_PEAK_RESERVED] = reserved;
      return e;
    } finally {
      lockRelease(meta, META_LOCK);
    }
  }

  /** Under the lock: give a transient pool's slots back to the reserve. */
  deletePool(e: number): void {
    const meta = this.meta;
    lockAcquire(meta, META_LOCK, this.lockStats);
    const t = this.table;
    const first = t[e * ENTRY_WORDS + 1];
    const nslabs = t[e * ENTRY_WORDS + 2];
    this.owner.fill(0, first, first + nslabs);
    meta[META_RESERVED] -= nslabs;
    Atomics.store(t, e * ENTRY_WORDS, KIND_FREE);
    lockRelease(meta, META_LOCK);
  }

  /** Publish regular pool `e` at the head of the list (after it is fully initialised). */
  publish(e: number): void {
    const meta = this.meta;
    lockAcquire(meta, META_LOCK, this.lockStats);
    const count = meta[META_COUNT];
    meta[META_ORDER + count] = e;
    Atomics.add(meta, META_NSLABS, this.table[e * ENTRY_WORDS + 2]);
    Atomics.store(meta, META_COUNT, count + 1);
    lockRelease(meta, META_LOCK);
  }
}

/** One CPU's view of the dynamic allocator. */
class DynamicAllocator implements BounceAllocator {
  readonly counters: AllocCounters = newAllocCounters();
  private readonly v: DynamicViews;
  private readonly views: (SwiotlbPool | undefined)[] = [];
  private readonly defaultNareas: number;

  constructor(state: DynamicState) {
    this.v = new DynamicViews(state);
    this.defaultNareas = state.plan.nareas;
    const x = this.counters.extra;
    x.transient_pools = x.transient_failures = x.oversize_rejects = x.lookup_steps = 0;
  }

  /** A cached view of entry `e`, rebuilt when the entry now describes another pool (entries are reused). */
  private view(e: number): SwiotlbPool {
    const pool = this.views[e];
    const t = this.v.table;
    if (pool !== undefined && pool.shared.firstSlot === t[e * ENTRY_WORDS + 1] && pool.nslabs === t[e * ENTRY_WORDS + 2]) return pool;
    const fresh = new SwiotlbPool(this.v.poolShared(e), this.counters);
    this.views[e] = fresh;
    return fresh;
  }

  tblMapSingle(cpu: number, orig: number, mappingSize: number, allocAlignMask: number, minAlignMask: number): number {
    const meta = this.v.meta;
    const first = this.view(meta[META_ORDER]);
    const offset = first.mapOffset(orig, allocAlignMask, minAlignMask);
    const size = first.paddedSize(mappingSize, offset, allocAlignMask);
    if (size > IO_TLB_SEGMENT_BYTES) {
      this.counters.extra.oversize_rejects++;
      this.counters.lastFailSize = size;
      return DMA_MAPPING_ERROR;
    }
    const count = Atomics.load(meta, META_COUNT);
    for (let i = 0; i < this.defaultNareas; i++) {
      for (let k = count - 1; k >= 0; k--) {
        const pool = this.view(meta[META_ORDER + k]);
        if (i >= pool.nareas) continue;
        const index = pool.searchArea((cpu + i) & (pool.nareas - 1), orig, size, allocAlignMask, minAlignMask, mappingSize);
        if (index >= 0) {
          if (i > 0) this.counters.areaFallbacks++;
          return pool.finishMap(index, orig, offset, size);
        }
      }
    }
    this.requestGrowth();
    return this.transientMap(orig, mappingSize, offset, size, allocAlignMask, minAlignMask);
  }

  /** schedule_work(&mem->dyn_alloc): at most one growth pending. */
  private requestGrowth(): void {
    const meta = this.v.meta;
    if (Atomics.compareExchange(meta, META_PENDING, 0, 1) === 0) {
      this.v.times[0] = wallMs();
      Atomics.notify(meta, META_PENDING);
    }
  }

  /** swiotlb_find_slots() fallback: a transient pool of exactly this request's slots, one area. */
  private transientMap(orig: number, mappingSize: number, offset: number, size: number, allocAlignMask: number, minAlignMask: number): number {
    const nslabs = nrSlots(size);
    const align = 2 * roundUpPowerOfTwo(Math.ceil(nslabs / 2)); // alloc_pages(order) alignment
    const e = this.v.createPool(KIND_TRANSIENT, nslabs, 1, align);
    this.counters.lastFailSize = size;
    if (e < 0) {
      this.counters.extra.transient_failures++;
      return DMA_MAPPING_ERROR;
    }
    const pool = this.view(e);
    const index = pool.searchArea(0, orig, size, allocAlignMask, minAlignMask, mappingSize);
    if (index < 0) {
      this.v.deletePool(e);
      this.counters.extra.transient_failures++;
      return DMA_MAPPING_ERROR;
    }
    this.v.mem.addTransient(nslabs);
    const meta = this.v.meta;
    const live = this.v.mem.transientNslabs;
    if (live > Atomics.load(meta, META_TRANSIENT_PEAK)) Atomics.store(meta, META_TRANSIENT_PEAK, live);
    this.counters.extra.transient_pools++;
    return pool.finishMap(index, orig, offset, size);
  }

  /** swiotlb_find_pool(): walk the pool list newest first (counted), else the transient pool owning the slot. */
  private poolOf(tlb: number, count: boolean): { pool: SwiotlbPool; entry: number; transient: boolean } {
    const meta = this.v.meta;
    const n = Atomics.load(meta, META_COUNT);
    for (let k = n - 1; k >= 0; k--) {
      const pool = this.view(meta[META_ORDER + k]);
      if (count) this.counters.extra.lookup_steps++;
      if (pool.contains(tlb)) return { pool, entry: meta[META_ORDER + k], transient: false };
    }
    const e = this.v.owner[(tlb - DEFAULT_POOL_BASE) >>> IO_TLB_SHIFT] - 1;
    if (e < 0) throw new RangeError(`0x${tlb.toString(16)} is in no pool`);
    if (count) this.counters.extra.lookup_steps++;
    return { pool: this.view(e), entry: e, transient: true };
  }

  /** The pool holding `tlb`, by the reserve's owner map (for copies: v6.11 passes the pool found once). */
  private poolAt(tlb: number): SwiotlbPool {
    return this.view(this.v.owner[(tlb - DEFAULT_POOL_BASE) >>> IO_TLB_SHIFT] - 1);
  }

  releaseSlots(tlb: number, minAlignMask: number, mappingSize: number): void {
    const { pool, entry, transient } = this.poolOf(tlb, true);
    if (!transient) {
      pool.releaseSlots(tlb, minAlignMask, mappingSize);
      return;
    }
    // swiotlb_del_transient(): drop the whole pool's slots from the counters and free it.
    this.v.mem.decUsed(pool.nslabs);
    this.v.mem.addTransient(-pool.nslabs);
    this.v.deletePool(entry);
  }

  bounce(tlb: number, size: number, toDevice: boolean, minAlignMask: number, host: HostMemory): number {
    return this.poolAt(tlb).bounce(tlb, size, toDevice, minAlignMask, host);
  }

  deviceAccess(tlb: number, size: number): Uint8Array {
    return this.poolAt(tlb).deviceAccess(tlb, size);
  }

  /** Slot number in the reserve (unique over all pools, below the budget's slot count). */
  slotOf(tlb: number): number {
    return (tlb - DEFAULT_POOL_BASE) >>> IO_TLB_SHIFT;
  }

  /** io_tlb_nslabs: slots in the non-transient pools, growing. */
  get totalSlots(): number {
    return Atomics.load(this.v.meta, META_NSLABS);
  }

  usedSlots(): number {
    return this.v.mem.used;
  }
}

/**
 * One swiotlb_dyn_alloc() pass: add one pool of up to 4 MiB (halving down to
 * 1 MiB when the budget has no aligned room), areas limited by its size, and
 * publish it at the head of the list. Returns the slots added (0: "Failed to
 * allocate new pool").
 */
export function growOnce(state: DynamicState): number {
  const v = new DynamicViews(state);
  for (let nslabs = Math.min(GROWTH_MAX_SLOTS, roundDownPowerOfTwo(state.capacity)); nslabs >= IO_TLB_MIN_SLABS; nslabs /= 2) {
    const nareas = Math.min(state.plan.nareas, Math.max(1, nslabs / IO_TLB_SEGSIZE));
    const e = v.createPool(KIND_REGULAR, nslabs, nareas, nslabs);
    if (e >= 0) {
      v.publish(e);
      return nslabs;
    }
  }
  return 0;
}

/** True while a growth is requested and not yet done. */
export function growthPending(state: DynamicState): boolean {
  return Atomics.load(new Int32Array(state.meta), META_PENDING) !== 0;
}

/**
 * The growth worker, in its own thread: wait for a request, grow once, clear
 * the request; until `stopped()`. Returns growth counters.
 */
function runGrowth(state: DynamicState, stopped: () => boolean): Record<string, number> {
  const v = new DynamicViews(state);
  const latencies: number[] = [];
  let failures = 0;
  while (!stopped()) {
    if (Atomics.load(v.meta, META_PENDING) === 0) {
      Atomics.wait(v.meta, META_PENDING, 0, 20);
      continue;
    }
    if (growOnce(state) > 0) latencies.push(wallMs() - v.times[0]);
    else failures++;
    Atomics.store(v.meta, META_PENDING, 0);
  }
  return {
    growths: latencies.length,
    growth_failures: failures,
    growth_latency_mean_ms: latencies.length ? latencies.reduce((s, x) => s + x, 0) / latencies.length : 0,
    growth_latency_max_ms: latencies.length ? Math.max(...latencies) : 0,
  };
}

function planDynamic(request: Parameters<Strategy['plan']>[0]): PoolPlan {
  const notes: string[] = [];
  const nslabs = bootPoolSlots(request.poolSlots ?? DYNAMIC_DEFAULT_POOL_SLOTS, 1, notes);
  const maxPoolSlots = request.maxPoolSlots ?? DYNAMIC_DEFAULT_MAX_SLOTS;
  if (maxPoolSlots < nslabs) throw new InputError(`--max-pool (${maxPoolSlots} slots) is smaller than the initial pool (${nslabs} slots)`);
  const nareas = limitNareas(roundUpPowerOfTwo(request.areas ?? request.threads), nslabs, notes);
  notes.push(`initial pool ${nslabs} slots (${(nslabs * IO_TLB_SIZE) >> 10} KiB), budget ${maxPoolSlots} slots (${(maxPoolSlots * IO_TLB_SIZE) >> 20} MiB)`);
  return { nslabs, nareas: Math.min(nareas, GROWN_MAX_AREAS), rules: request.rules, notes, maxPoolSlots };
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
