/**
 * What `bench:micro` times, shared by the main thread (micro.ts) and the
 * per-strategy threads (micro-strategy.ts): the sizes, the cache modes, the
 * op names, the copy and lock-pair loops, and the rounds that time them.
 */
import { median } from 'simple-statistics';
import { Bench } from 'tinybench';
import { IO_TLB_DEFAULT_SIZE, IO_TLB_SIZE, PAGE_SIZE } from '../model/constants.js';
import { DmaArena } from '../model/dma-arena.js';
import { poolOpsFor } from '../model/wasm/pool-ops.js';

/** Operations per timed call, so timer overhead is spread out. */
export const BATCH = 256;
/** Bytes per copy and per mapping. */
export const SIZE = 4096;
/** The rotating buffer, and the rotating pool: 64 MiB, the default swiotlb pool. */
export const ROTATING_BYTES = IO_TLB_DEFAULT_SIZE;
/** The hot pool, in slots: 512 KiB, one segment per node of per-numa-pools' default two. */
export const HOT_POOL_SLOTS = 256;
export const SAMPLE_EVERY = 16;
/** The strategy whose map+unmap is also timed with latency sampling (the kernel's default design). */
export const SAMPLED_STRATEGY = 'per-cpu-areas';
/** The lock of the floor: the one the strategies run with here (one thread: the default). */
export const FLOOR_LOCK = 'qspinlock';

/**
 * The two ways a round trip can meet the caches: `hot`, the 256-slot pool
 * (512 KiB, resident in a core's L2 here), `rotating`, the 64 MiB pool. The
 * next-fit index moves the bounce buffer on at every map, so even the hot
 * pool's buffers are not in L1; each mode's copy floor steps its destination
 * through the same number of bytes.
 */
export type CacheMode = 'hot' | 'rotating';
export const CACHE_MODES: readonly CacheMode[] = ['hot', 'rotating'];
/** Bytes the bounce buffers of each mode's pool step through. */
export const MODE_BYTES: Record<CacheMode, number> = { hot: HOT_POOL_SLOTS * IO_TLB_SIZE, rotating: ROTATING_BYTES };

/** Where a lock pair runs: in WebAssembly, as the pools take their area locks (the floor), or with JavaScript's Atomics (lock.ts). */
export type LockSide = 'WebAssembly' | 'Atomics';

/** The names of the timed operations. */
export const opName = {
  copy: (how: 'memory.copy' | 'Uint8Array.set', mode: CacheMode | 'one buffer') => `copy 4KiB ${how} ${mode}`,
  lock: (kind: string, where: LockSide) => `lock+unlock ${kind} ${where}`,
  mapUnmap: (strategy: string, mode: CacheMode) => `map+unmap 4KiB FROM_DEVICE ${strategy} ${mode}`,
  sampled: () => `map+unmap 4KiB FROM_DEVICE ${SAMPLED_STRATEGY} rotating sampled 1/${SAMPLE_EVERY}`,
  allocPair: (strategy: string) => `map+unmap 4KiB allocator only (no copy) ${strategy}`,
};

/**
 * Chao Gao's bitmap claim (v1 1/3, 2022-06-28: "100 cycles are saved from a
 * pair of allocation and freeing"), set side by side in one thread: the
 * kernel's list[] counts (first) against his bit per slot (second), the
 * same WebAssembly but for the bookkeeping.
 */
export const BITMAP_PAIR = { counts: 'per-cpu-areas', bits: 'bitmap-areas' } as const;

/** Timed functions by op name; each runs BATCH operations. */
export type Ops = Map<string, () => void>;

/** memory.copy of 4 KiB in a memory of its own, BATCH times, the destination stepping through `span` bytes. */
export function memoryCopies(span: number): () => void {
  const arena = new DmaArena();
  const src = arena.alloc(SIZE, PAGE_SIZE);
  const dst = arena.alloc(span, PAGE_SIZE);
  const ops = poolOpsFor(arena.memory).exports;
  let at = 0;
  return () => {
    for (let i = 0; i < BATCH; i++) {
      ops.copy(dst + at, src, SIZE);
      at = (at + SIZE) % span;
    }
  };
}

/** BATCH uncontended lock+unlock pairs of `kind` in WebAssembly, in one call. */
export function wasmLockPairs(kind: 'qspinlock' | 'mutex'): () => void {
  const arena = new DmaArena();
  const ops = poolOpsFor(arena.memory);
  const word = arena.alloc(64); // a lock line of its own, as an area's
  const mutex = kind === 'mutex' ? 2 : 0;
  return () => ops.exports.lock_pairs(word, mutex, ops.scratch, BATCH);
}

/**
 * Time every op in `rounds` short rounds (tinybench, `timeMs` each, every op
 * in every round): ns per operation, per op, per round. Medians over rounds
 * resist the drift of a shared machine; ratios pair ops of one round.
 * @throws Error when an op throws.
 */
export async function timeRounds(ops: Ops, rounds: number, timeMs: number): Promise<Record<string, number[]>> {
  const perRound: Record<string, number[]> = Object.fromEntries([...ops.keys()].map((k) => [k, []]));
  for (let round = 0; round < rounds; round++) {
    const b = new Bench({ time: timeMs, warmupTime: round === 0 ? 200 : 20 });
    for (const [name, fn] of ops) b.add(name, fn);
    await b.run();
    for (const task of b.tasks) {
      const r = task.result;
      if (r.state !== 'completed') throw new Error(`micro-benchmark '${task.name}' did not complete (${r.state})`);
      perRound[task.name].push((r.latency.mean * 1e6) / BATCH);
    }
  }
  return perRound;
}

/** The median over rounds of `a[i] / b[i]`. */
export function pairedRatio(a: readonly number[], b: readonly number[]): number {
  return median(a.map((x, i) => x / b[i]));
}
