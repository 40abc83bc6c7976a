/**
 * A worker's view of one swiotlb pool (layout: pool-layout.ts): the slot
 * search, release and bounce copy of the newest kernel/dma/swiotlb.c, or of
 * v6.6 when the pool's `rules` say so (docs/model.md, "Slot search", "Mapping
 * and release"; golden vectors in test/fixtures/conformance/). Not modelled:
 * `iommu_is_span_boundary`, which never fires for pools of at most 2 GiB.
 *
 * The work runs in WebAssembly (wasm/pool-ops.wat: the search, the area
 * locks' fast paths, the renumbering of `list[]`, the counters, memory.copy),
 * one call per map, unmap or copy; this class passes the arguments, adds the
 * call's results to this CPU's counters, and keeps the typed-array views the
 * harness reads (pictures, verify mode, conformance checks).
 */
import { DMA_MAPPING_ERROR, IO_TLB_SHIFT, IO_TLB_SIZE, alignUp, nrSlots } from './constants.js';
import { LockTimeoutError, type LockOps, lockOps } from './lock.js';
import { MemStats } from './mem-stats.js';
import { AREA_INDEX, AREA_STRIDE, AREA_USED, type PoolShared, areaLineView, slotViews } from './pool-layout.js';
import { type AllocCounters, type BounceAllocator, type HostMemory, copyAndReleaseOf, mapAndCopyOf, newAllocCounters } from './strategy.js';
import { type PoolOps, type PoolOpsExports, SCRATCH, poolOpsFor } from './wasm/pool-ops.js';

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
  /** The areas' lock (`--lock`), for JavaScript that takes an area lock itself (tests). */
  readonly lock: LockOps;
  /** True for the v6.6 rules. */
  private readonly v66: boolean;
  /** This thread's binding of pool-ops.wat to the pool's memory. */
  private readonly ops: PoolOps;
  private readonly wasm: PoolOpsExports;
  private readonly memory: WebAssembly.Memory;
  /** Byte offset of the pool's descriptor, and of this thread's scratch block. */
  private readonly desc: number;
  private readonly scratch: number;
  private readonly hasData: boolean;

  constructor(readonly shared: PoolShared, counters: AllocCounters = newAllocCounters()) {
    this.mem = new MemStats(shared.mem);
    this.start = shared.start;
    this.nslabs = shared.nslabs;
    this.nareas = shared.nareas;
    this.end = shared.start + shared.nslabs * IO_TLB_SIZE;
    this.areaNslabs = shared.nslabs / shared.nareas;
    const views = slotViews(shared);
    this.list = views.list;
    this.allocSize = views.allocSize;
    this.padSlots = views.padSlots;
    this.origAddr = views.origAddr;
    this.data = views.data;
    this.areaWords = areaLineView(shared);
    this.counters = counters;
    this.v66 = shared.rules === 'v6.6';
    this.lock = lockOps(shared.lock);
    this.memory = shared.store.memory;
    this.ops = poolOpsFor(this.memory);
    this.wasm = this.ops.exports;
    this.desc = shared.desc;
    this.scratch = this.ops.scratch;
    this.hasData = shared.store.data >= 0;
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

  /** Zero this thread's scratch block before a call that does not (map and release clear it themselves). */
  private clearScratch(): void {
    const s = this.ops.scratchWords;
    s[0] = s[1] = s[2] = s[3] = s[6] = s[7] = s[8] = 0;
    this.ops.scratchWaitNs[0] = 0;
  }

  /**
   * Add what the last call left in this thread's scratch block to the counters.
   * @throws LockTimeoutError when the call (`result` -2, or `timedOut`) gave up on a lock.
   */
  private account(timedOut: boolean): void {
    const s = this.ops.scratchWords;
    const c = this.counters;
    c.slotsScanned += s[SCRATCH.scanned];
    c.areaFallbacks += s[SCRATCH.fallbacks];
    c.lock.acquisitions += s[SCRATCH.acquisitions];
    if (s[SCRATCH.contended] !== 0) {
      c.lock.contended += s[SCRATCH.contended];
      c.lock.waitNs += this.ops.scratchWaitNs[0];
    }
    c.lockedOps += s[SCRATCH.lockedOps];
    const raised = s[SCRATCH.raised];
    if (raised > c.hiwaterRaised) c.hiwaterRaised = raised;
    if (timedOut) throw new LockTimeoutError(`area lock of the pool at 0x${this.start.toString(16)}`, 10_000);
  }

  /**
   * swiotlb_search_pool_area() (v6.6: swiotlb_area_find_slots()): find
   * `nrSlots(allocSize)` free slots in area `areaIndex` under its lock.
   * `allocSize` already includes the offset (and, newest rules, the
   * alloc_align_mask round-up). Returns the absolute index of the first
   * allocated slot, or -1. `requested` (bytes the caller asked to map) only
   * feeds the internal-waste bookkeeping.
   * @throws LockTimeoutError when the area lock cannot be had.
   */
  searchArea(areaIndex: number, orig: number, allocSize: number, allocAlignMask: number, minAlignMask: number, requested: number): number {
    this.clearScratch();
    const index = this.wasm.search_area(this.desc, this.scratch, areaIndex, orig | 0, orig !== 0 ? 1 : 0, allocSize, allocAlignMask, minAlignMask, requested);
    this.account(index === -2);
    return index;
  }

  /** The area a CPU's search starts in: `cpu & (nareas - 1)` (a plug-in may choose otherwise). */
  startArea(cpu: number): number {
    return cpu & (this.nareas - 1);
  }

  /**
   * swiotlb_find_slots() without CONFIG_SWIOTLB_DYNAMIC: start in area
   * startArea(cpu), then the following areas in turn, wrapping.
   * Returns the first allocated slot's index, or -1.
   * @throws LockTimeoutError when an area lock cannot be had.
   */
  findSlots(cpu: number, orig: number, allocSize: number, allocAlignMask: number, minAlignMask: number, requested: number): number {
    this.clearScratch();
    const index = this.wasm.find_slots(this.desc, this.scratch, this.startArea(cpu), orig | 0, orig !== 0 ? 1 : 0, allocSize, allocAlignMask, minAlignMask, requested);
    this.account(index === -2);
    return index;
  }

  /**
   * swiotlb_tbl_map_single() without the copy: reserve slots for `mappingSize`
   * bytes at `orig`, record pad_slots and orig_addr, and return the bounce
   * (tlb) address, or DMA_MAPPING_ERROR (-1) when the pool is full
   * (counters.lastFailSize then holds the `sz` the kernel prints: see failSize).
   * @throws LockTimeoutError when an area lock cannot be had.
   */
  tblMapSingle(cpu: number, orig: number, mappingSize: number, allocAlignMask: number, minAlignMask: number): number {
    const tlb = this.wasm.map(this.desc, this.scratch, this.startArea(cpu), orig, mappingSize, allocAlignMask, minAlignMask);
    return this.mapped(tlb, orig, mappingSize, allocAlignMask, minAlignMask);
  }

  /**
   * tblMapSingle() and the map's copy original -> bounce in one WebAssembly
   * call when `host` is in this pool's memory.
   * @throws LockTimeoutError when an area lock cannot be had.
   */
  mapAndCopy(cpu: number, orig: number, mappingSize: number, allocAlignMask: number, minAlignMask: number, host: HostMemory): number {
    if (host.memory !== this.memory || !this.hasData) return mapAndCopyOf(this, cpu, orig, mappingSize, allocAlignMask, minAlignMask, host);
    const tlb = this.wasm.map_copy(this.desc, this.scratch, this.startArea(cpu), orig, mappingSize, allocAlignMask, minAlignMask, host.at, host.base);
    return this.mapped(tlb, orig, mappingSize, allocAlignMask, minAlignMask);
  }

  /** The tail of a map call: counters, then the tlb address or DMA_MAPPING_ERROR with the failure's sizes. */
  private mapped(tlb: number, orig: number, mappingSize: number, allocAlignMask: number, minAlignMask: number): number {
    this.account(tlb === -2);
    if (tlb >= 0) return this.start + tlb;
    this.counters.lastFailSize = this.ops.scratchWords[SCRATCH.failSize];
    this.counters.lastFailSlots = nrSlots(this.paddedSize(mappingSize, this.mapOffset(orig, allocAlignMask, minAlignMask), allocAlignMask));
    return DMA_MAPPING_ERROR;
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
    return this.start + this.wasm.finish_map(this.desc, index, orig, offset, size);
  }

  /**
   * swiotlb_release_slots(): return the buffer at `tlb` to its area, merging
   * with the free runs after and before it inside the segment. `minAlignMask`
   * must be the mapping device's; `requested` the bytes it mapped.
   * @throws LockTimeoutError when the area lock cannot be had.
   */
  releaseSlots(tlb: number, minAlignMask: number, requested: number): void {
    const done = this.wasm.release(this.desc, this.scratch, tlb - this.start, minAlignMask, requested);
    this.account(done === 0);
  }

  /**
   * Copy `copyBack` bytes bounce -> original (0: none), then releaseSlots(),
   * in one WebAssembly call when `host` is in this pool's memory.
   * @throws LockTimeoutError when the area lock cannot be had.
   */
  copyAndRelease(tlb: number, minAlignMask: number, requested: number, copyBack: number, host: HostMemory): void {
    if (host.memory !== this.memory || !this.hasData) return copyAndReleaseOf(this, tlb, minAlignMask, requested, copyBack, host);
    const done = this.wasm.unmap_copy(this.desc, this.scratch, tlb - this.start, minAlignMask, requested, copyBack, host.at, host.base);
    this.account(done === 0);
  }

  /**
   * swiotlb_bounce(): copy `size` bytes between the bounce buffer at `tlb` and
   * the original buffer recorded in the slot (`toDevice`: original -> bounce,
   * else bounce -> original). `tlb` may point inside the buffer (partial sync).
   * A copy longer than the rest of the allocation is clamped, as the kernel's
   * "Buffer overflow detected" path does. Returns the bytes copied. With the
   * host buffers in this pool's memory the copy is memory.copy in
   * WebAssembly; else a typed-array copy.
   */
  bounce(tlb: number, size: number, toDevice: boolean, minAlignMask: number, host: HostMemory): number {
    if (host.memory === this.memory && this.hasData) {
      return this.wasm.bounce(this.desc, tlb - this.start, size, toDevice ? 1 : 0, minAlignMask, host.at, host.base);
    }
    const index = (tlb - this.start) >>> IO_TLB_SHIFT;
    let orig = this.origAddr[index];
    if (orig === -1) return 0;
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
