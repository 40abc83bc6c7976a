/**
 * The io_tlb_mem-wide counters that debugfs shows (docs/model.md, "Counters and debugfs"):
 * `io_tlb_used` (atomic total_used), `io_tlb_used_hiwater` and
 * `io_tlb_transient_nslabs`. As in the kernel they are lock-free atomics
 * updated outside any area lock, and they sit side by side, so parallel
 * mappers really do contend on them (Petr Tesarik noted this cost).
 */

const TOTAL_USED = 0;
const USED_HIWATER = 1;
const TRANSIENT_NSLABS = 2;
const WORDS = 16;

/** Shared memory behind {@link MemStats}: 64 bytes. */
export function allocateMemStats(): SharedArrayBuffer {
  return new SharedArrayBuffer(WORDS * 4);
}

/** A view of the io_tlb_mem counters; units are slots. */
export class MemStats {
  private readonly words: Int32Array;

  constructor(buffer: SharedArrayBuffer) {
    this.words = new Int32Array(buffer);
  }

  /**
   * inc_used_and_hiwater(): add `nslots` to total_used and raise hiwater with
   * a CAS loop. Returns the new high-water mark when this call raised it,
   * else 0 (the harness pictures the pool then; the kernel returns nothing).
   */
  incUsedAndHiwater(nslots: number): number {
    const words = this.words;
    const newUsed = Atomics.add(words, TOTAL_USED, nslots) + nslots;
    let old = Atomics.load(words, USED_HIWATER);
    while (newUsed > old) {
      const seen = Atomics.compareExchange(words, USED_HIWATER, old, newUsed);
      if (seen === old) return newUsed;
      old = seen;
    }
    return 0;
  }

  /** dec_used(): subtract `nslots` from total_used. */
  decUsed(nslots: number): void {
    Atomics.sub(this.words, TOTAL_USED, nslots);
  }

  /** mem_used(): slots in use in all pools, transient ones included. */
  get used(): number {
    return Atomics.load(this.words, TOTAL_USED);
  }

  /** io_tlb_used_hiwater: the largest `used` seen since the last reset. */
  get hiwater(): number {
    return Atomics.load(this.words, USED_HIWATER);
  }

  /** Writing 0 to debugfs io_tlb_used_hiwater: restart the high-water mark from the current use. */
  resetHiwater(): void {
    Atomics.store(this.words, USED_HIWATER, Atomics.load(this.words, TOTAL_USED));
  }

  /** io_tlb_transient_nslabs: slots held by live transient pools. */
  get transientNslabs(): number {
    return Atomics.load(this.words, TRANSIENT_NSLABS);
  }

  addTransient(nslots: number): void {
    Atomics.add(this.words, TRANSIENT_NSLABS, nslots);
  }
}
