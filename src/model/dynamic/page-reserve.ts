/**
 * The pages dynamic pools come from: a model of alloc_pages() /
 * __free_pages() over one reserve of physical memory, as the dynamic
 * conformance vectors define it (test/fixtures/conformance/v-newest-dynamic/README.md,
 * "The reserve"):
 * - `alloc_pages(order)` fails when `order > MAX_PAGE_ORDER` or when the
 *   blocks held plus this one would exceed the budget; otherwise it returns
 *   the lowest-address block of `4 KiB << order` that is naturally aligned
 *   (its offset from the reserve base a multiple of its size) and free;
 * - `__free_pages` frees exactly that block.
 * That is what a buddy allocator gives when it always takes, and splits, the
 * lowest-address free block. The search is a binary tree over the reserve's
 * pages whose every node holds the largest free aligned block below it
 * (pages), so both calls cost O(log pages).
 *
 * Layout (Int32 words of one SharedArrayBuffer): [0, 1] the lock (LOCK_WORDS),
 * [2] bytes held, [3] most bytes ever held, [4] pages in the reserve (a power
 * of two), [5] budget in KiB, then the tree: node i at word TREE + i for
 * i in 1 .. 2 * pages - 1 (root 1; children 2i, 2i + 1; leaves are pages).
 * Callers hold no other lock while calling in (the page allocator's zone
 * lock is its own).
 */
import { PAGE_SIZE } from '../constants.js';
import { LOCK_WORDS, type LockKind, type LockStats, lockOps } from '../lock.js';

/** MAX_PAGE_ORDER on x86-64: the largest block is 4 MiB. */
export const MAX_PAGE_ORDER = 10;

const HELD = LOCK_WORDS;
const PEAK = LOCK_WORDS + 1;
const PAGES = LOCK_WORDS + 2;
const BUDGET_KIB = LOCK_WORDS + 3;
const TREE = 8;

/** get_order(): the smallest order whose block (4 KiB << order) holds `bytes`. */
export function getOrder(bytes: number): number {
  let order = 0;
  while (PAGE_SIZE * 2 ** order < bytes) order++;
  return order;
}

/**
 * Shared memory of a reserve of `reserveBytes` (a power of two, at least one
 * page) with a budget of `budgetBytes` (a multiple of 1 KiB).
 * @throws RangeError for a reserve that is not a power-of-two number of pages.
 */
export function allocateReserve(reserveBytes: number, budgetBytes: number): SharedArrayBuffer {
  const pages = reserveBytes / PAGE_SIZE;
  if (!Number.isInteger(pages) || pages < 1 || (pages & (pages - 1)) !== 0) throw new RangeError(`reserve of ${reserveBytes} bytes is not a power-of-two number of 4 KiB pages`);
  if (budgetBytes % 1024 !== 0 || budgetBytes < 0) throw new RangeError(`budget of ${budgetBytes} bytes is not a whole number of KiB`);
  const buffer = new SharedArrayBuffer((TREE + 2 * pages) * 4);
  const words = new Int32Array(buffer);
  words[PAGES] = pages;
  words[BUDGET_KIB] = budgetBytes / 1024;
  for (let i = 1, size = pages; i < 2 * pages; i++) {
    if ((i & (i - 1)) === 0 && i > 1) size /= 2; // first node of each tree level
    words[TREE + i] = size;
  }
  return buffer;
}

/** A view of a shared page reserve; every method is safe from any thread. */
export class PageReserve {
  private readonly words: Int32Array;
  private readonly pages: number;
  private readonly lock;

  constructor(buffer: SharedArrayBuffer, lock: LockKind, private readonly stats: LockStats) {
    this.words = new Int32Array(buffer);
    this.pages = this.words[PAGES];
    this.lock = lockOps(lock);
  }

  /** Pages in the reserve. */
  get totalPages(): number {
    return this.pages;
  }

  /** Bytes held by allocated blocks now. */
  get heldBytes(): number {
    return Atomics.load(this.words, HELD) * PAGE_SIZE;
  }

  /** The most bytes ever held at once. */
  get peakBytes(): number {
    return Atomics.load(this.words, PEAK) * PAGE_SIZE;
  }

  /** The budget, bytes. */
  get budgetBytes(): number {
    return this.words[BUDGET_KIB] * 1024;
  }

  /**
   * alloc_pages(order): the first page (offset in pages from the reserve
   * base) of the lowest-address free naturally aligned block of
   * `2^order` pages, or -1 when the order is above MAX_PAGE_ORDER, the
   * budget would be exceeded, or no such block is free.
   */
  allocPages(order: number): number {
    const size = 2 ** order;
    if (order > MAX_PAGE_ORDER || size > this.pages) return -1;
    const w = this.words;
    this.lock.acquire(w, 0, this.stats);
    try {
      if ((w[HELD] + size) * PAGE_SIZE > w[BUDGET_KIB] * 1024 || w[TREE + 1] < size) return -1;
      let node = 1;
      let nodeSize = this.pages;
      while (nodeSize > size) {
        nodeSize /= 2;
        node = w[TREE + 2 * node] >= size ? 2 * node : 2 * node + 1;
      }
      w[TREE + node] = 0;
      this.update(node);
      w[HELD] += size;
      if (w[HELD] > w[PEAK]) w[PEAK] = w[HELD];
      return node * size - this.pages;
    } finally {
      this.lock.release(w, 0);
    }
  }

  /**
   * __free_pages(page, order): return the block of `2^order` pages at
   * `page` (as allocPages returned it).
   * @throws RangeError when that block is not allocated.
   */
  freePages(page: number, order: number): void {
    const size = 2 ** order;
    const w = this.words;
    const node = (this.pages + page) / size;
    this.lock.acquire(w, 0, this.stats);
    try {
      if (!Number.isInteger(node) || w[TREE + node] !== 0) throw new RangeError(`page ${page} order ${order} is not an allocated block`);
      w[TREE + node] = size;
      this.update(node);
      w[HELD] -= size;
    } finally {
      this.lock.release(w, 0);
    }
  }

  /** Recompute the ancestors of `node`: a parent whose two halves are wholly free is wholly free (buddies merge). */
  private update(node: number): void {
    const w = this.words;
    let size = this.pages / 2 ** Math.floor(Math.log2(node));
    for (let n = node; n > 1; n >>= 1) {
      const left = w[TREE + (n & ~1)];
      const right = w[TREE + (n | 1)];
      w[TREE + (n >> 1)] = left === size && right === size ? 2 * size : Math.max(left, right);
      size *= 2;
    }
  }
}
