/**
 * The pool's hot path in WebAssembly (pool-ops.wat, assembled into
 * pool-ops-bytes.ts), bound to one shared memory: compiled once per thread,
 * instantiated once per memory and thread, with the thread's scratch block.
 */
import { claimScratch } from '../dma-arena.js';
import { POOL_OPS_WASM_BASE64 } from './pool-ops-bytes.js';

/**
 * The exports of pool-ops.wat. Addresses are byte offsets in the memory;
 * `desc` a pool descriptor (pool-layout.ts), `scratch` the thread's block;
 * `tlb` values are relative to the pool's start.
 */
export interface PoolOpsExports {
  /** swiotlb_tbl_map_single() without the copy, from area `start`: the bounce address, -1 (full) or -2 (lock timeout). */
  map(desc: number, scratch: number, start: number, orig: number, mappingSize: number, allocAlignMask: number, minAlignMask: number): number;
  /** One area's search and allocation: the slot, -1 or -2. */
  search_area(desc: number, scratch: number, area: number, origLo: number, origNonZero: number, allocSize: number, allocAlignMask: number, minAlignMask: number, requested: number): number;
  /** Every area from `start`, wrapping: the slot, -1 or -2. */
  find_slots(desc: number, scratch: number, start: number, origLo: number, origNonZero: number, allocSize: number, allocAlignMask: number, minAlignMask: number, requested: number): number;
  /** pad_slots and orig_addr of the slots found at `index`: the bounce address. */
  finish_map(desc: number, index: number, orig: number, offset: number, size: number): number;
  /** swiotlb_release_slots(): 1, or 0 on a lock timeout. */
  release(desc: number, scratch: number, tlb: number, minAlignMask: number, requested: number): number;
  /** swiotlb_bounce() with the host buffers at `hostAt` for physical `hostBase`: bytes copied. */
  bounce(desc: number, tlb: number, size: number, toDevice: number, minAlignMask: number, hostAt: number, hostBase: number): number;
  /** `n` uncontended lock+unlock pairs of the lock at byte `word` (`mutex` 2: the mutex, 0: the FIFO spinlock); bench:micro's floor. */
  lock_pairs(word: number, mutex: number, scratch: number, n: number): void;
  /** map, then the map's copy original -> bounce: the bounce address, -1 or -2. */
  map_copy(desc: number, scratch: number, start: number, orig: number, mappingSize: number, allocAlignMask: number, minAlignMask: number, hostAt: number, hostBase: number): number;
  /** Copy `copyBack` bytes bounce -> original (0: none), then release: 1, or 0 on a lock timeout. */
  unmap_copy(desc: number, scratch: number, tlb: number, minAlignMask: number, requested: number, copyBack: number, hostAt: number, hostBase: number): number;
  /** bench:search's replay of `n` 32-byte operations at `ops` (pool-ops.wat), map results by id in the f64 table at `tlbs`: 1, or 0 on a lock timeout. */
  replay(desc: number, scratch: number, ops: number, n: number, tlbs: number): number;
  /** memcpy of `len` bytes. */
  copy(dst: number, src: number, len: number): void;
  /** Zero a scratch block. */
  clear(scratch: number): void;
  /**
   * Log every lock word taken (its address) and io_tlb_mem counter line
   * written (address + 1) into the 16 KiB block at `at`: word 0 counts every
   * touch, the first 4095 follow. 0 turns the log off (the default). Used only by the
   * virtual-time engine (src/run/sim/), which reads and clears it per op.
   */
  set_touch_log(at: number): void;
}

/** A thread's binding to one memory. */
export interface PoolOps {
  readonly exports: PoolOpsExports;
  /** This thread's scratch block (SCRATCH words below). */
  readonly scratch: number;
  readonly scratchWords: Int32Array;
  readonly scratchWaitNs: Float64Array;
}

/** Int32 words of a scratch block, as pool-ops.wat writes them. */
export const SCRATCH = { scanned: 0, fallbacks: 1, acquisitions: 2, contended: 3, raised: 6, failSize: 7, lockedOps: 8 } as const;

let module: WebAssembly.Module | undefined;
/**
 * One instance per memory per thread, shared through globalThis by every copy
 * of this module in the thread: a `.ts` plug-in loaded through tsx brings its
 * own copy of src/model, and a second instance on the same memory would have
 * its own touch log, so the virtual-time engine would not see its lock words.
 */
const bound: WeakMap<WebAssembly.Memory, PoolOps> = ((globalThis as Record<symbol, unknown>)[Symbol.for('swiotlb-bench/pool-ops')] ??= new WeakMap()) as WeakMap<WebAssembly.Memory, PoolOps>;
const now = () => performance.now();

/** The operations on `memory` for this thread, made on first use. */
export function poolOpsFor(memory: WebAssembly.Memory): PoolOps {
  let ops = bound.get(memory);
  if (ops === undefined) {
    module ??= new WebAssembly.Module(Buffer.from(POOL_OPS_WASM_BASE64, 'base64'));
    const exports = new WebAssembly.Instance(module, { env: { memory, now } }).exports as unknown as PoolOpsExports;
    const scratch = claimScratch(memory);
    const buffer = memory.buffer as SharedArrayBuffer;
    ops = { exports, scratch, scratchWords: new Int32Array(buffer, scratch, 16), scratchWaitNs: new Float64Array(buffer, scratch + 16, 1) };
    bound.set(memory, ops);
  }
  return ops;
}
