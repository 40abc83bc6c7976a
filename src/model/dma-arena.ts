/**
 * One shared WebAssembly.Memory for the bytes a run moves: every pool's slot
 * metadata and bounce data, and the simulated host memory the original
 * buffers live in. Being one memory, a bounce copy between host and pool is a
 * WebAssembly `memory.copy` (src/model/wasm/pool-ops.wat), which runs at
 * memcpy speed where `Uint8Array.prototype.set` on a SharedArrayBuffer copies
 * word by word with relaxed atomics. Its `buffer` is a SharedArrayBuffer, and
 * the memory itself can be posted to workers like one.
 *
 * Regions are reserved once on the main thread before workers start; the
 * memory grows as they are reserved (views made before a growth stay valid),
 * up to the 4 GiB of a 32-bit WebAssembly memory.
 */

/** Bytes in one WebAssembly page. */
export const WASM_PAGE = 65536;
/** Pages in the largest 32-bit WebAssembly memory: 4 GiB. */
export const MAX_WASM_PAGES = 65536;

/** A region of an arena, structured-cloneable: the memory and where in it (bytes). */
export interface ArenaRegion {
  memory: WebAssembly.Memory;
  offset: number;
  bytes: number;
}

/**
 * Per-thread scratch blocks at the start of every arena: word 0 counts the
 * blocks handed out (SCRATCH_TABLE_AT), the blocks follow (wasm/pool-ops.wat
 * returns its results besides the return value there).
 */
export const SCRATCH_BYTES = 64;
/** Threads that can use one arena: more than the harness allows (MAX_CPUS), plus helpers. */
export const SCRATCH_BLOCKS = 8192 + 64;
const SCRATCH_TABLE_AT = 0;

/** A bump allocator over one shared WebAssembly.Memory (main thread only). */
export class DmaArena {
  readonly memory: WebAssembly.Memory;
  private top = 0;

  constructor() {
    this.memory = new WebAssembly.Memory({ initial: 1, maximum: MAX_WASM_PAGES, shared: true });
    this.alloc(SCRATCH_BYTES + SCRATCH_BLOCKS * SCRATCH_BYTES);
  }

  /** The memory's SharedArrayBuffer as it is now (after the latest growth). */
  get buffer(): SharedArrayBuffer {
    return this.memory.buffer as SharedArrayBuffer;
  }

  /** Bytes reserved so far. */
  get used(): number {
    return this.top;
  }

  /**
   * Reserve `bytes` zeroed bytes at an offset aligned to `align` (a power of
   * two), growing the memory. Returns the offset.
   * @throws RangeError when the memory would pass 4 GiB.
   */
  alloc(bytes: number, align = 64): number {
    const offset = Math.ceil(this.top / align) * align;
    const end = offset + bytes;
    if (end > MAX_WASM_PAGES * WASM_PAGE) {
      throw new RangeError(`the run's memory would need ${(end / 2 ** 30).toFixed(2)} GiB of shared memory for pools and host buffers; one WebAssembly memory holds 4 GiB: use a smaller --pool or --max-pool, or a workload with less in flight`);
    }
    const have = this.buffer.byteLength;
    if (end > have) this.memory.grow(Math.ceil((end - have) / WASM_PAGE));
    this.top = end;
    return offset;
  }

  /** Reserve a region of `bytes` (see alloc). */
  region(bytes: number, align = 64): ArenaRegion {
    return { memory: this.memory, offset: this.alloc(bytes, align), bytes };
  }
}

/**
 * A scratch block of `memory` (an arena's) for the calling thread: claimed
 * once per thread and memory (wasm/pool-ops.ts caches it).
 * @throws RangeError when more threads than SCRATCH_BLOCKS ask.
 */
export function claimScratch(memory: WebAssembly.Memory): number {
  const k = Atomics.add(new Int32Array(memory.buffer as SharedArrayBuffer, SCRATCH_TABLE_AT, 1), 0, 1);
  if (k >= SCRATCH_BLOCKS) throw new RangeError(`more than ${SCRATCH_BLOCKS} threads use one shared memory`);
  return SCRATCH_TABLE_AT + SCRATCH_BYTES * (k + 1);
}
