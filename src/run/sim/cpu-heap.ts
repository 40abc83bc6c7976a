/**
 * The virtual CPUs ready to run, lowest key first (the engine's key: when
 * the CPU's next op reaches its first lock), ties broken by the lower CPU id,
 * so the interleaving is a function of the inputs alone. A binary heap of CPU
 * ids over their keys.
 */
export class CpuHeap {
  private readonly heap: Int32Array;
  private n = 0;

  /** @param clock virtual ns per CPU, read at every comparison (a CPU's key changes only while it is out of the heap). */
  constructor(private readonly clock: Float64Array) {
    this.heap = new Int32Array(clock.length);
  }

  get size(): number {
    return this.n;
  }

  private before(a: number, b: number): boolean {
    const ca = this.clock[a];
    const cb = this.clock[b];
    return ca < cb || (ca === cb && a < b);
  }

  /** Add CPU `cpu` (not in the heap). */
  push(cpu: number): void {
    const h = this.heap;
    let i = this.n++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.before(cpu, h[parent])) break;
      h[i] = h[parent];
      i = parent;
    }
    h[i] = cpu;
  }

  /** Remove and return the CPU with the lowest clock; -1 when empty. */
  pop(): number {
    if (this.n === 0) return -1;
    const h = this.heap;
    const top = h[0];
    const last = h[--this.n];
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= this.n) break;
      const r = l + 1;
      const c = r < this.n && this.before(h[r], h[l]) ? r : l;
      if (!this.before(h[c], last)) break;
      h[i] = h[c];
      i = c;
    }
    if (this.n > 0) h[i] = last;
    return top;
  }
}
