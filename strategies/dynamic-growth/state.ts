/**
 * dynamic-growth's shared memory: one reserve the size of the memory budget
 * (slot arrays, bounce data, area words) that every pool, regular or
 * transient, is carved from; a table of pools; a meta block (lock, pending
 * growth, pool count and list, reserve counters); and an owner map from
 * reserve slot to pool. {@link DynamicViews} is the allocator's and the
 * growth thread's view of it.
 */
import { DEFAULT_POOL_BASE, IO_TLB_MIN_SLABS, IO_TLB_SEGSIZE, IO_TLB_SIZE } from '../../src/model/constants.js';
import { type LockStats, lockAcquire, lockRelease, newLockStats } from '../../src/model/lock.js';
import { MemStats } from '../../src/model/mem-stats.js';
import { type PoolShared, initPoolSlots } from '../../src/model/pool-layout.js';
import type { StrategyState } from '../../src/model/strategy.js';

/** Default initial pool for this strategy: 1 MiB (IO_TLB_MIN_SLABS). */
export const DYNAMIC_DEFAULT_POOL_SLOTS = IO_TLB_MIN_SLABS;
/** Default budget: 64 MiB, the static default pool. */
export const DYNAMIC_DEFAULT_MAX_SLOTS = (64 << 20) / IO_TLB_SIZE;
/** Largest pool one growth adds: SLABS_PER_PAGE << MAX_PAGE_ORDER = 4 MiB on x86. */
export const GROWTH_MAX_SLOTS = (4 << 20) / IO_TLB_SIZE;
/** Most areas a grown pool gets (4 MiB / 256 KiB). */
export const GROWN_MAX_AREAS = GROWTH_MAX_SLOTS / IO_TLB_SEGSIZE;
/** Pool table capacity: regular pools plus live transient pools. */
export const MAX_ENTRIES = 2048;
export const ENTRY_WORDS = 4;
export const KIND_FREE = 0;
export const KIND_REGULAR = 1;
export const KIND_TRANSIENT = 2;

// Words of the `meta` Int32Array; hot words sit on lines of their own.
export const META_LOCK = 0;
export const META_PENDING = 16;
export const META_COUNT = 32;
export const META_RESERVED = 48;
export const META_PEAK_RESERVED = 49;
export const META_TRANSIENT_PEAK = 50;
export const META_NSLABS = 51;
export const META_ORDER = 64;
export const META_WORDS = META_ORDER + MAX_ENTRIES;

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

/** Wall-clock ms (performance.timeOrigin based), comparable between threads. */
export function wallMs(): number {
  return performance.timeOrigin + performance.now();
}

/** Views of a DynamicState shared by the allocator and the growth thread. */
export class DynamicViews {
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
