/**
 * One CPU's view of a strategy with several io_tlb_mems side by side (a pool
 * per NUMA node, a pool per device): everything but the choice of pool at map
 * time, which each strategy makes. Unmap and sync find the owning pool by
 * address, as swiotlb_find_pool() does; slot numbers run on from one pool to
 * the next, so `slotOf` is unique over all of them.
 */
import { type AllocCounters, type BounceAllocator, type HostMemory, type StrategyState, newAllocCounters } from './strategy.js';
import { SwiotlbPool } from './pool.js';
import type { PoolShared } from './pool-layout.js';

export abstract class MultiPoolAllocator implements BounceAllocator {
  readonly counters: AllocCounters = newAllocCounters();
  /** The pools in `state.pools` order, each counting into this CPU's counters. */
  readonly pools: SwiotlbPool[];
  /** Slots in all pools together. */
  readonly totalSlots: number;
  private readonly slotBase: number[] = [];

  /** @param makePool the view of pool `i` (a SwiotlbPool subclass for strategies that choose areas their own way); plain SwiotlbPool when omitted. */
  constructor(state: StrategyState, makePool: (shared: PoolShared, counters: AllocCounters, i: number) => SwiotlbPool = (shared, counters) => new SwiotlbPool(shared, counters)) {
    this.pools = state.pools.map((p, i) => makePool(p, this.counters, i));
    let base = 0;
    for (const p of this.pools) {
      this.slotBase.push(base);
      base += p.nslabs;
    }
    this.totalSlots = base;
  }

  abstract tblMapSingle(cpu: number, orig: number, mappingSize: number, allocAlignMask: number, minAlignMask: number, device?: number): number;
  abstract mapAndCopy(cpu: number, orig: number, mappingSize: number, allocAlignMask: number, minAlignMask: number, host: HostMemory, device?: number): number;

  /**
   * swiotlb_find_pool(): the index of the pool whose [start, end) holds `tlb`.
   * @throws RangeError when no pool does (an address this strategy never gave out).
   */
  protected poolIndex(tlb: number): number {
    const pools = this.pools;
    for (let i = 0; i < pools.length; i++) if (pools[i].contains(tlb)) return i;
    throw new RangeError(`0x${tlb.toString(16)} is in no pool`);
  }

  releaseSlots(tlb: number, minAlignMask: number, mappingSize: number): void {
    this.pools[this.poolIndex(tlb)].releaseSlots(tlb, minAlignMask, mappingSize);
  }

  copyAndRelease(tlb: number, minAlignMask: number, mappingSize: number, copyBack: number, host: HostMemory): void {
    this.pools[this.poolIndex(tlb)].copyAndRelease(tlb, minAlignMask, mappingSize, copyBack, host);
  }

  bounce(tlb: number, size: number, toDevice: boolean, minAlignMask: number, host: HostMemory): number {
    return this.pools[this.poolIndex(tlb)].bounce(tlb, size, toDevice, minAlignMask, host);
  }

  deviceAccess(tlb: number, size: number): Uint8Array {
    return this.pools[this.poolIndex(tlb)].deviceAccess(tlb, size);
  }

  slotOf(tlb: number): number {
    const i = this.poolIndex(tlb);
    return this.slotBase[i] + this.pools[i].slotOf(tlb);
  }

  /** mem_used() of every io_tlb_mem, summed. */
  usedSlots(): number {
    let used = 0;
    for (const p of this.pools) used += p.usedSlots();
    return used;
  }
}
