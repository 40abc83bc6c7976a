/**
 * Shared cache lines in virtual time: for each lock word or counter line the
 * allocator touched, when it is next free (locks: virtual ns) and which CPU
 * touched it last (-1: nobody yet). Lines are keyed by their address in the
 * run's shared memory (JavaScript locks elsewhere get keys of their own).
 */
export class VirtualLines {
  private readonly index = new Map<number, number>();
  private freeAt = new Float64Array(64);
  private owner = new Int32Array(64).fill(-1);

  /** The slot of line `key`, made on first sight. */
  slot(key: number): number {
    let i = this.index.get(key);
    if (i === undefined) {
      i = this.index.size;
      this.index.set(key, i);
      if (i === this.freeAt.length) this.grow();
    }
    return i;
  }

  /** When the lock on line `i` is next free, virtual ns. */
  freeTime(i: number): number {
    return this.freeAt[i];
  }

  /** The CPU that touched line `i` last, or -1. */
  lastOwner(i: number): number {
    return this.owner[i];
  }

  /** CPU `cpu` holds line `i` (its lock until `freeAt`, or just the line: pass the current time). */
  take(i: number, cpu: number, freeAt: number): void {
    this.owner[i] = cpu;
    this.freeAt[i] = freeAt;
  }

  /** Lines seen so far. */
  get size(): number {
    return this.index.size;
  }

  private grow(): void {
    const f = new Float64Array(this.freeAt.length * 2);
    f.set(this.freeAt);
    const o = new Int32Array(this.owner.length * 2).fill(-1);
    o.set(this.owner);
    this.freeAt = f;
    this.owner = o;
  }
}
