/**
 * `cache-friendly-areas`: per-CPU areas with Chao Gao's allocation order, as
 * his "[RFC v2 0/2] swiotlb performance optimizations" posted it (2022-07-18,
 * message 20220718012818.107051-1-chao.gao@intel.com; never merged; docs/strategies.md):
 *
 * - 1/2, free-slot tracking by a bitmap instead of `list[]` counts
 *   (…-2-chao.gao@intel.com): a run fits when all its slots are free; a
 *   release marks its slots free and merges with nothing. Here `list[i]` is
 *   that bit (1 free, 0 used), so the pool pictures and free-run measures
 *   read it as they read the kernel's counts (`max_list` is then 1).
 * - 2/2, "allocate memory in a cache-friendly way" (…-3-chao.gao@intel.com,
 *   first posted 2021-09-01): the area's next-fit `index` is replaced by a
 *   list of its free slots. The search walks it from the head and takes the
 *   first slot that can start the run (alignment, segment, all slots free);
 *   a release puts its slots back at the head, lowest first, so the next map
 *   reuses the most recently freed (cache-hot) buffer. The list starts in
 *   ascending order. There is no stride: misaligned slots are walked past
 *   one by one, as the patch says.
 *
 * Alignment follows the newest kernel's rules (swiotlb_search_pool_area():
 * min_align_mask bits above the slot must match, alloc_align_mask and the
 * page rule for mappings of a page or more), so `--kernel-rules v6.6` is
 * planned as newest. The area locks, io_tlb_used, hiwater and the bounce
 * copies are the kernel's, as per-cpu-areas has them; the search and release
 * run in JavaScript (the other strategies' run in WebAssembly).
 */
import { DMA_MAPPING_ERROR, IO_TLB_SEGSIZE, IO_TLB_SHIFT, IO_TLB_SIZE, PAGE_SIZE, nrSlots } from '../src/model/constants.js';
import { SwiotlbPool } from '../src/model/pool.js';
import { AREA_LOCK, AREA_REQ_BYTES, AREA_STRIDE, AREA_USED, type PoolShared } from '../src/model/pool-layout.js';
import { createSinglePool } from '../src/model/single-pool.js';
import { type HostMemory, type Strategy, type StrategyState, copyAndReleaseOf, mapAndCopyOf } from '../src/model/strategy.js';
import { perCpuAreas } from './per-cpu-areas.js';

/** Shared state: the pool, plus each area's list of free slots. */
export interface CacheFriendlyState extends StrategyState {
  /** Int32 per slot, twice: the next free slot of its area's list (-1: none) at [i], the previous at [nslabs + i]. */
  links: SharedArrayBuffer;
  /** Int32 per area: the first free slot of its list (-1: empty). */
  heads: SharedArrayBuffer;
}

/** Link every slot of each area into its list in ascending order (the patch's list_add_tail at init). */
export function initFreeLists(pool: PoolShared, links: Int32Array, heads: Int32Array): void {
  const { nslabs, nareas } = pool;
  const per = nslabs / nareas;
  for (let a = 0; a < nareas; a++) {
    const first = a * per;
    heads[a] = first;
    for (let i = first; i < first + per; i++) {
      links[i] = i + 1 < first + per ? i + 1 : -1;
      links[nslabs + i] = i > first ? i - 1 : -1;
    }
  }
}

/** One CPU's view: SwiotlbPool's copies and counters, with Gao's search and release. */
export class CacheFriendlyPool extends SwiotlbPool {
  private readonly links: Int32Array;
  private readonly heads: Int32Array;
  /** Low 32 bits of the pool's start: the alignment tests need no more. */
  private readonly startLo: number;

  constructor(state: CacheFriendlyState) {
    super(state.pools[0]);
    this.links = new Int32Array(state.links);
    this.heads = new Int32Array(state.heads);
    this.startLo = this.start % 2 ** 32;
  }

  /** swiotlb_tbl_map_single() with the RFC's search; DMA_MAPPING_ERROR when no area has room. */
  override tblMapSingle(cpu: number, orig: number, mappingSize: number, allocAlignMask: number, minAlignMask: number): number {
    const offset = this.mapOffset(orig, allocAlignMask, minAlignMask);
    const size = this.paddedSize(mappingSize, offset, allocAlignMask);
    const nslots = nrSlots(size);
    // swiotlb_search_pool_area(): the slot's address must be aligned to `align` and match orig under `match`.
    let align = allocAlignMask;
    let match = minAlignMask;
    if (align === 0 && match === 0 && size >= PAGE_SIZE) align = PAGE_SIZE - 1;
    align |= IO_TLB_SIZE - 1;
    match &= ~align;
    const first = this.startArea(cpu);
    for (let k = 0; k < this.nareas; k++) {
      if (k > 0) this.counters.areaFallbacks++;
      const index = this.searchFreeList((first + k) & (this.nareas - 1), orig, size, nslots, align, match, minAlignMask, mappingSize);
      if (index >= 0) return this.finishMap(index, orig, offset, size);
    }
    this.counters.lastFailSize = this.failSize(mappingSize, size);
    this.counters.lastFailSlots = nslots;
    return DMA_MAPPING_ERROR;
  }

  override mapAndCopy(cpu: number, orig: number, mappingSize: number, allocAlignMask: number, minAlignMask: number, host: HostMemory): number {
    return mapAndCopyOf(this, cpu, orig, mappingSize, allocAlignMask, minAlignMask, host);
  }

  /**
   * swiotlb_do_find_slots() of RFC v2 2/2 in area `a`, under its lock: the
   * first slot on the free list that starts a run of `nslots` free slots
   * inside one segment, aligned as asked. Returns its index, or -1.
   */
  private searchFreeList(a: number, orig: number, size: number, nslots: number, align: number, match: number, minAlignMask: number, requested: number): number {
    const words = this.areaWords;
    const line = a * AREA_STRIDE;
    this.lock.acquire(words, line + AREA_LOCK, this.counters.lock);
    if (nslots > this.areaNslabs - words[line + AREA_USED]) {
      this.lock.release(words, line + AREA_LOCK);
      return -1;
    }
    const list = this.list;
    const origBits = orig % 2 ** 32 & match;
    let scanned = 0;
    let i = this.heads[a];
    for (; i !== -1; i = this.links[i]) {
      scanned++;
      const tlb = (this.startLo + (i << IO_TLB_SHIFT)) | 0;
      if ((tlb & align) !== 0 || (orig !== 0 && (tlb & match) !== origBits)) continue;
      if ((i & (IO_TLB_SEGSIZE - 1)) + nslots > IO_TLB_SEGSIZE) continue;
      let j = 1;
      while (j < nslots && list[i + j] !== 0) j++;
      if (j === nslots) break;
    }
    this.counters.slotsScanned += scanned;
    if (i === -1) {
      this.lock.release(words, line + AREA_LOCK);
      return -1;
    }
    const inSlot = orig % 2 ** 32 & minAlignMask & (IO_TLB_SIZE - 1);
    for (let j = 0; j < nslots; j++) {
      list[i + j] = 0;
      this.allocSize[i + j] = size - (inSlot + (j << IO_TLB_SHIFT));
      this.unlink(a, i + j);
    }
    words[line + AREA_USED] += nslots;
    words[line + AREA_REQ_BYTES] += requested;
    this.lock.release(words, line + AREA_LOCK);
    const raised = this.mem.incUsedAndHiwater(nslots);
    if (raised > this.counters.hiwaterRaised) this.counters.hiwaterRaised = raised;
    return i;
  }

  /**
   * swiotlb_release_slots() of the RFC: under the area lock, mark the slots
   * free and put them at the head of the area's list, lowest first; no merge.
   */
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
      this.pushFront(a, j);
    }
    words[line + AREA_REQ_BYTES] -= requested;
    words[line + AREA_USED] -= nslots;
    this.lock.release(words, line + AREA_LOCK);
    this.mem.decUsed(nslots);
  }

  override copyAndRelease(tlb: number, minAlignMask: number, mappingSize: number, copyBack: number, host: HostMemory): void {
    copyAndReleaseOf(this, tlb, minAlignMask, mappingSize, copyBack, host);
  }

  private unlink(a: number, j: number): void {
    const n = this.nslabs;
    const next = this.links[j];
    const prev = this.links[n + j];
    if (prev !== -1) this.links[prev] = next;
    else this.heads[a] = next;
    if (next !== -1) this.links[n + next] = prev;
  }

  private pushFront(a: number, j: number): void {
    const n = this.nslabs;
    const head = this.heads[a];
    this.links[j] = head;
    this.links[n + j] = -1;
    if (head !== -1) this.links[n + head] = j;
    this.heads[a] = j;
  }
}

export const cacheFriendlyAreas: Strategy<CacheFriendlyState> = {
  name: 'cache-friendly-areas',
  description: "per-CPU areas, free slots on a list per area reused most recently freed first, no merge (Chao Gao's 2022 RFC v2, unmerged)",
  plan(request) {
    const plan = perCpuAreas.plan(request);
    if (plan.rules === 'v6.6') {
      plan.changes!.push('--kernel-rules v6.6: cache-friendly-areas applies the newest alignment rules (swiotlb_search_pool_area()), as its search is written for them');
      plan.rules = 'newest';
    }
    plan.notes.push('allocation order: most recently freed slots first (Gao RFC v2 2/2); free slots tracked as bits, no merge (1/2)');
    return plan;
  },
  create(plan, arena) {
    const state = createSinglePool(plan, arena);
    const pool = state.pools[0];
    const links = new SharedArrayBuffer(pool.nslabs * 8);
    const heads = new SharedArrayBuffer(pool.nareas * 4);
    initFreeLists(pool, new Int32Array(links), new Int32Array(heads));
    return { ...state, links, heads };
  },
  attach: (state) => new CacheFriendlyPool(state),
};
