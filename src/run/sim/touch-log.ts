/**
 * Which shared lines an op touched, in order: the lock words the
 * WebAssembly pool code took and the io_tlb_mem counter lines it wrote
 * (pool-ops.wat's touch log), and the locks taken from JavaScript (lock.ts's
 * hook). Keys: a lock word's address in the run's memory (even), a counter
 * line's address + 1 (odd); a JavaScript lock in a memory of its own gets a
 * key above 2^34 from that memory's number.
 */
import type { DmaArena } from '../../model/dma-arena.js';
import { lockTouches } from '../../model/lock.js';
import { poolOpsFor } from '../../model/wasm/pool-ops.js';
import type { Touches } from './op-cost.js';

/** Entries the WebAssembly log holds per op (pool-ops.wat): a failed map of 1024 areas and its counters fit. */
const WASM_ENTRIES = 4095;
/** Room for the JavaScript locks and counter blocks of one op besides: a failed map that takes every lock of 1024 areas from JavaScript (cache-friendly-areas) fits. */
const JS_ENTRIES = 2048;

/** The touch log of one run, on while the virtual-time engine runs. */
export class TouchLog implements Touches {
  readonly keys = new Float64Array(WASM_ENTRIES + JS_ENTRIES);
  n = 0;
  private readonly log: Int32Array;
  private readonly at: number;
  private readonly buffers = new WeakMap<ArrayBufferLike, number>();
  private readonly ownBuffers: ArrayBufferLike[];
  private numbered = 0;

  constructor(private readonly arena: DmaArena) {
    this.at = arena.alloc((WASM_ENTRIES + 1) * 4, 64);
    this.log = new Int32Array(arena.buffer, this.at, WASM_ENTRIES + 1);
    this.ownBuffers = [arena.buffer];
  }

  /** Start logging (every op from now on, until stop()). */
  start(): void {
    poolOpsFor(this.arena.memory).exports.set_touch_log(this.at);
    lockTouches.hook = (words, index) => this.js(words, index, 0);
    lockTouches.counter = (words) => this.js(words, 0, 1);
  }

  /** Stop logging: real runs in this thread log nothing. */
  stop(): void {
    poolOpsFor(this.arena.memory).exports.set_touch_log(0);
    lockTouches.hook = null;
    lockTouches.counter = null;
  }

  /** Forget the last op's touches. */
  begin(): void {
    this.n = 0;
    this.log[0] = 0;
  }

  /**
   * The op's touches: the JavaScript locks it took, then the WebAssembly log.
   * @throws Error when the op touched more lines than the log holds (no op of a pool of 1024 areas does).
   */
  collect(): Touches {
    const count = this.log[0];
    if (count > WASM_ENTRIES || this.n > JS_ENTRIES) throw new Error(`the virtual-time engine's touch log overflowed: one op touched ${count} lines in WebAssembly and ${this.n} locks in JavaScript (at most ${WASM_ENTRIES} and ${JS_ENTRIES})`);
    for (let k = 0; k < count; k++) this.keys[this.n++] = this.log[1 + k] >>> 0;
    return this;
  }

  /** A JavaScript touch of `words[index]`: a lock word (`odd` 0), or a counter block (`odd` 1, its key odd as pool-ops.wat's). */
  private js(words: Int32Array, index: number, odd: 0 | 1): void {
    if (this.n === JS_ENTRIES) {
      this.n++; // collect() reports the overflow
      return;
    }
    const at = words.byteOffset + index * 4;
    this.keys[this.n++] = (this.inArena(words.buffer) ? at : this.bufferNumber(words.buffer) * 2 ** 34 + at) + odd;
  }

  private inArena(buffer: ArrayBufferLike): boolean {
    if (this.ownBuffers.includes(buffer)) return true;
    if (buffer === this.arena.buffer) {
      this.ownBuffers.push(buffer); // the same memory, seen through the buffer it has after growing
      return true;
    }
    return false;
  }

  private bufferNumber(buffer: ArrayBufferLike): number {
    let id = this.buffers.get(buffer);
    if (id === undefined) {
      id = ++this.numbered;
      this.buffers.set(buffer, id);
    }
    return id;
  }
}
