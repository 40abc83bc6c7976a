/**
 * One CPU's view of dynamic-growth: swiotlb_find_slots() with
 * CONFIG_SWIOTLB_DYNAMIC (every pool, newest first, for each area offset),
 * the transient-pool fallback, and swiotlb_find_pool() at unmap
 * (docs/model.md, "Dynamic pools").
 */
import { DEFAULT_POOL_BASE, DMA_MAPPING_ERROR, IO_TLB_SEGMENT_BYTES, IO_TLB_SHIFT, nrSlots } from '../../src/model/constants.js';
import { SwiotlbPool } from '../../src/model/pool.js';
import { roundUpPowerOfTwo } from '../../src/model/pool-sizing.js';
import { type AllocCounters, type BounceAllocator, type HostMemory, newAllocCounters } from '../../src/model/strategy.js';
import { DynamicViews, type DynamicState, ENTRY_WORDS, KIND_TRANSIENT, META_COUNT, META_NSLABS, META_ORDER, META_PENDING, META_TRANSIENT_PEAK, wallMs } from './state.js';

/** One CPU's view of the dynamic allocator. */
export class DynamicAllocator implements BounceAllocator {
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
