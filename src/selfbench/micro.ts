/**
 * `npm run bench:micro` (tinybench), against the physical limit of a bounced
 * round trip:
 * - a raw 4 KiB copy, the fast path (WebAssembly memory.copy in a shared
 *   memory, what the pools use) and for reference Uint8Array.set on a
 *   SharedArrayBuffer: into one buffer (L1), and stepping through each cache
 *   mode's bytes as the bounce buffers do (micro-ops.ts CacheMode);
 * - an uncontended lock+unlock of each lock kind, in WebAssembly (the pools'
 *   area locks) and with JavaScript's Atomics (lock.ts);
 * - map+unmap of 4 KiB FROM_DEVICE per strategy, hot and rotating, each as a
 *   ratio to (the WebAssembly qspinlock pair + two memory.copy) of the same
 *   mode, paired per round; each strategy in a thread of its own, as a run's
 *   workers are (micro-strategy.ts); per-cpu-areas also with 1-in-16 latency
 *   sampling;
 * - the locked instructions per map+unmap, counted, against the kernel's;
 * - Chao Gao's bitmap against the kernel's list[] counts: 4 KiB map+unmap
 *   of the allocator alone (no copy), bitmap-areas and per-cpu-areas in the
 *   same rounds of one thread, on the default 64 MiB pool.
 * Writes results/micro.json (MicroResult).
 */
import { median } from 'simple-statistics';
import { builtFile } from '../base/paths.js';
import { IO_TLB_SIZE } from '../model/constants.js';
import { DmaArena } from '../model/dma-arena.js';
import { LOCK_KINDS, lockOps, newLockStats } from '../model/lock.js';
import { STRATEGIES } from '../../strategies/index.js';
import { HOST_BASE } from '../../workloads/schedule/host-memory.js';
import { inFreshThread } from './fresh-thread.js';
import { countLockedOps } from './locked-ops.js';
import { BATCH, BITMAP_PAIR, CACHE_MODES, type CacheMode, MODE_BYTES, type Ops, ROTATING_BYTES, SAMPLED_STRATEGY, SIZE, memoryCopies, opName, timeRounds, wasmLockPairs } from './micro-ops.js';
import { type StrategyRounds, microMapper } from './micro-strategy.js';

export { CACHE_MODES, type CacheMode, SAMPLED_STRATEGY, SAMPLE_EVERY, opName } from './micro-ops.js';

/** Short rounds, each running every op; MICRO_ROUNDS sets how many. */
const ROUNDS = Number(process.env.MICRO_ROUNDS ?? 7);
/** Locked instructions per 4 KiB map+unmap in the kernel: a lock pair each is one (the unlock is a plain store), debugfs adds one each. */
export const KERNEL_LOCKED_OPS = { withoutDebugfs: 2, withDebugfs: 4 };

export interface MicroResult {
  /** ns per operation, median over rounds. */
  ops: Record<string, number>;
  /** map+unmap / (lock pair + two fast-path copies), per cache mode and strategy, median of per-round ratios. */
  ratios: Record<CacheMode, Record<string, number>>;
  /** Locked read-modify-write instructions and atomic stores per map+unmap, per strategy, and the kernel's. */
  locked_ops: { kernel: typeof KERNEL_LOCKED_OPS; strategies: Record<string, number> };
  /** Extra time latency sampling adds to map+unmap, percent, median of paired rounds. */
  sampling_overhead_pct: number;
  /** Allocator-only map+unmap pairs (BITMAP_PAIR): ns per pair of each, and what the bits save, ns (median of paired rounds' differences). */
  bitmap_pair: { counts_ns: number; bits_ns: number; saved_ns: number };
}

/** 4 KiB map+unmap pairs of `strategy`'s allocator alone (min_align_mask 0xfff, no copy), one in flight, next-fit rotating through the pool. */
function allocatorPairs(name: string): () => void {
  const strategy = STRATEGIES.get(name)!;
  const alloc = microMapper(strategy, ROTATING_BYTES / IO_TLB_SIZE, new DmaArena()).alloc;
  return () => {
    for (let i = 0; i < BATCH; i++) alloc.releaseSlots(alloc.tblMapSingle(0, HOST_BASE, SIZE, 0, 0xfff), 0xfff, SIZE);
  };
}

/** The reference ops of the main thread: every copy and every lock pair. */
function referenceOps(): Ops {
  const ops: Ops = new Map();
  const spans: [CacheMode | 'one buffer', number][] = [['one buffer', SIZE], ...CACHE_MODES.map((m): [CacheMode, number] => [m, MODE_BYTES[m]])];
  const src = new Uint8Array(new SharedArrayBuffer(SIZE)).fill(0x66);
  const sab = new Uint8Array(new SharedArrayBuffer(ROTATING_BYTES));
  for (const [mode, span] of spans) {
    ops.set(opName.copy('memory.copy', mode), memoryCopies(span));
    let at = 0;
    ops.set(opName.copy('Uint8Array.set', mode), () => {
      for (let i = 0; i < BATCH; i++) {
        sab.set(src, at);
        at = (at + SIZE) % span;
      }
    });
  }
  const jsWords = new Int32Array(new SharedArrayBuffer(64));
  const stats = newLockStats();
  for (const [k, kind] of LOCK_KINDS.entries()) {
    ops.set(opName.lock(kind, 'WebAssembly'), wasmLockPairs(kind));
    const lock = lockOps(kind);
    const at = k * 8; // each kind on words of its own: their encodings differ
    ops.set(opName.lock(kind, 'Atomics'), () => {
      for (let i = 0; i < BATCH; i++) {
        lock.acquire(jsWords, at, stats);
        lock.release(jsWords, at);
      }
    });
  }
  for (const name of Object.values(BITMAP_PAIR)) ops.set(opName.allocPair(name), allocatorPairs(name));
  return ops;
}

/** Run the micro-benchmarks: `timeMs` per op and round. */
export async function runMicro(timeMs = 150): Promise<MicroResult> {
  const perRound = await timeRounds(referenceOps(), ROUNDS, timeMs);
  const ratios = { hot: {}, rotating: {} } as MicroResult['ratios'];
  let samplingOverheadPct = 0;
  for (const s of STRATEGIES.values()) {
    const r = await inFreshThread<StrategyRounds>(builtFile('src', 'selfbench', 'micro-worker.js'), { strategy: s.name, rounds: ROUNDS, timeMs });
    Object.assign(perRound, r.perRound);
    for (const mode of CACHE_MODES) ratios[mode][s.name] = r.ratios[mode];
    if (s.name === SAMPLED_STRATEGY) samplingOverheadPct = r.samplingOverheadPct!;
  }
  const ops: Record<string, number> = {};
  for (const [name, values] of Object.entries(perRound)) ops[name] = median(values);
  const locked: Record<string, number> = {};
  for (const s of STRATEGIES.values()) locked[s.name] = countLockedOps((poolSlots, arena) => microMapper(s, poolSlots, arena), ROTATING_BYTES / IO_TLB_SIZE);
  const counts = perRound[opName.allocPair(BITMAP_PAIR.counts)];
  const bits = perRound[opName.allocPair(BITMAP_PAIR.bits)];
  const bitmapPair = { counts_ns: median(counts), bits_ns: median(bits), saved_ns: median(counts.map((c, i) => c - bits[i])) };
  return { ops, ratios, locked_ops: { kernel: KERNEL_LOCKED_OPS, strategies: locked }, sampling_overhead_pct: samplingOverheadPct, bitmap_pair: bitmapPair };
}
