/**
 * The shared memory of one swiotlb pool (`struct io_tlb_pool`), laid out as
 * struct-of-arrays over SharedArrayBuffers so every worker sees one pool
 * (docs/model.md, "Pool layout and boot sizing"):
 * - per slot (Int32): `list` (free slots from here to the segment end, 0 =
 *   used), `alloc_size` (bytes from this slot to the allocation end),
 *   `pad_slots`; per slot (Float64): `orig_addr` (-1 = INVALID_PHYS_ADDR);
 * - per area, one 64-byte line of Int32 words: the lock (LOCK_WORDS words),
 *   `used` (slots), `index` (next-fit start, area-relative slot), and the bytes the live
 *   mappings asked for (model bookkeeping, not in the kernel, kept under the
 *   area lock to measure internal waste without a shared hot counter);
 * - the bounce data itself: nslabs x 2 KiB bytes.
 * Several pools may share one set of backing arrays (dynamic pools carve
 * theirs from one reserve: `capacity`, `firstSlot`, `firstArea`).
 */
import { INVALID_PHYS_ADDR, IO_TLB_SEGSIZE, IO_TLB_SIZE, type KernelRules } from './constants.js';
import { LOCK_WORDS, type LockKind } from './lock.js';
import { allocateMemStats } from './mem-stats.js';

/** Int32 words per area: one 64-byte cache line, so areas share no line. */
export const AREA_STRIDE = 16;
/** Area word offsets: the lock (LOCK_WORDS words), `used` (slots), `index` (area-relative slot). */
export const AREA_LOCK = 0;
export const AREA_USED = AREA_LOCK + LOCK_WORDS;
export const AREA_INDEX = AREA_USED + 1;
/** Area word offset: bytes requested by the live mappings of the area (fits: an area is at most 1 GiB). */
export const AREA_REQ_BYTES = AREA_INDEX + 1;

/** Structured-cloneable description of one pool's shared memory. */
export interface PoolShared {
  /** Physical (= DMA) address of slot 0, bytes; 2 KiB aligned. */
  start: number;
  /** Slots in the pool. */
  nslabs: number;
  /** Areas (lock domains); a power of two dividing nslabs. */
  nareas: number;
  /** Slot-search rule set. */
  rules: KernelRules;
  /** The lock its areas run with (`--lock`). */
  lock: LockKind;
  /** The io_tlb_mem counters this pool counts into (shared by pools of one allocator). */
  mem: SharedArrayBuffer;
  /**
   * Backing arrays, which may hold several pools (dynamic pools carve theirs
   * from one reserve): Int32 list[capacity], alloc_size[capacity],
   * pad_slots[capacity]; this pool uses entries firstSlot..firstSlot+nslabs-1.
   */
  slotWords: SharedArrayBuffer;
  /** Float64 orig_addr[capacity]. */
  origAddr: SharedArrayBuffer;
  /** AREA_STRIDE Int32 words per area; this pool's areas start at firstArea. */
  areas: SharedArrayBuffer;
  /** Bounce data: capacity * IO_TLB_SIZE bytes (or empty). */
  data: SharedArrayBuffer;
  /** Slots in the backing arrays. */
  capacity: number;
  /** This pool's first slot in the backing arrays. */
  firstSlot: number;
  /** This pool's first area in `areas`. */
  firstArea: number;
  /**
   * How reports name the pool when the strategy names it (dynamic pools: kind
   * and first slot in the reserve, e.g. `transient@1536`); otherwise by position.
   */
  label?: string;
}

/** Options of {@link allocatePool}. */
export interface PoolAllocation {
  /** Allocate the bounce data too (false for bookkeeping-only pools, e.g. conformance replay). */
  withData?: boolean;
  rules?: KernelRules;
  /** The areas' lock; qspinlock when omitted. */
  lock?: LockKind;
  /** io_tlb_mem counters to count into; a fresh set (with `debugfs`) when omitted. */
  mem?: SharedArrayBuffer;
  /** CONFIG_DEBUG_FS of a fresh set of counters; true when omitted. */
  debugfs?: boolean;
}

/**
 * swiotlb_init_io_tlb_pool(): allocate and initialise a pool's shared memory.
 * `list[i] = min(128 - i % 128, nslabs - i)`, every slot free, every area at index 0.
 * @throws RangeError if nareas is not a power of two dividing nslabs.
 */
export function allocatePool(nslabs: number, nareas: number, start: number, options: PoolAllocation = {}): PoolShared {
  if (!Number.isInteger(nslabs) || nslabs <= 0) throw new RangeError(`nslabs must be a positive integer, got ${nslabs}`);
  if (nareas < 1 || (nareas & (nareas - 1)) !== 0) throw new RangeError(`nareas must be a power of two, got ${nareas}`);
  if (nslabs % nareas !== 0) throw new RangeError(`nslabs ${nslabs} is not a multiple of nareas ${nareas}`);
  if (start % IO_TLB_SIZE !== 0) throw new RangeError(`pool start 0x${start.toString(16)} is not slot aligned`);
  const shared: PoolShared = {
    start,
    nslabs,
    nareas,
    rules: options.rules ?? 'newest',
    lock: options.lock ?? 'qspinlock',
    mem: options.mem ?? allocateMemStats(options.debugfs ?? true),
    slotWords: new SharedArrayBuffer(nslabs * 3 * 4),
    origAddr: new SharedArrayBuffer(nslabs * 8),
    areas: new SharedArrayBuffer(nareas * AREA_STRIDE * 4),
    data: new SharedArrayBuffer(options.withData === false ? 0 : nslabs * IO_TLB_SIZE),
    capacity: nslabs,
    firstSlot: 0,
    firstArea: 0,
  };
  initPoolSlots(shared);
  return shared;
}

/**
 * Reset a pool's slots and areas to "all free" (swiotlb_init_io_tlb_pool):
 * `list[i] = min(128 - i % 128, nslabs - i)`, no orig_addr, every area empty at index 0.
 */
export function initPoolSlots(shared: PoolShared): void {
  const { nslabs, capacity, firstSlot } = shared;
  const list = new Int32Array(shared.slotWords, firstSlot * 4, nslabs);
  for (let i = 0; i < nslabs; i++) list[i] = Math.min(IO_TLB_SEGSIZE - (i % IO_TLB_SEGSIZE), nslabs - i);
  new Int32Array(shared.slotWords, (capacity + firstSlot) * 4, nslabs).fill(0);
  new Int32Array(shared.slotWords, (2 * capacity + firstSlot) * 4, nslabs).fill(0);
  new Float64Array(shared.origAddr, firstSlot * 8, nslabs).fill(INVALID_PHYS_ADDR);
  new Int32Array(shared.areas, shared.firstArea * AREA_STRIDE * 4, shared.nareas * AREA_STRIDE).fill(0);
}

/**
 * Area `a`'s `used` slots and the bytes its live mappings asked for, read as
 * a consistent pair from another thread without the lock (the sampler):
 * writers raise `used` before the bytes and lower the bytes before `used`,
 * and the read is retried while the bytes change under it, so bytes never
 * exceed used slots.
 * @param areaWords the pool's area lines (SwiotlbPool.areaWords).
 */
export function areaOccupancy(areaWords: Int32Array, a: number): { used: number; requestedBytes: number } {
  const at = a * AREA_STRIDE;
  for (let tries = 0; ; tries++) {
    const before = Atomics.load(areaWords, at + AREA_REQ_BYTES);
    const used = Atomics.load(areaWords, at + AREA_USED);
    const after = Atomics.load(areaWords, at + AREA_REQ_BYTES);
    if (before === after || tries === 1000) return { used, requestedBytes: after };
  }
}
