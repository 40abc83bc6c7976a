/**
 * One CPU's view of an io_tlb_mem with CONFIG_SWIOTLB_DYNAMIC (docs/model.md,
 * "Dynamic pools"; kernel/dma/swiotlb.c): swiotlb_find_slots() over every
 * pool of mem->pools and the transient-pool fallback, swiotlb_find_pool()
 * (`__swiotlb_find_pool`) as a walk of mem->pools and then the device's
 * transient pools, and unmap with swiotlb_del_transient(). `--kernel-rules`
 * picks the newest kernel's dynamic path or v6.6's (see findSlots).
 */
import { DMA_MAPPING_ERROR, IO_TLB_SEGMENT_BYTES, IO_TLB_SIZE, nrSlots } from '../constants.js';
import { SwiotlbPool } from '../pool.js';
import { type AllocCounters, type BounceAllocator, type HostMemory, copyAndReleaseOf, mapAndCopyOf, newAllocCounters } from '../strategy.js';
import { scheduleDynAlloc, swiotlbAllocPool } from './alloc-pool.js';
import {
  DynamicViews, type DynamicState, ENTRY_WORDS, E_KIND, E_NAREAS, E_NSLABS, E_ORDER, KIND_FREE, KIND_TRANSIENT, META_COUNT, META_NSLABS, META_ORDER, SLABS_PER_PAGE,
} from './layout.js';
import { MAX_PAGE_ORDER } from './page-reserve.js';

/** The strategy counters (AllocCounters.extra) this allocator keeps, by result column name. */
export const DYNAMIC_COUNTERS = [
  'oversize_rejects', 'growth_requests', 'transient_pools', 'transient_alloc_failed', 'transient_no_fit', 'lookups', 'lookup_steps',
] as const;

/** One CPU's view of a dynamic io_tlb_mem. */
export class DynamicAllocator implements BounceAllocator {
  readonly counters: AllocCounters = newAllocCounters();
  readonly v: DynamicViews;
  private readonly boot: SwiotlbPool;
  /** Views of the pools of mem->pools by table entry (transient pools are not kept: see view()). */
  private readonly views: (SwiotlbPool | undefined)[] = [];
  /** The last transient pool's view and its entry. */
  private transientView: SwiotlbPool | null = null;
  private transientEntry = -1;
  private readonly v66: boolean;
  private readonly bootSlots: number;
  /** Devices by min_align_mask, cached. */
  private readonly devices = new Map<number, number>();
  /** The pool the last successful map used: swiotlb_tbl_map_single() hands it to its own copy. */
  private mapPool: SwiotlbPool | null = null;
  /** The pool the last sync's lookup found: the newest kernel hands it to the copy. */
  private syncPool: SwiotlbPool | null = null;

  /** The pool the last successful map used (replays describe the map from it). */
  get lastMapPool(): SwiotlbPool | null {
    return this.mapPool;
  }

  constructor(state: DynamicState) {
    this.v = new DynamicViews(state, this.counters.lock);
    this.boot = new SwiotlbPool(state.boot, this.counters);
    this.views[0] = this.boot;
    this.v66 = state.plan.rules === 'v6.6';
    this.bootSlots = state.boot.nslabs;
    for (const k of DYNAMIC_COUNTERS) this.counters.extra[k] = 0;
  }

  /**
   * A view of table entry `e`: cached per entry for the pools of mem->pools,
   * rebuilt when the entry now holds another pool (entries are reused). A
   * transient pool's view is kept only until the next transient pool's:
   * transient pools come and go by the thousand on different blocks, and
   * 256 virtual CPUs each keeping a view of every block they touched ran a
   * sizing probe out of an 8 GB heap.
   */
  view(e: number): SwiotlbPool {
    const t = this.v.table;
    const at = e * ENTRY_WORDS;
    if (e !== 0 && t[at + E_KIND] === KIND_TRANSIENT) {
      const last = this.transientView;
      if (this.transientEntry === e && last!.nslabs === t[at + E_NSLABS] && last!.nareas === t[at + E_NAREAS]) return last!;
      this.views[e] = undefined;
      this.transientEntry = e;
      return (this.transientView = new SwiotlbPool(this.v.poolShared(e), this.counters));
    }
    const pool = this.views[e];
    if (pool !== undefined && (e === 0 || (pool.nslabs === t[at + E_NSLABS] && pool.nareas === t[at + E_NAREAS]))) return pool;
    const fresh = new SwiotlbPool(this.v.poolShared(e), this.counters);
    this.views[e] = fresh;
    return fresh;
  }

  private device(minAlignMask: number): number {
    let d = this.devices.get(minAlignMask);
    if (d === undefined) {
      d = this.v.devices.deviceOf(minAlignMask);
      this.devices.set(minAlignMask, d);
    }
    return d;
  }

  /**
   * swiotlb_tbl_map_single(): the offset and padded size as the rules say,
   * then findSlots(); on failure counters.lastFailSize holds the message's `sz`.
   */
  tblMapSingle(cpu: number, orig: number, mappingSize: number, allocAlignMask: number, minAlignMask: number): number {
    const boot = this.boot;
    const offset = boot.mapOffset(orig, allocAlignMask, minAlignMask);
    const size = boot.paddedSize(mappingSize, offset, allocAlignMask);
    const found = this.findSlots(cpu, orig, size, allocAlignMask, minAlignMask, mappingSize);
    if (found < 0) {
      this.counters.lastFailSize = boot.failSize(mappingSize, size);
      this.counters.lastFailSlots = nrSlots(size);
      return DMA_MAPPING_ERROR;
    }
    return this.mapPool!.finishMap(found, orig, offset, size);
  }

  /** tblMapSingle() then the map's bounce (the pool at hand, as the newest kernel passes it). */
  mapAndCopy(cpu: number, orig: number, mappingSize: number, allocAlignMask: number, minAlignMask: number, host: HostMemory): number {
    if (this.v66) return mapAndCopyOf(this, cpu, orig, mappingSize, allocAlignMask, minAlignMask, host);
    const tlb = this.tblMapSingle(cpu, orig, mappingSize, allocAlignMask, minAlignMask);
    if (tlb !== DMA_MAPPING_ERROR) this.mapPool!.bounce(tlb, mappingSize, true, minAlignMask, host);
    return tlb;
  }

  /** The unmap's copy through the pool the sync found (bounce()), then releaseSlots() with its own lookup, as the kernel's unmap. */
  copyAndRelease(tlb: number, minAlignMask: number, mappingSize: number, copyBack: number, host: HostMemory): void {
    if (this.v66) return copyAndReleaseOf(this, tlb, minAlignMask, mappingSize, copyBack, host);
    // The unmap's one lookup finds the pool the sync found (pools do not overlap): copy and release in one call there.
    const entry = this.findPool(tlb, minAlignMask);
    if (this.v.table[entry * ENTRY_WORDS + E_KIND] !== KIND_TRANSIENT) return this.view(entry).copyAndRelease(tlb, minAlignMask, mappingSize, copyBack, host);
    if (copyBack !== 0) this.view(entry).bounce(tlb, copyBack, false, minAlignMask, host);
    this.freeTransient(entry);
  }

  /**
   * swiotlb_find_slots(), dynamic. Newest kernel: refuse more than 256 KiB
   * at once; then for each offset i below default_nareas, search area
   * `(cpu + i) & (nareas - 1)` of every pool of mem->pools, newest first,
   * skipping pools with no more than i areas (offset-major; the list is
   * re-read for each offset, so a pool added meanwhile is seen). v6.6
   * (pool-major): each pool newest first, all its areas from
   * `cpu & (nareas - 1)`, no early refusal. Both then queue the dyn_alloc
   * work and try a transient pool. Returns the first slot's index in
   * `this.mapPool`, or -1.
   */
  private findSlots(cpu: number, orig: number, size: number, allocAlignMask: number, minAlignMask: number, requested: number): number {
    const meta = this.v.meta;
    if (this.v66) {
      const count = Atomics.load(meta, META_COUNT);
      for (let k = count - 1; k >= 0; k--) {
        const pool = this.view(meta[META_ORDER + k]);
        const index = pool.findSlots(cpu, orig, size, allocAlignMask, minAlignMask, requested);
        if (index >= 0) return this.found(pool, index);
      }
    } else {
      if (size > IO_TLB_SEGMENT_BYTES) {
        this.counters.extra.oversize_rejects++;
        return -1;
      }
      const offsets = this.v.config.defaultNareas;
      for (let i = 0; i < offsets; i++) {
        const count = Atomics.load(meta, META_COUNT);
        for (let k = count - 1; k >= 0; k--) {
          const pool = this.view(meta[META_ORDER + k]);
          if (i >= pool.nareas) continue;
          if (i > 0) this.counters.areaFallbacks++;
          const index = pool.searchArea((cpu + i) & (pool.nareas - 1), orig, size, allocAlignMask, minAlignMask, requested);
          if (index >= 0) return this.found(pool, index);
        }
      }
    }
    if (scheduleDynAlloc(this.v)) this.counters.extra.growth_requests++;
    return this.transientMap(orig, size, allocAlignMask, minAlignMask, requested);
  }

  private found(pool: SwiotlbPool, index: number): number {
    this.mapPool = pool;
    return index;
  }

  /**
   * The fallback of swiotlb_find_slots(): a transient pool of exactly
   * nr_slots(size) slots in one area (pages: a whole 2^order block), searched
   * once from slot 0; freed at once (swiotlb_dyn_free) when the search
   * fails; else put on the device's list and, newest kernel only, counted in
   * transient_nslabs.
   */
  private transientMap(orig: number, size: number, allocAlignMask: number, minAlignMask: number, requested: number): number {
    const nslabs = nrSlots(size);
    const extra = this.counters.extra;
    const { entry } = swiotlbAllocPool(this.v, KIND_TRANSIENT, nslabs, nslabs, 1);
    if (entry < 0) {
      extra.transient_alloc_failed++;
      return -1;
    }
    const pool = this.view(entry);
    const index = pool.searchArea(0, orig, size, allocAlignMask, minAlignMask, requested);
    if (index < 0) {
      this.v.freePool(entry);
      extra.transient_no_fit++;
      return -1;
    }
    this.v.devices.addTransient(this.device(minAlignMask), entry);
    if (!this.v66) this.v.mem.addTransient(pool.nslabs);
    this.v.countTransient(pool.nslabs);
    extra.transient_pools++;
    return this.found(pool, index);
  }

  /**
   * __swiotlb_find_pool(): compare `tlb` with each pool of mem->pools,
   * newest first, then with the device's transient pools, newest first;
   * counts one lookup and a step per pool compared. The device list is read
   * under its lock, where the kernel reads it under RCU. Returns the pool's
   * table entry (view(entry) is the pool), so a lookup allocates nothing.
   * @throws RangeError when no pool holds `tlb`.
   */
  findPool(tlb: number, minAlignMask: number): number {
    const extra = this.counters.extra;
    const meta = this.v.meta;
    extra.lookups++;
    const count = Atomics.load(meta, META_COUNT);
    for (let k = count - 1; k >= 0; k--) {
      extra.lookup_steps++;
      const entry = meta[META_ORDER + k];
      if (this.v.entryContains(entry, tlb)) return entry;
    }
    const devices = this.v.devices;
    const d = this.device(minAlignMask);
    devices.lockDevice(d);
    try {
      for (let e = devices.head(d); e >= 0; e = devices.next(e)) {
        extra.lookup_steps++;
        if (this.v.entryContains(e, tlb)) return e;
      }
    } finally {
      devices.unlockDevice(d);
    }
    throw new RangeError(`0x${tlb.toString(16)} is in no pool of this io_tlb_mem`);
  }

  /**
   * Unmap: the newest kernel finds the pool once (swiotlb_find_pool() in
   * swiotlb_tbl_unmap_single()); v6.6 walks the list in is_swiotlb_buffer(),
   * again in swiotlb_del_transient() and, for a pool of the list, once more in
   * swiotlb_release_slots(). A transient pool goes away whole
   * (swiotlb_del_transient: dec_used of its nslabs, off the device's list,
   * dec_transient_used, its pages back); otherwise swiotlb_release_slots().
   */
  releaseSlots(tlb: number, minAlignMask: number, mappingSize: number): void {
    if (this.v66) this.findPool(tlb, minAlignMask);
    const entry = this.findPool(tlb, minAlignMask);
    if (this.v.table[entry * ENTRY_WORDS + E_KIND] === KIND_TRANSIENT) return this.freeTransient(entry);
    if (this.v66) this.findPool(tlb, minAlignMask);
    this.view(entry).releaseSlots(tlb, minAlignMask, mappingSize);
  }

  /** swiotlb_del_transient() and its pages back: dec_used of its nslabs, off the device's list, dec_transient_used (newest kernel). */
  private freeTransient(entry: number): void {
    const pool = this.view(entry);
    this.v.mem.decUsed(pool.nslabs);
    this.v.devices.removeTransient(entry);
    if (!this.v66) this.v.mem.addTransient(-pool.nslabs);
    this.v.countTransient(-pool.nslabs);
    this.v.freePool(entry);
  }

  /**
   * A sync's lookup, whatever its direction: swiotlb_find_pool() in the
   * newest kernel's swiotlb_sync_single_for_cpu/device(), is_swiotlb_buffer()
   * in v6.6's dma-direct sync.
   */
  syncLookup(tlb: number, minAlignMask: number): void {
    this.syncPool = this.view(this.findPool(tlb, minAlignMask));
  }

  /**
   * swiotlb_bounce(). The newest kernel hands it the pool: the one just
   * mapped from (`atMap`) or the one the sync found. v6.6's swiotlb_bounce()
   * looks the pool up itself, at map and at sync alike.
   */
  bounce(tlb: number, size: number, toDevice: boolean, minAlignMask: number, host: HostMemory, atMap = false): number {
    let pool = this.v66 ? null : atMap ? this.mapPool : this.syncPool;
    if (pool === null || !pool.contains(tlb)) pool = this.view(this.findPool(tlb, minAlignMask));
    return pool.bounce(tlb, size, toDevice, minAlignMask, host);
  }

  /** The device's view of the bounce buffer (the harness's DMA, not a kernel lookup: no walk counted). */
  deviceAccess(tlb: number, size: number): Uint8Array {
    return this.poolAt(tlb).deviceAccess(tlb, size);
  }

  /**
   * The pool holding `tlb`, by address arithmetic (harness use only): its
   * block is naturally aligned, so it starts at the tlb's page rounded down
   * to the block size, one of MAX_PAGE_ORDER + 1 candidates.
   */
  private poolAt(tlb: number): SwiotlbPool {
    if (this.boot.contains(tlb)) return this.boot;
    const page = Math.floor((tlb - this.v.config.reserveBase) / (SLABS_PER_PAGE * IO_TLB_SIZE));
    const t = this.v.table;
    for (let order = 0; order <= MAX_PAGE_ORDER; order++) {
      const e = 1 + (page - (page % 2 ** order));
      if (t[e * ENTRY_WORDS + E_KIND] !== KIND_FREE && t[e * ENTRY_WORDS + E_ORDER] === order && this.v.entryContains(e, tlb)) return this.view(e);
    }
    throw new RangeError(`0x${tlb.toString(16)} is in no pool of this io_tlb_mem`);
  }

  /** A slot number unique over the boot pool and the reserve. */
  slotOf(tlb: number): number {
    if (this.boot.contains(tlb)) return this.boot.slotOf(tlb);
    return this.bootSlots + Math.floor((tlb - this.v.config.reserveBase) / IO_TLB_SIZE);
  }

  /** mem->nslabs: slots in the boot and growth pools (transient pools not counted). */
  get totalSlots(): number {
    return Atomics.load(this.v.meta, META_NSLABS);
  }

  /**
   * mem_used(): the atomic total_used with CONFIG_DEBUG_FS (transient slots
   * included); without it, the areas' `used` of every pool of mem->pools,
   * transient pools not included.
   */
  usedSlots(): number {
    if (this.v.mem.debugfs) return this.v.mem.used;
    const meta = this.v.meta;
    let used = 0;
    const count = Atomics.load(meta, META_COUNT);
    for (let k = 0; k < count; k++) used += this.view(meta[META_ORDER + k]).poolUsed();
    return used;
  }
}
