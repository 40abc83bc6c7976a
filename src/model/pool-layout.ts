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
 * All of it, with the io_tlb_mem counters and a pool descriptor (the offsets
 * and sizes below, DESC_* words), lives in one shared WebAssembly.Memory: the
 * run's DmaArena, where wasm/pool-ops.wat runs the map, the unmap and the copy.
 * Several pools may share one store of slot arrays and one array of area
 * lines (dynamic pools carve theirs from one reserve: `firstSlot`, `firstArea`).
 */
import { INVALID_PHYS_ADDR, IO_TLB_SEGSIZE, IO_TLB_SIZE, type KernelRules, PAGE_SIZE } from './constants.js';
import { DmaArena } from './dma-arena.js';
import { LOCK_WORDS, type LockKind } from './lock.js';
import { type MemRegion, allocateMemStats } from './mem-stats.js';

/** Int32 words per area: one 64-byte cache line, so areas share no line. */
export const AREA_STRIDE = 16;
/** Area word offsets: the lock (LOCK_WORDS words), `used` (slots), `index` (area-relative slot). */
export const AREA_LOCK = 0;
export const AREA_USED = AREA_LOCK + LOCK_WORDS;
export const AREA_INDEX = AREA_USED + 1;
/** Area word offset: bytes requested by the live mappings of the area (fits: an area is at most 1 GiB). */
export const AREA_REQ_BYTES = AREA_INDEX + 1;

/**
 * Where a set of slot arrays lives (structured-cloneable): byte offsets in
 * one shared WebAssembly.Memory (dma-arena.ts) of `capacity` entries each.
 * Several pools may share one store (dynamic pools carve theirs from one
 * reserve), each using entries firstSlot..firstSlot+nslabs-1.
 */
export interface SlotStore {
  memory: WebAssembly.Memory;
  /** Entries in each array. */
  capacity: number;
  /** Int32 list[capacity]: free slots from here to the segment end, 0 = used. */
  list: number;
  /** Int32 alloc_size[capacity]: bytes from this slot to the allocation end. */
  allocSize: number;
  /** Int32 pad_slots[capacity]. */
  padSlots: number;
  /** Float64 orig_addr[capacity] (-1 = INVALID_PHYS_ADDR). */
  origAddr: number;
  /** Bounce data, capacity x IO_TLB_SIZE bytes; -1 when the store has none (bookkeeping-only pools). */
  data: number;
}

/**
 * Reserve a SlotStore of `capacity` slots in `arena` (a private arena when
 * none is given), with bounce data unless `withData` is false.
 */
export function allocateSlotStore(capacity: number, withData: boolean, arena: DmaArena = new DmaArena()): SlotStore {
  return {
    memory: arena.memory,
    capacity,
    list: arena.alloc(capacity * 4),
    allocSize: arena.alloc(capacity * 4),
    padSlots: arena.alloc(capacity * 4),
    origAddr: arena.alloc(capacity * 8),
    data: withData ? arena.alloc(capacity * IO_TLB_SIZE, PAGE_SIZE) : -1,
  };
}

/** Byte offset in a memory of an array of area lines (AREA_STRIDE Int32 words each). */
export type AreaLines = number;

/** Reserve `count` zeroed area lines in `arena`. */
export function allocateAreaLines(count: number, arena: DmaArena): AreaLines {
  return arena.alloc(count * AREA_STRIDE * 4, AREA_STRIDE * 4);
}

/** Bytes of a pool descriptor, and its Int32 words (the layout wasm/pool-ops.wat reads). */
export const DESC_BYTES = 64;
const DESC_WORDS = {
  list: 0, allocSize: 1, padSlots: 2, origAddr: 3, areas: 4, mem: 5, nslabs: 6, nareas: 7, areaNslabs: 8, startLo: 9, flags: 10, data: 11,
} as const;
/** Descriptor flags: v6.6 rules, the mutex (rather than the ticket lock), free slots tracked as bits (rather than list[] counts). */
export const DESC_V66 = 1;
export const DESC_MUTEX = 2;
export const DESC_BITS = 4;

/**
 * How a pool tracks free slots: the kernel's `list[]` counts, or one bit
 * per slot (Chao Gao's 2022 bitmap patch: list[i] = 1 free, 0 used; a run
 * fits when all its slots are free; a release merges with nothing).
 */
export type FreeTracking = 'counts' | 'bits';

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
  /** How free slots are tracked; absent: the kernel's counts. */
  tracking?: FreeTracking;
  /** The io_tlb_mem counters this pool counts into (shared by pools of one allocator), in the store's memory. */
  mem: MemRegion;
  /** The slot arrays and bounce data this pool's slots are entries of. */
  store: SlotStore;
  /** This pool's first slot in the store. */
  firstSlot: number;
  /** The area lines (in the store's memory); this pool's start at firstArea. */
  areas: AreaLines;
  /** This pool's first area in `areas`. */
  firstArea: number;
  /** Byte offset of this pool's descriptor in the store's memory (writeDescriptor). */
  desc: number;
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
  /** Free-slot tracking; the kernel's counts when omitted. */
  tracking?: FreeTracking;
  /** io_tlb_mem counters to count into (in `arena`); a fresh set (with `debugfs`) when omitted. */
  mem?: MemRegion;
  /** CONFIG_DEBUG_FS of a fresh set of counters; true when omitted. */
  debugfs?: boolean;
  /** The run's shared memory (bounce copies to and from its host buffers then run as memory.copy); a private one when omitted. */
  arena?: DmaArena;
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
  const arena = options.arena ?? new DmaArena();
  const mem = options.mem ?? allocateMemStats(options.debugfs ?? true, arena);
  if (mem.memory !== arena.memory) throw new RangeError('a pool and the io_tlb_mem counters it counts into must be in one memory');
  const shared: PoolShared = {
    start,
    nslabs,
    nareas,
    rules: options.rules ?? 'newest',
    lock: options.lock ?? 'qspinlock',
    ...(options.tracking === 'bits' ? { tracking: 'bits' as const } : {}),
    mem,
    store: allocateSlotStore(nslabs, options.withData !== false, arena),
    firstSlot: 0,
    areas: allocateAreaLines(nareas, arena),
    firstArea: 0,
    desc: arena.alloc(DESC_BYTES),
  };
  initPoolSlots(shared);
  return shared;
}

/**
 * Write `shared`'s descriptor, the offsets and sizes pool-ops.wat reads.
 * Call before the pool is published to other threads.
 */
export function writeDescriptor(shared: PoolShared): void {
  const { store, firstSlot } = shared;
  const d = new Int32Array(store.memory.buffer as SharedArrayBuffer, shared.desc, DESC_BYTES / 4);
  d[DESC_WORDS.list] = store.list + firstSlot * 4;
  d[DESC_WORDS.allocSize] = store.allocSize + firstSlot * 4;
  d[DESC_WORDS.padSlots] = store.padSlots + firstSlot * 4;
  d[DESC_WORDS.origAddr] = store.origAddr + firstSlot * 8;
  d[DESC_WORDS.areas] = shared.areas + shared.firstArea * AREA_STRIDE * 4;
  d[DESC_WORDS.mem] = shared.mem.offset;
  d[DESC_WORDS.nslabs] = shared.nslabs;
  d[DESC_WORDS.nareas] = shared.nareas;
  d[DESC_WORDS.areaNslabs] = shared.nslabs / shared.nareas;
  d[DESC_WORDS.startLo] = shared.start | 0;
  d[DESC_WORDS.flags] = (shared.rules === 'v6.6' ? DESC_V66 : 0) | (shared.lock === 'mutex' ? DESC_MUTEX : 0) | (shared.tracking === 'bits' ? DESC_BITS : 0);
  d[DESC_WORDS.data] = store.data < 0 ? -1 : store.data + firstSlot * IO_TLB_SIZE;
}

/** A pool's area lines: AREA_STRIDE Int32 words per area. */
export function areaLineView(shared: PoolShared): Int32Array {
  return new Int32Array(shared.store.memory.buffer as SharedArrayBuffer, shared.areas + shared.firstArea * AREA_STRIDE * 4, shared.nareas * AREA_STRIDE);
}

/** Views of a pool's entries of its store (over the memory's current buffer). */
export function slotViews(shared: PoolShared): { list: Int32Array; allocSize: Int32Array; padSlots: Int32Array; origAddr: Float64Array; data: Uint8Array } {
  const { store, firstSlot, nslabs } = shared;
  const buffer = store.memory.buffer as SharedArrayBuffer;
  return {
    list: new Int32Array(buffer, store.list + firstSlot * 4, nslabs),
    allocSize: new Int32Array(buffer, store.allocSize + firstSlot * 4, nslabs),
    padSlots: new Int32Array(buffer, store.padSlots + firstSlot * 4, nslabs),
    origAddr: new Float64Array(buffer, store.origAddr + firstSlot * 8, nslabs),
    data: store.data < 0 ? new Uint8Array(0) : new Uint8Array(buffer, store.data + firstSlot * IO_TLB_SIZE, nslabs * IO_TLB_SIZE),
  };
}

/**
 * Reset a pool's slots and areas to "all free" (swiotlb_init_io_tlb_pool):
 * `list[i] = min(128 - i % 128, nslabs - i)` (bits: 1), no orig_addr, every area empty at index 0.
 */
export function initPoolSlots(shared: PoolShared): void {
  const { nslabs } = shared;
  const v = slotViews(shared);
  const bits = shared.tracking === 'bits';
  for (let i = 0; i < nslabs; i++) v.list[i] = bits ? 1 : Math.min(IO_TLB_SEGSIZE - (i % IO_TLB_SEGSIZE), nslabs - i);
  v.allocSize.fill(0);
  v.padSlots.fill(0);
  v.origAddr.fill(INVALID_PHYS_ADDR);
  areaLineView(shared).fill(0);
  writeDescriptor(shared);
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
