/**
 * One strategy's part of `bench:micro`, run in a thread of its own
 * (micro-worker.ts): its map+unmap, hot and rotating, timed in the same
 * rounds as the floor it is divided by (the WebAssembly qspinlock pair and
 * memory.copy stepping through each mode's bytes), and for per-cpu-areas the
 * same with latency sampling.
 */
import { PAGE_SIZE, IO_TLB_SIZE } from '../model/constants.js';
import { DMA_FROM_DEVICE, DmaMapper } from '../model/dma.js';
import { DmaArena } from '../model/dma-arena.js';
import { type Strategy, hostMemory } from '../model/strategy.js';
import { HOST_BASE } from '../../workloads/schedule/host-memory.js';
import { BATCH, CACHE_MODES, type CacheMode, FLOOR_LOCK, HOT_POOL_SLOTS, MODE_BYTES, type Ops, SAMPLED_STRATEGY, SAMPLE_EVERY, SIZE, memoryCopies, opName, pairedRatio, timeRounds, wasmLockPairs } from './micro-ops.js';

/** What a strategy's thread answers. */
export interface StrategyRounds {
  /** ns per map+unmap, per op name (micro-ops.ts opName), per round. */
  perRound: Record<string, number[]>;
  /** map+unmap / (lock pair + two copies) of the same mode, median of per-round ratios. */
  ratios: Record<CacheMode, number>;
  /** Extra time latency sampling adds, percent, median of paired rounds (SAMPLED_STRATEGY only). */
  samplingOverheadPct?: number;
}

const dev = { name: 'nvme0', id: 0, minAlignMask: PAGE_SIZE - 1 };

/** One strategy's allocator and DMA layer in `arena`, one thread, the floor's lock, with a 1 MiB host buffer there too. */
export function microMapper(strategy: Strategy, poolSlots: number, arena: DmaArena): DmaMapper {
  const plan = strategy.plan({ poolSlots, maxPoolSlots: Math.max(poolSlots, 2 * HOT_POOL_SLOTS), threads: 1, rules: 'newest' });
  plan.lock = FLOOR_LOCK;
  const state = strategy.create(plan, arena);
  const host = arena.region(1 << 20, PAGE_SIZE);
  const hostBytes = new Uint8Array(arena.buffer, host.offset, host.bytes).fill(0x66);
  return new DmaMapper(strategy.attach(state), hostMemory(hostBytes, HOST_BASE, arena.memory), 0);
}

/** BATCH 4 KiB FROM_DEVICE map+unmap round trips, every `sampleEvery`-th op timed (0: none), as src/run/cpu-replay.ts does. */
function roundTrips(dma: DmaMapper, sampleEvery: number): () => void {
  if (sampleEvery === 0) {
    return () => {
      for (let i = 0; i < BATCH; i++) dma.unmap(dev, dma.map(dev, HOST_BASE, SIZE, DMA_FROM_DEVICE), SIZE, DMA_FROM_DEVICE);
    };
  }
  let n = 0;
  return () => {
    for (let i = 0; i < BATCH; i++) {
      let t = 0;
      const timedMap = ++n % sampleEvery === 0;
      if (timedMap) t = performance.now();
      const tlb = dma.map(dev, HOST_BASE, SIZE, DMA_FROM_DEVICE);
      if (timedMap) t = performance.now() - t;
      const timedUnmap = ++n % sampleEvery === 0;
      if (timedUnmap) t = performance.now();
      dma.unmap(dev, tlb, SIZE, DMA_FROM_DEVICE);
      if (timedUnmap) t = performance.now() - t;
      if (t < 0) throw new Error('clock went backwards');
    }
  };
}

/** Time `strategy` against its floor in `rounds` rounds of `timeMs` per op. */
export async function strategyRounds(strategy: Strategy, rounds: number, timeMs: number): Promise<StrategyRounds> {
  const ops: Ops = new Map();
  const floorLock = opName.lock(FLOOR_LOCK, 'WebAssembly');
  ops.set(floorLock, wasmLockPairs(FLOOR_LOCK));
  for (const mode of CACHE_MODES) {
    ops.set(opName.copy('memory.copy', mode), memoryCopies(MODE_BYTES[mode]));
    ops.set(opName.mapUnmap(strategy.name, mode), roundTrips(microMapper(strategy, MODE_BYTES[mode] / IO_TLB_SIZE, new DmaArena()), 0));
  }
  const sampled = strategy.name === SAMPLED_STRATEGY;
  if (sampled) ops.set(opName.sampled(), roundTrips(microMapper(strategy, MODE_BYTES.rotating / IO_TLB_SIZE, new DmaArena()), SAMPLE_EVERY));

  const times = await timeRounds(ops, rounds, timeMs);
  const ratios = {} as Record<CacheMode, number>;
  for (const mode of CACHE_MODES) {
    const copies = times[opName.copy('memory.copy', mode)];
    const floors = times[floorLock].map((lock, i) => lock + 2 * copies[i]);
    ratios[mode] = pairedRatio(times[opName.mapUnmap(strategy.name, mode)], floors);
  }
  const perRound: Record<string, number[]> = {};
  for (const mode of CACHE_MODES) perRound[opName.mapUnmap(strategy.name, mode)] = times[opName.mapUnmap(strategy.name, mode)];
  if (!sampled) return { perRound, ratios };
  perRound[opName.sampled()] = times[opName.sampled()];
  const plain = times[opName.mapUnmap(strategy.name, 'rotating')];
  const samplingOverheadPct = 100 * (pairedRatio(times[opName.sampled()], plain) - 1);
  return { perRound, ratios, samplingOverheadPct };
}
