/**
 * Strategies with several io_tlb_mems side by side (a pool per NUMA node, a
 * pool or a set of children per device): their pools laid out one after the
 * other, and one CPU's view of them. The view does everything but choose the
 * pool at map time, which each strategy does (PerDeviceAllocator: the
 * mapping device's). Unmap and sync find the owning pool by address, as
 * swiotlb_find_pool() does; slot numbers run on from one pool to the next,
 * so `slotOf` is unique over all of them.
 */
import { DEFAULT_POOL_BASE, IO_TLB_SIZE } from './constants.js';
import type { DmaArena } from './dma-arena.js';
import { type AllocCounters, type BounceAllocator, type HostMemory, type PoolPlan, type StrategyState, newAllocCounters } from './strategy.js';
import { SwiotlbPool } from './pool.js';
import { type PoolShared, allocatePool } from './pool-layout.js';

/** Pools side by side start this far apart (each in its own node's memory, or its own reserved region). */
const POOL_ALIGN = 2 << 20;

/**
 * Allocate a pool of `slots[i]` slots in `plan.nareas` areas for each i,
 * each with its own io_tlb_mem counters, from DEFAULT_POOL_BASE on, each
 * starting on a 2 MiB boundary after the one before; `label` names pool i in
 * the pool pictures (by its node when omitted).
 * @throws RangeError as allocatePool does (areas not dividing a pool).
 */
export function allocatePoolsSideBySide(slots: readonly number[], plan: Pick<PoolPlan, 'nareas' | 'rules' | 'lock' | 'debugfs'>, arena?: DmaArena, label?: (i: number) => string): PoolShared[] {
  let start = DEFAULT_POOL_BASE;
  return slots.map((n, i) => {
    const pool = allocatePool(n, plan.nareas, start, { rules: plan.rules, lock: plan.lock, debugfs: plan.debugfs, arena });
    start += Math.ceil((n * IO_TLB_SIZE) / POOL_ALIGN) * POOL_ALIGN;
    return label ? { ...pool, label: label(i) } : pool;
  });
}

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

/**
 * A pool per device: a map goes to the mapping device's pool (its
 * dev->dma_io_tlb_mem) and nowhere else, so a full pool fails the map while
 * another device's has room.
 */
export class PerDeviceAllocator extends MultiPoolAllocator {
  tblMapSingle(cpu: number, orig: number, mappingSize: number, allocAlignMask: number, minAlignMask: number, device = 0): number {
    return this.poolOf(device).tblMapSingle(cpu, orig, mappingSize, allocAlignMask, minAlignMask);
  }

  mapAndCopy(cpu: number, orig: number, mappingSize: number, allocAlignMask: number, minAlignMask: number, host: HostMemory, device = 0): number {
    return this.poolOf(device).mapAndCopy(cpu, orig, mappingSize, allocAlignMask, minAlignMask, host);
  }

  /**
   * The pool of device `device`.
   * @throws RangeError for a device the plan gave no pool (a schedule of more devices than the plan's).
   */
  private poolOf(device: number): SwiotlbPool {
    const pool = this.pools[device];
    if (pool === undefined) throw new RangeError(`device ${device} has no pool: the plan has ${this.pools.length}`);
    return pool;
  }
}
