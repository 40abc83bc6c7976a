/**
 * Shared memory of an io_tlb_mem with CONFIG_SWIOTLB_DYNAMIC (docs/model.md,
 * "Dynamic pools"), stated up front:
 *
 * - the boot pool (`defpool`): a pool of its own (PoolShared with its own
 *   arrays), table entry 0, at `bootStart`;
 * - the page reserve (page-reserve.ts) at `reserveBase`, which growth pools
 *   and transient pools take whole blocks of; their slot arrays, bounce data
 *   and area lines are carved from reserve-sized arrays at the block's place:
 *   a pool whose block starts at reserve page p is table entry 1 + p, uses
 *   slots 2p.. of the slot arrays and area lines p.. (a pool has at most one
 *   area per 64 pages, so pools never share a line);
 * - the pool table: ENTRY_WORDS Int32 per entry (kind, first slot in the
 *   reserve, nslabs, nareas, block order, next transient of the same device,
 *   device, generation);
 * - `mem->pools`: the entries in the order add_mem_pool() linked them (the
 *   list is read newest first, as list_add_rcu() puts a new pool at the head),
 *   with `mem->nslabs`, the dyn_alloc work's PENDING bit and mem->lock;
 * - per device (one per min_align_mask value, as the conformance vectors'
 *   devices): `dev->dma_io_tlb_pools`, its transient pools, newest first,
 *   under `dev->dma_io_tlb_lock`.
 * Units: slots of 2 KiB unless a name says bytes or pages.
 */
import { IO_TLB_SEGSIZE, IO_TLB_SIZE, type KernelRules } from '../constants.js';
import { type LockKind, type LockStats, lockOps, newLockStats } from '../lock.js';
import { MemStats } from '../mem-stats.js';
import { type AreaLines, DESC_BYTES, type PoolShared, type SlotStore, initPoolSlots } from '../pool-layout.js';
import type { StrategyState } from '../strategy.js';
import { DeviceLists } from './device-lists.js';
import {
  ENTRY_WORDS, E_FIRST_SLOT, E_GEN, E_KIND, E_NAREAS, E_NEXT, E_NSLABS, E_ORDER, E_DEVICE, KIND_BOOT, KIND_FREE, KIND_TRANSIENT,
  META_COUNT, META_LOCK, META_NSLABS, META_ORDER, META_TRANSIENT_COUNT, META_TRANSIENT_PEAK, META_TRANSIENT_SLOTS, SLABS_PER_PAGE,
} from './layout-words.js';
import { PageReserve } from './page-reserve.js';

export * from './layout-words.js';

/** The sizes the dynamic path starts from, after boot. */
export interface DynamicConfig {
  /** default_nslabs: the boot pool's slots; growth asks for min(this, MAX_POOL_SLABS). */
  defaultNslabs: number;
  /** default_nareas: areas of the boot pool and (limited) of growth pools; the search's offset count. */
  defaultNareas: number;
  /** Physical address of the boot pool, bytes. */
  bootStart: number;
  /** Physical address of the page reserve, bytes; aligned to its size. */
  reserveBase: number;
  /** Bytes in the reserve: a power-of-two number of pages. */
  reserveBytes: number;
  /** alloc_pages() fails once held blocks would exceed this, bytes. */
  budgetBytes: number;
}

/** A dynamic io_tlb_mem's shared memory (structured-cloneable). */
export interface DynamicState extends StrategyState {
  config: DynamicConfig;
  /** The boot pool (also `pools[0]`). */
  boot: PoolShared;
  /** Slot arrays and bounce data of the reserve (one entry per reserve slot), its area lines, and a descriptor per table entry (DESC_BYTES each). */
  store: SlotStore;
  areas: AreaLines;
  descs: number;
  /** The page reserve (page-reserve.ts). */
  reserve: SharedArrayBuffer;
  /** Int32: ENTRY_WORDS per entry; entry 0 the boot pool, entry 1 + p the pool at reserve page p. */
  table: SharedArrayBuffer;
  /** Int32 words: see the META_* offsets. */
  meta: SharedArrayBuffer;
  /** Float64: [0] when the pending growth was asked for (ms, performance.timeOrigin based). */
  times: SharedArrayBuffer;
}

/** Wall-clock ms (performance.timeOrigin based), comparable between threads. */
export function wallMs(): number {
  return performance.timeOrigin + performance.now();
}

/** Views of a DynamicState shared by the CPUs' allocators, the growth work and the harness. */
export class DynamicViews {
  readonly table: Int32Array;
  readonly meta: Int32Array;
  readonly times: Float64Array;
  readonly mem: MemStats;
  readonly reserve: PageReserve;
  readonly config: DynamicConfig;
  readonly rules: KernelRules;
  readonly lockKind: LockKind;
  readonly lockStats: LockStats;
  /** Each device's transient pools (`dev->dma_io_tlb_pools`). */
  readonly devices: DeviceLists;
  private readonly lock;

  constructor(readonly state: DynamicState, lockStats: LockStats = newLockStats()) {
    this.table = new Int32Array(state.table);
    this.meta = new Int32Array(state.meta);
    this.times = new Float64Array(state.times);
    this.mem = new MemStats(state.boot.mem);
    this.config = state.config;
    this.rules = state.plan.rules;
    this.lockKind = state.boot.lock;
    this.lockStats = lockStats;
    this.lock = lockOps(this.lockKind);
    this.reserve = new PageReserve(state.reserve, this.lockKind, lockStats);
    this.devices = new DeviceLists(this.meta, this.table, this.lock, lockStats);
  }

  /** Entries in the table: the boot pool and one per reserve page. */
  get entries(): number {
    return this.table.length / ENTRY_WORDS;
  }

  /** The PoolShared of table entry `e` (from its fields; racy for a pool being made or freed). */
  poolShared(e: number): PoolShared {
    if (e === 0) return this.state.boot;
    const t = this.table;
    const s = this.state;
    const at = e * ENTRY_WORDS;
    const firstSlot = t[at + E_FIRST_SLOT];
    return {
      start: this.entryStart(e),
      nslabs: t[at + E_NSLABS],
      nareas: t[at + E_NAREAS],
      rules: this.rules,
      lock: this.lockKind,
      mem: s.boot.mem,
      store: s.store,
      firstSlot,
      areas: s.areas,
      firstArea: e - 1,
      desc: s.descs + e * DESC_BYTES,
      label: `${t[at + E_KIND] === KIND_TRANSIENT ? 'transient' : 'pool'}@0x${this.config.reserveBase.toString(16)}+${firstSlot * IO_TLB_SIZE}`,
    };
  }

  /** Bounce address (bytes) of table entry `e`'s first slot (entries past 0 sit in the reserve). */
  entryStart(e: number): number {
    return e === 0 ? this.state.boot.start : this.config.reserveBase + this.table[e * ENTRY_WORDS + E_FIRST_SLOT] * IO_TLB_SIZE;
  }

  /**
   * Does table entry `e`'s pool hold the bounce address `addr` (bytes)? The
   * range test of swiotlb_find_pool()'s walk, read from the table, so a
   * lookup makes no pool view.
   */
  entryContains(e: number, addr: number): boolean {
    const start = this.entryStart(e);
    const nslabs = e === 0 ? this.state.boot.nslabs : this.table[e * ENTRY_WORDS + E_NSLABS];
    return addr >= start && addr < start + nslabs * IO_TLB_SIZE;
  }

  /** The table entry of a pool of this io_tlb_mem (0: the boot pool; else 1 + its first reserve page). */
  entryOf(shared: PoolShared): number {
    return shared === this.state.boot || shared.start === this.state.boot.start ? 0 : shared.firstArea + 1;
  }

  /** True when entry `e` is a live transient pool. */
  isTransient(e: number): boolean {
    return Atomics.load(this.table, e * ENTRY_WORDS + E_KIND) === KIND_TRANSIENT;
  }

  /**
   * The live entries' pools read consistently from another thread (the
   * harness's sampler): an entry whose generation moved while it was read
   * is read again. The boot pool first, then growth pools by reserve address
   * (not age: a halved pool can sit below an older one), then transient pools.
   */
  livePools(): PoolShared[] {
    const t = this.table;
    const pools: PoolShared[] = [this.state.boot];
    const transient: PoolShared[] = [];
    for (let e = 1; e < this.entries; e++) {
      for (;;) {
        const gen = Atomics.load(t, e * ENTRY_WORDS + E_GEN);
        const kind = Atomics.load(t, e * ENTRY_WORDS + E_KIND);
        if (kind === KIND_FREE || (gen & 1) === 1) break;
        const shared = this.poolShared(e);
        if (Atomics.load(t, e * ENTRY_WORDS + E_GEN) !== gen) continue;
        (kind === KIND_TRANSIENT ? transient : pools).push(shared);
        break;
      }
    }
    return [...pools, ...transient];
  }

  /**
   * swiotlb_init_io_tlb_pool() for a block of the reserve: write table entry
   * 1 + `page` for a pool of `nslabs` slots in `nareas` areas held in a block
   * of 2^`order` pages, initialise its slots and areas, and mark it `kind`.
   * Returns the entry. The pool is not yet on any list.
   */
  initPool(kind: number, page: number, order: number, nslabs: number, nareas: number): number {
    const e = 1 + page;
    const t = this.table;
    const at = e * ENTRY_WORDS;
    Atomics.add(t, at + E_GEN, 1);
    t[at + E_FIRST_SLOT] = page * SLABS_PER_PAGE;
    t[at + E_NSLABS] = nslabs;
    t[at + E_NAREAS] = nareas;
    t[at + E_ORDER] = order;
    t[at + E_NEXT] = 0;
    t[at + E_DEVICE] = -1;
    initPoolSlots(this.poolShared(e));
    Atomics.store(t, at + E_KIND, kind);
    Atomics.add(t, at + E_GEN, 1);
    return e;
  }

  /** swiotlb_dyn_free(): give entry `e`'s block back to the reserve and clear the entry. */
  freePool(e: number): void {
    const t = this.table;
    const at = e * ENTRY_WORDS;
    Atomics.add(t, at + E_GEN, 1);
    Atomics.store(t, at + E_KIND, KIND_FREE);
    Atomics.add(t, at + E_GEN, 1);
    this.reserve.freePages(e - 1, t[at + E_ORDER]);
  }

  /** add_mem_pool(): under mem->lock, put entry `e` at the head of mem->pools and add its slots to mem->nslabs. */
  addMemPool(e: number): void {
    const meta = this.meta;
    this.lock.acquire(meta, META_LOCK, this.lockStats);
    const count = meta[META_COUNT];
    meta[META_ORDER + count] = e;
    Atomics.add(meta, META_NSLABS, this.table[e * ENTRY_WORDS + E_NSLABS]);
    Atomics.store(meta, META_COUNT, count + 1);
    this.lock.release(meta, META_LOCK);
  }

  /** Mark a transient pool live in the model's own counts (number, slots, peak slots). */
  countTransient(nslabs: number): void {
    const meta = this.meta;
    Atomics.add(meta, META_TRANSIENT_COUNT, nslabs > 0 ? 1 : -1);
    const live = Atomics.add(meta, META_TRANSIENT_SLOTS, nslabs) + nslabs;
    let peak = Atomics.load(meta, META_TRANSIENT_PEAK);
    while (live > peak) {
      const seen = Atomics.compareExchange(meta, META_TRANSIENT_PEAK, peak, live);
      if (seen === peak) break;
      peak = seen;
    }
  }
}

/** Shared memory of the table and meta words for a reserve of `reservePages` pages. */
export function allocateTables(reservePages: number): { table: SharedArrayBuffer; meta: SharedArrayBuffer } {
  const entries = 1 + reservePages;
  // mem->pools holds the boot pool and growth pools of at least one segment: at most one per 64 pages.
  const listCapacity = 2 + Math.ceil((reservePages * SLABS_PER_PAGE) / IO_TLB_SEGSIZE);
  const table = new SharedArrayBuffer(entries * ENTRY_WORDS * 4);
  new Int32Array(table)[E_KIND] = KIND_BOOT;
  return { table, meta: new SharedArrayBuffer((META_ORDER + listCapacity) * 4) };
}


