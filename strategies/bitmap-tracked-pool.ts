/**
 * A pool whose free slots are tracked as bits, as Chao Gao's "[PATCH v1 1/3]
 * swiotlb: Use bitmap to track free slots" (2022-06-28,
 * 20220628070136.419163-2-chao.gao@intel.com; again as RFC v2 1/2,
 * 20220718012818.107051-2-chao.gao@intel.com) replaces the `list[]` counts:
 * a run fits when every one of its slots is free, and a release marks its
 * slots free and merges with nothing. `list[i]` holds the bit (1 free, 0
 * used), so pool pictures and free-run measures read it as they read the
 * kernel's counts (`max_list` is then 1). The area locks, io_tlb_used,
 * hiwater and bounce copies are SwiotlbPool's; the search order is the
 * subclass's (cache-friendly-areas: a list of free slots). Search and
 * release run in JavaScript; bitmap-areas, with the kernel's search order,
 * uses pool-ops.wat's bits mode instead.
 */
import { DMA_MAPPING_ERROR, IO_TLB_SEGSIZE, IO_TLB_SHIFT, IO_TLB_SIZE, PAGE_SIZE, nrSlots } from '../src/model/constants.js';
import { SwiotlbPool } from '../src/model/pool.js';
import { AREA_LOCK, AREA_REQ_BYTES, AREA_STRIDE, AREA_USED } from '../src/model/pool-layout.js';
import { type HostMemory, type PoolPlan, copyAndReleaseOf, mapAndCopyOf } from '../src/model/strategy.js';

/** What one search looks for (swiotlb_search_pool_area()'s inputs, newest rules). */
export interface RunWanted {
  /** Low 32 bits of the original's address, and whether it is non-zero. */
  origLo: number;
  hasOrig: boolean;
  /** Bytes to allocate (offset and round-up included), and their slots. */
  size: number;
  nslots: number;
  /** The slot's address must have these bits clear... */
  align: number;
  /** ...and these bits equal to the original's. */
  match: number;
}

/** The newest rules for `--kernel-rules v6.6`, with a plan change saying so (the bitmap searches are written for them). */
export function planNewestRules(plan: PoolPlan, name: string): PoolPlan {
  if (plan.rules === 'v6.6') {
    plan.changes = [...(plan.changes ?? []), `--kernel-rules v6.6: ${name} applies the newest alignment rules (swiotlb_search_pool_area()), as its search is written for them`];
    plan.rules = 'newest';
  }
  return plan;
}

/** SwiotlbPool with bit-tracked free slots; subclasses choose the candidates. */
export abstract class BitmapTrackedPool extends SwiotlbPool {
  /** Low 32 bits of the pool's start: the alignment tests need no more. */
  protected readonly startLo = this.start % 2 ** 32;

  /**
   * Area `a`'s search, under its lock: the first free slot that starts a run
   * for `w` (`fits`), in the subclass's order, counting candidates in
   * counters.slotsScanned. Returns the slot, or -1.
   */
  protected abstract findRun(a: number, w: RunWanted): number;

  /** Called under the area lock for each slot a map takes, and for each slot a release frees (last to first). */
  protected abstract taken(a: number, slot: number): void;
  protected abstract freed(a: number, slot: number): void;

  /** True when slot `i` can start the run: aligned as asked, inside one 128-slot segment, all its slots free. */
  protected fits(i: number, w: RunWanted): boolean {
    const tlb = (this.startLo + (i << IO_TLB_SHIFT)) | 0;
    if ((tlb & w.align) !== 0 || (w.hasOrig && (tlb & w.match) !== (w.origLo & w.match))) return false;
    if ((i & (IO_TLB_SEGSIZE - 1)) + w.nslots > IO_TLB_SEGSIZE) return false;
    const list = this.list;
    for (let j = 0; j < w.nslots; j++) if (list[i + j] === 0) return false;
    return true;
  }

  /** swiotlb_tbl_map_single(): the kept offset, the padded size, areas from startArea(cpu), then pad_slots and orig_addr. */
  override tblMapSingle(cpu: number, orig: number, mappingSize: number, allocAlignMask: number, minAlignMask: number): number {
    const offset = this.mapOffset(orig, allocAlignMask, minAlignMask);
    const size = this.paddedSize(mappingSize, offset, allocAlignMask);
    let align = allocAlignMask;
    let match = minAlignMask;
    if (align === 0 && match === 0 && size >= PAGE_SIZE) align = PAGE_SIZE - 1;
    align |= IO_TLB_SIZE - 1;
    match &= ~align;
    const w: RunWanted = { origLo: orig % 2 ** 32, hasOrig: orig !== 0, size, nslots: nrSlots(size), align, match };
    const first = this.startArea(cpu);
    for (let k = 0; k < this.nareas; k++) {
      if (k > 0) this.counters.areaFallbacks++;
      const index = this.takeRun((first + k) & (this.nareas - 1), w, minAlignMask, mappingSize);
      if (index >= 0) return this.finishMap(index, orig, offset, size);
    }
    this.counters.lastFailSize = this.failSize(mappingSize, size);
    this.counters.lastFailSlots = w.nslots;
    return DMA_MAPPING_ERROR;
  }

  /** Area `a` under its lock: the room test, findRun(), then take the run. Returns its first slot, or -1. */
  private takeRun(a: number, w: RunWanted, minAlignMask: number, requested: number): number {
    const words = this.areaWords;
    const line = a * AREA_STRIDE;
    this.lock.acquire(words, line + AREA_LOCK, this.counters.lock);
    const i = w.nslots > this.areaNslabs - words[line + AREA_USED] ? -1 : this.findRun(a, w);
    if (i < 0) {
      this.lock.release(words, line + AREA_LOCK);
      return -1;
    }
    const inSlot = w.origLo & minAlignMask & (IO_TLB_SIZE - 1);
    for (let j = 0; j < w.nslots; j++) {
      this.list[i + j] = 0;
      this.allocSize[i + j] = w.size - (inSlot + (j << IO_TLB_SHIFT));
      this.taken(a, i + j);
    }
    words[line + AREA_USED] += w.nslots;
    words[line + AREA_REQ_BYTES] += requested;
    this.lock.release(words, line + AREA_LOCK);
    const raised = this.mem.incUsedAndHiwater(w.nslots);
    if (raised > this.counters.hiwaterRaised) this.counters.hiwaterRaised = raised;
    return i;
  }

  override mapAndCopy(cpu: number, orig: number, mappingSize: number, allocAlignMask: number, minAlignMask: number, host: HostMemory): number {
    return mapAndCopyOf(this, cpu, orig, mappingSize, allocAlignMask, minAlignMask, host);
  }

  /** swiotlb_release_slots() with bits: under the area lock, mark the slots free (last to first); no merge. */
  override releaseSlots(tlb: number, minAlignMask: number, requested: number): void {
    const rel = tlb - this.start;
    const inSlot = rel & minAlignMask & (IO_TLB_SIZE - 1);
    let index = (rel - inSlot) >>> IO_TLB_SHIFT;
    index -= this.padSlots[index];
    const nslots = nrSlots(this.allocSize[index] + inSlot);
    const a = Math.floor(index / this.areaNslabs);
    const words = this.areaWords;
    const line = a * AREA_STRIDE;
    this.lock.acquire(words, line + AREA_LOCK, this.counters.lock);
    for (let j = index + nslots - 1; j >= index; j--) {
      this.list[j] = 1;
      this.origAddr[j] = -1;
      this.allocSize[j] = 0;
      this.padSlots[j] = 0;
      this.freed(a, j);
    }
    words[line + AREA_REQ_BYTES] -= requested;
    words[line + AREA_USED] -= nslots;
    this.lock.release(words, line + AREA_LOCK);
    this.mem.decUsed(nslots);
  }

  override copyAndRelease(tlb: number, minAlignMask: number, mappingSize: number, copyBack: number, host: HostMemory): void {
    copyAndReleaseOf(this, tlb, minAlignMask, mappingSize, copyBack, host);
  }
}
