/**
 * `npm run calibrate`, the single-thread terms: the bounce copy (a line fit
 * of memory.copy time over sizes, the destination rotating through the
 * default 64 MiB pool), the uncontended lock pair, the search's cost per
 * candidate slot and the cost per slot allocated and released, each timed
 * on the real pool code in this thread (median of several rounds).
 */
import { linearRegression, median } from 'simple-statistics';
import { DMA_MAPPING_ERROR, IO_TLB_DEFAULT_SIZE, IO_TLB_SIZE, PAGE_SIZE } from '../../model/constants.js';
import { DmaArena } from '../../model/dma-arena.js';
import { SwiotlbPool } from '../../model/pool.js';
import { allocatePool } from '../../model/pool-layout.js';
import { poolOpsFor } from '../../model/wasm/pool-ops.js';

/** Rounds per measurement; the median is kept. */
const ROUNDS = 7;
const POOL_BASE = 0x8000_0000;

/** ns per call of `fn`, which makes `n` calls of the thing measured: the median of ROUNDS rounds after a warm-up. */
function nsPer(n: number, fn: () => void): number {
  fn();
  const times: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const t = performance.now();
    fn();
    times.push(((performance.now() - t) * 1e6) / n);
  }
  return median(times);
}

/** memory.copy of each size, rotating through 64 MiB: fixed ns per copy and ns per byte (least squares). */
export function measureCopy(): { copy_fixed_ns: number; copy_ns_per_byte: number } {
  const arena = new DmaArena();
  const ops = poolOpsFor(arena.memory).exports;
  const src = arena.alloc(256 * 1024, PAGE_SIZE);
  const dst = arena.alloc(IO_TLB_DEFAULT_SIZE, PAGE_SIZE);
  const points: [number, number][] = [];
  for (const size of [512, 2048, 4096, 16384, 65536, 262144]) {
    const n = Math.max(64, Math.floor((64 << 20) / size));
    let at = 0;
    points.push([size, nsPer(n, () => {
      for (let i = 0; i < n; i++) {
        ops.copy(dst + at, src, size);
        at = (at + size) % (IO_TLB_DEFAULT_SIZE - size);
      }
    })]);
  }
  const fit = linearRegression(points);
  return { copy_fixed_ns: Math.max(0, fit.b), copy_ns_per_byte: Math.max(0, fit.m) };
}

/** An uncontended lock+unlock pair of the FIFO lock, in WebAssembly as the area locks are taken. */
export function measureLockPair(): number {
  const arena = new DmaArena();
  const ops = poolOpsFor(arena.memory);
  const word = arena.alloc(64);
  const n = 100_000;
  return nsPer(n, () => ops.exports.lock_pairs(word, 0, ops.scratch, n));
}

/** A one-area pool of `nslabs` slots without bounce data, in an arena of its own. */
function barePool(nslabs: number): SwiotlbPool {
  return new SwiotlbPool(allocatePool(nslabs, 1, POOL_BASE, { withData: false, rules: 'newest', lock: 'qspinlock', arena: new DmaArena() }));
}

/**
 * ns per candidate slot the search examines: a 4096-slot area with every
 * other slot held, searched for two slots, fails after examining every
 * candidate; the lock pair is taken out.
 */
export function measureSlotScan(lockPairNs: number): number {
  const pool = barePool(4096);
  const held: number[] = [];
  for (let i = 0; i < 4096; i++) held.push(pool.tblMapSingle(0, 0, IO_TLB_SIZE, 0, 0));
  for (let i = 0; i < 4096; i += 2) pool.releaseSlots(held[i], 0, IO_TLB_SIZE);
  const n = 200;
  const before = pool.counters.slotsScanned;
  const ns = nsPer(n, () => {
    for (let i = 0; i < n; i++) if (pool.tblMapSingle(0, 0, 2 * IO_TLB_SIZE, 0, 0) !== DMA_MAPPING_ERROR) throw new Error('calibration: a two-slot map found room in a pool with no two free slots together');
  });
  const scannedPerMap = (pool.counters.slotsScanned - before) / ((ROUNDS + 1) * n);
  return Math.max(0, (ns - lockPairNs) / scannedPerMap);
}

/** ns per slot allocated, and again per slot released: map+unmap (no copies) of 1 and of 64 slots in an empty pool, half the slope. */
export function measureSlotUpdate(): number {
  const pool = barePool(32768);
  const pair = (slots: number) => {
    const n = 20_000;
    return nsPer(n, () => {
      for (let i = 0; i < n; i++) pool.releaseSlots(pool.tblMapSingle(0, 0, slots * IO_TLB_SIZE, 0, 0), 0, slots * IO_TLB_SIZE);
    });
  };
  return Math.max(0, (pair(64) - pair(1)) / 63 / 2);
}
