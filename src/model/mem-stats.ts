/**
 * The io_tlb_mem-wide counters that debugfs shows (docs/model.md, "Counters and debugfs"):
 * `io_tlb_used` (atomic total_used), `io_tlb_used_hiwater` and
 * `io_tlb_transient_nslabs`. As in the kernel they are lock-free atomics
 * updated outside any area lock, and they sit side by side, so parallel
 * mappers really do contend on them (Petr Tesarik noted this cost).
 *
 * They exist only with CONFIG_DEBUG_FS (`--debugfs on`). With it off the
 * kernel's inc_used_and_hiwater(), dec_used() and inc/dec_transient_used()
 * are empty and mem_used() sums the areas' `used` without locks; the
 * counters here then stay 0 and the allocator computes mem_used() itself
 * (SwiotlbPool.usedSlots).
 */
import { DmaArena } from './dma-arena.js';
import { lockTouches } from './lock.js';

const TOTAL_USED = 0;
const USED_HIWATER = 1;
const TRANSIENT_NSLABS = 2;
/** 1 when the counters are kept (CONFIG_DEBUG_FS=y); set once at allocation. */
const DEBUG_FS = 3;
/** Int32 words of the block: one 64-byte line. (wasm/pool-ops.wat reads the same words.) */
const WORDS = 16;

/** Where an io_tlb_mem's counters live: WORDS Int32 words at `offset` in a shared memory (structured-cloneable). */
export interface MemRegion {
  memory: WebAssembly.Memory;
  offset: number;
}

/** The counters of one io_tlb_mem in `arena` (a private one when omitted); `debugfs` says whether they are kept. */
export function allocateMemStats(debugfs = true, arena: DmaArena = new DmaArena()): MemRegion {
  const region: MemRegion = { memory: arena.memory, offset: arena.alloc(WORDS * 4) };
  new Int32Array(arena.buffer, region.offset, WORDS)[DEBUG_FS] = debugfs ? 1 : 0;
  return region;
}

/** A view of the io_tlb_mem counters; units are slots. */
export class MemStats {
  private readonly words: Int32Array;
  /** CONFIG_DEBUG_FS: the counters are kept. */
  readonly debugfs: boolean;

  constructor(region: MemRegion) {
    this.words = new Int32Array(region.memory.buffer, region.offset, WORDS);
    this.debugfs = this.words[DEBUG_FS] === 1;
  }

  /**
   * inc_used_and_hiwater(): add `nslots` to total_used and raise hiwater with
   * a CAS loop. Returns the new high-water mark when this call raised it,
   * else 0 (the harness pictures the pool then; the kernel returns nothing).
   * A no-op returning 0 without CONFIG_DEBUG_FS.
   */
  incUsedAndHiwater(nslots: number): number {
    if (!this.debugfs) return 0;
    const words = this.words;
    lockTouches.counter?.(words);
    const newUsed = Atomics.add(words, TOTAL_USED, nslots) + nslots;
    let old = Atomics.load(words, USED_HIWATER);
    while (newUsed > old) {
      const seen = Atomics.compareExchange(words, USED_HIWATER, old, newUsed);
      if (seen === old) return newUsed;
      old = seen;
    }
    return 0;
  }

  /** dec_used(): subtract `nslots` from total_used (a no-op without CONFIG_DEBUG_FS). */
  decUsed(nslots: number): void {
    if (!this.debugfs) return;
    lockTouches.counter?.(this.words);
    Atomics.sub(this.words, TOTAL_USED, nslots);
  }

  /** The atomic total_used: slots in use in all pools, transient ones included (0 without CONFIG_DEBUG_FS). */
  get used(): number {
    return Atomics.load(this.words, TOTAL_USED);
  }

  /** io_tlb_used_hiwater: the largest total_used since the last reset (0 without CONFIG_DEBUG_FS). */
  get hiwater(): number {
    return Atomics.load(this.words, USED_HIWATER);
  }

  /** io_tlb_hiwater_set(): writing 0 to debugfs io_tlb_used_hiwater sets the mark to 0 (the next map raises it). */
  resetHiwater(): void {
    Atomics.store(this.words, USED_HIWATER, 0);
  }

  /** io_tlb_transient_nslabs: slots held by live transient pools (0 without CONFIG_DEBUG_FS). */
  get transientNslabs(): number {
    return Atomics.load(this.words, TRANSIENT_NSLABS);
  }

  /** inc_transient_used() / dec_transient_used() with a negative count (no-ops without CONFIG_DEBUG_FS). */
  addTransient(nslots: number): void {
    if (!this.debugfs) return;
    lockTouches.counter?.(this.words);
    Atomics.add(this.words, TRANSIENT_NSLABS, nslots);
  }
}
