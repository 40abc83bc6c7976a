/**
 * A worker's view of one swiotlb pool (layout: pool-layout.ts): the slot
 * search, release and bounce copy of the newest kernel/dma/swiotlb.c, or of
 * v6.6 when the pool's `rules` say so (docs/model.md, "Slot search", "Mapping
 * and release"; golden vectors in test/fixtures/conformance/). Not modelled:
 * `iommu_is_span_boundary`, which never fires for pools of at most 2 GiB.
 */
import {
  DMA_MAPPING_ERROR, INVALID_PHYS_ADDR, IO_TLB_SEGSIZE, IO_TLB_SHIFT, IO_TLB_SIZE, PAGE_SIZE, alignUp, nrSlots,
} from './constants.js';
import { type LockOps, lockOps } from './lock.js';
import { MemStats } from './mem-stats.js';
import { AREA_INDEX, AREA_LOCK, AREA_REQ_BYTES, AREA_STRIDE, AREA_USED, type PoolShared } from './pool-layout.js';
import { type AllocCounters, type BounceAllocator, type HostMemory, newAllocCounters } from './strategy.js';

/** A worker's view of a shared pool; every method is safe to call from many workers at once. */
export class SwiotlbPool implements BounceAllocator {
  readonly start: number;
  readonly end: number;
  readonly nslabs: number;
  readonly nareas: number;
  /** area_nslabs = nslabs / nareas. */
  readonly areaNslabs: number;
  readonly list: Int32Array;
  readonly allocSize: Int32Array;
  readonly padSlots: Int32Array;
  readonly origAddr: Float64Array;
  readonly areaWords: Int32Array;
  readonly data: Uint8Array;
  readonly counters: AllocCounters;
  readonly mem: MemStats;
  /** The areas' lock (`--lock`). */
  readonly lock: LockOps;
  /** True for the v6.6 rules. */
  private readonly v66: boolean;

  constructor(readonly shared: PoolShared, counters: AllocCounters = newAllocCounters()) {
    this.mem = new MemStats(shared.mem);
    this.start = shared.start;
    this.nslabs = shared.nslabs;
    this.nareas = shared.nareas;
    this.end = shared.start + shared.nslabs * IO_TLB_SIZE;
    this.areaNslabs = shared.nslabs / shared.nareas;
    const { capacity, firstSlot, nslabs } = shared;
    this.list = new Int32Array(shared.slotWords, firstSlot * 4, nslabs);
    this.allocSize = new Int32Array(shared.slotWords, (capacity + firstSlot) * 4, nslabs);
    this.padSlots = new Int32Array(shared.slotWords, (2 * capacity + firstSlot) * 4, nslabs);
    this.origAddr = new Float64Array(shared.origAddr, firstSlot * 8, nslabs);
    this.areaWords = new Int32Array(shared.areas, shared.firstArea * AREA_STRIDE * 4, shared.nareas * AREA_STRIDE);
    this.data = shared.data.byteLength ? new Uint8Array(shared.data, firstSlot * IO_TLB_SIZE, nslabs * IO_TLB_SIZE) : new Uint8Array(0);
    this.counters = counters;
    this.v66 = shared.rules === 'v6.6';
    this.lock = lockOps(shared.lock);
  }

  /** io_tlb_mem nslabs (one pool: this pool's). */
  get totalSlots(): number {
    return this.nslabs;
  }

  /**
   * mem_used(): the atomic total_used with CONFIG_DEBUG_FS; without it,
   * mem_pool_used(): the areas' `used` summed without their locks (racy).
   */
  usedSlots(): number {
    return this.mem.debugfs ? this.mem.used : this.poolUsed();
  }

  /** mem_pool_used(): this pool's areas' `used`, summed without locks. */
  poolUsed(): number {
    let used = 0;
    for (let a = 0; a < this.nareas; a++) used += this.areaUsed(a);
    return used;
  }

  /** Absolute slot index of bounce address `tlb`. */
  slotOf(tlb: number): number {
    return (tlb - this.start) >>> IO_TLB_SHIFT;
  }

  /** The device's view of `size` bytes at bounce address `tlb`. */
  deviceAccess(tlb: number, size: number): Uint8Array {
    const at = tlb - this.start;
    return this.data.subarray(at, at + size);
  }

  /** True when `addr` lies in this pool: the `[start, end)` test of swiotlb_find_pool(). */
  contains(addr: number): boolean {
    return addr >= this.start && addr < this.end;
  }

  /** Area `a`'s `used` (racy read, as mem_pool_used()). */
  areaUsed(a: number): number {
    return Atomics.load(this.areaWords, a * AREA_STRIDE + AREA_USED);
  }

  /** Area `a`'s next-fit `index` (area-relative slot). */
  areaIndex(a: number): number {
    return Atomics.load(this.areaWords, a * AREA_STRIDE + AREA_INDEX);
  }

  /**
   * swiotlb_search_pool_area() (v6.6: swiotlb_area_find_slots()): find
   * `nrSlots(allocSize)` free slots in area `areaIndex` under its lock.
   * `allocSize` already includes the offset (and, newest rules, the
   * alloc_align_mask round-up). Returns the absolute index of the first
   * allocated slot, or -1. `requested` (bytes the caller asked to map) only
   * feeds the internal-waste bookkeeping.
   */
  searchArea(areaIndex: number, orig: number, allocSize: number, allocAlignMask: number, minAlignMask: number, requested: number): number {
    const areaNslabs = this.areaNslabs;
    const nslots = nrSlots(allocSize);
    const offset = orig & minAlignMask & (IO_TLB_SIZE - 1);
    let iotlbAlignMask: number;
    let stride: number;
    if (this.v66) {
      // One test: slot bits under min | alloc | page mask (above the slot) must match orig's.
      iotlbAlignMask = minAlignMask | allocAlignMask;
      if (allocSize >= PAGE_SIZE) iotlbAlignMask |= PAGE_SIZE - 1;
      iotlbAlignMask &= ~(IO_TLB_SIZE - 1);
      stride = (iotlbAlignMask >>> IO_TLB_SHIFT) + 1;
      allocAlignMask = 0;
    } else {
      iotlbAlignMask = minAlignMask;
      // Page rule: >= PAGE_SIZE with no masks stays page aligned (Will Deacon, 2024).
      if (!allocAlignMask && !iotlbAlignMask && allocSize >= PAGE_SIZE) allocAlignMask = PAGE_SIZE - 1;
      allocAlignMask |= IO_TLB_SIZE - 1;
      // Bits preserved by the in-allocation offset need not be matched by slot choice.
      iotlbAlignMask &= ~allocAlignMask;
      stride = (Math.max(allocAlignMask, iotlbAlignMask) >>> IO_TLB_SHIFT) + 1;
    }
    const origBits = orig & iotlbAlignMask;
    const matchOrig = orig !== 0;
    const base = this.start;
    const list = this.list;
    const words = this.areaWords;
    const aw = areaIndex * AREA_STRIDE;
    const counters = this.counters;

    const lock = this.lock;
    lock.acquire(words, aw + AREA_LOCK, counters.lock);
    if (nslots > areaNslabs - words[aw + AREA_USED]) {
      lock.release(words, aw + AREA_LOCK);
      return -1;
    }
    const slotBase = areaIndex * areaNslabs;
    let index = words[aw + AREA_INDEX];
    let scanned = 0;
    let slotIndex = -1;
    for (let checked = 0; checked < areaNslabs;) {
      scanned++;
      const candidate = slotBase + index;
      const tlbAddr = base + candidate * IO_TLB_SIZE;
      if ((tlbAddr & allocAlignMask) !== 0 || (matchOrig && (tlbAddr & iotlbAlignMask) !== origBits)) {
        index = index + 1 >= areaNslabs ? 0 : index + 1;
        checked++;
        continue;
      }
      if (list[candidate] >= nslots) {
        slotIndex = candidate;
        break;
      }
      index = index + stride >= areaNslabs ? 0 : index + stride;
      checked += stride;
    }
    counters.slotsScanned += scanned;
    if (slotIndex < 0) {
      lock.release(words, aw + AREA_LOCK);
      return -1;
    }

    const allocSizes = this.allocSize;
    for (let i = 0; i < nslots; i++) {
      list[slotIndex + i] = 0;
      allocSizes[slotIndex + i] = allocSize - (offset + i * IO_TLB_SIZE);
    }
    // Free slots before the buffer, back to the segment start, no longer reach past it.
    // (The kernel stops at io_tlb_offset(i) == IO_TLB_SEGSIZE - 1; a lower bound is the same test, cheaper.)
    const segmentStart = slotIndex & -IO_TLB_SEGSIZE;
    let count = 0;
    for (let i = slotIndex - 1; i >= segmentStart && list[i] !== 0; i--) list[i] = ++count;
    const next = index + nslots;
    words[aw + AREA_INDEX] = next >= areaNslabs ? 0 : next;
    words[aw + AREA_USED] += nslots;
    words[aw + AREA_REQ_BYTES] += requested;
    lock.release(words, aw + AREA_LOCK);

    const raised = this.mem.incUsedAndHiwater(nslots);
    if (raised > this.counters.hiwaterRaised) this.counters.hiwaterRaised = raised;
    return slotIndex;
  }

  /** The area a CPU's search starts in: `cpu & (nareas - 1)` (a plug-in may choose otherwise). */
  startArea(cpu: number): number {
    return cpu & (this.nareas - 1);
  }

  /**
   * swiotlb_find_slots() without CONFIG_SWIOTLB_DYNAMIC: start in area
   * `cpu & (nareas - 1)`, then the following areas in turn, wrapping.
   * Returns the first allocated slot's index, or -1.
   */
  findSlots(cpu: number, orig: number, allocSize: number, allocAlignMask: number, minAlignMask: number, requested: number): number {
    const nareas = this.nareas;
    const start = this.startArea(cpu);
    let a = start;
    do {
      const index = this.searchArea(a, orig, allocSize, allocAlignMask, minAlignMask, requested);
      if (index >= 0) return index;
      if (++a >= nareas) a = 0;
      if (a !== start) this.counters.areaFallbacks++;
    } while (a !== start);
    return -1;
  }

  /**
   * swiotlb_tbl_map_single() without the copy: reserve slots for `mappingSize`
   * bytes at `orig`, record pad_slots and orig_addr, and return the bounce
   * (tlb) address, or DMA_MAPPING_ERROR (-1) when the pool is full
   * (counters.lastFailSize then holds the `sz` the kernel prints: see failSize).
   */
  tblMapSingle(cpu: number, orig: number, mappingSize: number, allocAlignMask: number, minAlignMask: number): number {
    const offset = this.mapOffset(orig, allocAlignMask, minAlignMask);
    const size = this.paddedSize(mappingSize, offset, allocAlignMask);
    const index = this.findSlots(cpu, orig, size, allocAlignMask, minAlignMask, mappingSize);
    if (index < 0) {
      this.counters.lastFailSize = this.failSize(mappingSize, size);
      this.counters.lastFailSlots = nrSlots(size);
      return DMA_MAPPING_ERROR;
    }
    return this.finishMap(index, orig, offset, size);
  }

  /** The part of `orig` reproduced inside the allocation (swiotlb_align_offset with the map's masks). */
  mapOffset(orig: number, allocAlignMask: number, minAlignMask: number): number {
    // v6.6 keeps only the sub-slot offset.
    return orig & minAlignMask & (this.v66 ? IO_TLB_SIZE - 1 : allocAlignMask | (IO_TLB_SIZE - 1));
  }

  /** Bytes to allocate: mapping + offset, rounded up to the alloc_align_mask (newest rules). */
  paddedSize(mappingSize: number, offset: number, allocAlignMask: number): number {
    return allocAlignMask && !this.v66 ? alignUp(mappingSize + offset, allocAlignMask + 1) : mappingSize + offset;
  }

  /**
   * The `sz` of swiotlb_tbl_map_single()'s "swiotlb buffer is full" message:
   * the newest kernel prints the size it searched for (`size`: mapping plus
   * offset, rounded up to alloc_align_mask); v6.6 prints `alloc_size`, the
   * mapping size without the offset.
   */
  failSize(mappingSize: number, size: number): number {
    return this.v66 ? mappingSize : size;
  }

  /** The tail of swiotlb_tbl_map_single(): pad_slots and orig_addr of the slots found at `index`; returns the tlb address. */
  finishMap(index: number, orig: number, offset: number, size: number): number {
    const pad = offset >>> IO_TLB_SHIFT;
    offset &= IO_TLB_SIZE - 1;
    index += pad;
    this.padSlots[index] = pad;
    const dataSlots = nrSlots(size) - pad;
    const origAddr = this.origAddr;
    for (let i = 0; i < dataSlots; i++) origAddr[index + i] = orig + i * IO_TLB_SIZE;
    return this.start + index * IO_TLB_SIZE + offset;
  }

  /**
   * swiotlb_release_slots(): return the buffer at `tlb` to its area, merging
   * with the free runs after and before it inside the segment. `minAlignMask`
   * must be the mapping device's; `requested` the bytes it mapped.
   */
  releaseSlots(tlb: number, minAlignMask: number, requested: number): void {
    const offset = tlb & minAlignMask & (IO_TLB_SIZE - 1);
    let index = (tlb - offset - this.start) / IO_TLB_SIZE;
    index -= this.padSlots[index];
    const nslots = nrSlots(this.allocSize[index] + offset);
    const areaIndex = Math.floor(index / this.areaNslabs);
    const words = this.areaWords;
    const aw = areaIndex * AREA_STRIDE;
    const list = this.list;
    const allocSizes = this.allocSize;
    const padSlots = this.padSlots;
    const origAddr = this.origAddr;

    this.lock.acquire(words, aw + AREA_LOCK, this.counters.lock);
    const segmentEnd = (index + IO_TLB_SEGSIZE) & -IO_TLB_SEGSIZE;
    let count = index + nslots < segmentEnd ? list[index + nslots] : 0;
    for (let i = index + nslots - 1; i >= index; i--) {
      list[i] = ++count;
      origAddr[i] = INVALID_PHYS_ADDR;
      allocSizes[i] = 0;
      padSlots[i] = 0;
    }
    const segmentStart = index & -IO_TLB_SEGSIZE;
    for (let i = index - 1; i >= segmentStart && list[i] !== 0; i--) list[i] = ++count;
    words[aw + AREA_REQ_BYTES] -= requested;
    words[aw + AREA_USED] -= nslots;
    this.lock.release(words, aw + AREA_LOCK);

    this.mem.decUsed(nslots);
  }

  /**
   * swiotlb_bounce(): copy `size` bytes between the bounce buffer at `tlb` and
   * the original buffer recorded in the slot (`toDevice`: original -> bounce,
   * else bounce -> original). `tlb` may point inside the buffer (partial sync).
   * A copy longer than the rest of the allocation is clamped, as the kernel's
   * "Buffer overflow detected" path does. Returns the bytes copied.
   */
  bounce(tlb: number, size: number, toDevice: boolean, minAlignMask: number, host: HostMemory): number {
    const index = (tlb - this.start) >>> IO_TLB_SHIFT;
    let orig = this.origAddr[index];
    if (orig === INVALID_PHYS_ADDR) return 0;
    let allocSize = this.allocSize[index];
    const tlbOffset = (tlb & (IO_TLB_SIZE - 1)) - (orig & minAlignMask & (IO_TLB_SIZE - 1));
    orig += tlbOffset;
    allocSize -= tlbOffset;
    if (size > allocSize) size = allocSize;
    const bounceAt = tlb - this.start;
    const hostAt = orig - host.base;
    if (toDevice) this.data.set(host.bytes.subarray(hostAt, hostAt + size), bounceAt);
    else host.bytes.set(this.data.subarray(bounceAt, bounceAt + size), hostAt);
    return size;
  }
}
