/**
 * Counts by size (bytes), kept without allocating per count: an
 * open-addressing table in typed arrays, with a Map only for sizes beyond its
 * capacity (a workload with more distinct failing sizes than that is rare).
 * The DMA layer counts its failed maps by mapping size with it.
 */

/** Table entries: a power of two. */
const CAPACITY = 1024;

export class SizeCounts {
  private readonly keys = new Int32Array(CAPACITY);
  private readonly counts = new Float64Array(CAPACITY);
  private readonly overflow = new Map<number, number>();

  /** Count one of `size` bytes (a positive integer). */
  add(size: number): void {
    let i = (Math.imul(size, 0x9e3779b1) >>> 22) & (CAPACITY - 1);
    for (let probes = 0; probes < CAPACITY; probes++) {
      const k = this.keys[i];
      if (k === size) {
        this.counts[i]++;
        return;
      }
      if (k === 0) {
        this.keys[i] = size;
        this.counts[i] = 1;
        return;
      }
      i = (i + 1) & (CAPACITY - 1);
    }
    this.overflow.set(size, (this.overflow.get(size) ?? 0) + 1);
  }

  /** The count of `size`, or undefined when none was counted. */
  get(size: number): number | undefined {
    for (let i = 0; i < CAPACITY; i++) if (this.keys[i] === size) return this.counts[i];
    return this.overflow.get(size);
  }

  /** Every [size, count], in no particular order. */
  entries(): [number, number][] {
    const out: [number, number][] = [];
    for (let i = 0; i < CAPACITY; i++) if (this.keys[i] !== 0) out.push([this.keys[i], this.counts[i]]);
    return [...out, ...this.overflow];
  }

  clear(): void {
    this.keys.fill(0);
    this.counts.fill(0);
    this.overflow.clear();
  }
}
