/**
 * `npm run bench:micro` (tinybench): side by side in one process, a raw 4 KiB
 * copy, an uncontended lock+unlock of each lock kind, and map+unmap of 4 KiB FROM_DEVICE per
 * strategy, with each map+unmap expressed as a ratio to (lock pair + two 4 KiB
 * copies), the least a bounced FROM_DEVICE round trip must cost. Also times
 * map+unmap with 1-in-16 latency sampling to show what sampling costs.
 * Writes results/micro.json: {"ops": {name: ns_per_op}, "ratios": {strategy: ratio}}.
 *
 * Each benchmarked function runs BATCH operations, so timer overhead is spread
 * out; copies go to a destination that rotates through a 64 MiB pool-sized
 * buffer, as the bounce slots of a real map do.
 */
import { median } from 'simple-statistics';
import { Bench } from 'tinybench';
import { IO_TLB_DEFAULT_SIZE, IO_TLB_SIZE, PAGE_SIZE } from '../model/constants.js';
import { DMA_FROM_DEVICE, DmaMapper } from '../model/dma.js';
import { LOCK_KINDS, lockOps, newLockStats } from '../model/lock.js';
import { STRATEGIES } from '../../strategies/index.js';
import { HOST_BASE } from '../../workloads/schedule/host-memory.js';

const BATCH = 256;
/** Short rounds, each running every op; medians over rounds resist the drift of a shared machine. */
const ROUNDS = Number(process.env.MICRO_ROUNDS ?? 7);
const SIZE = 4096;
export const SAMPLE_EVERY = 16;
/** The strategy whose map+unmap is also timed with latency sampling (the kernel's default design). */
export const SAMPLED_STRATEGY = 'per-cpu-areas';
/** The lock the strategies run with here (one thread on any machine: the default), and so the floor's. */
const FLOOR_LOCK = 'qspinlock';

export interface MicroResult {
  /** ns per operation, median over rounds. */
  ops: Record<string, number>;
  /** map+unmap / (lock pair + two 4 KiB copies), per strategy, median of per-round ratios. */
  ratios: Record<string, number>;
  /** Extra time latency sampling adds to map+unmap, percent, median of per-round pairs. */
  sampling_overhead_pct: number;
}

export async function runMicro(timeMs = 150): Promise<MicroResult> {
  const poolBytes = IO_TLB_DEFAULT_SIZE;
  const bounce = new Uint8Array(new SharedArrayBuffer(poolBytes));
  const hostBytes = new Uint8Array(new SharedArrayBuffer(1 << 20));
  hostBytes.fill(0x66);
  const host = { bytes: hostBytes, base: HOST_BASE };
  let at = 0;
  const copy = () => {
    bounce.set(hostBytes.subarray(0, SIZE), at);
    at = (at + SIZE) % poolBytes;
  };
  const lockWords = new Int32Array(new SharedArrayBuffer(64));
  const lockStats = newLockStats();

  const fns = new Map<string, () => void>();
  const bench = { add: (name: string, fn: () => void) => fns.set(name, fn) };
  bench.add('copy 4KiB', () => {
    for (let i = 0; i < BATCH; i++) copy();
  });
  for (const [k, kind] of LOCK_KINDS.entries()) {
    const lock = lockOps(kind);
    const at = k * 8; // each kind on words of its own: their encodings differ
    bench.add(`lock+unlock ${kind}`, () => {
      for (let i = 0; i < BATCH; i++) {
        lock.acquire(lockWords, at, lockStats);
        lock.release(lockWords, at);
      }
    });
  }
  const strategies = [...STRATEGIES.values()];
  for (const strategy of strategies) {
    const state = strategy.create(strategy.plan({ poolSlots: poolBytes / IO_TLB_SIZE, threads: 1, rules: 'newest' }));
    const dma = new DmaMapper(strategy.attach(state), host, 0);
    const dev = { name: 'nvme0', minAlignMask: PAGE_SIZE - 1 };
    bench.add(`map+unmap 4KiB FROM_DEVICE ${strategy.name}`, () => {
      for (let i = 0; i < BATCH; i++) {
        const tlb = dma.map(dev, HOST_BASE, SIZE, DMA_FROM_DEVICE);
        dma.unmap(dev, tlb, SIZE, DMA_FROM_DEVICE);
      }
    });
    if (strategy.name === SAMPLED_STRATEGY) {
      let n = 0;
      bench.add(`map+unmap 4KiB FROM_DEVICE ${strategy.name} sampled 1/${SAMPLE_EVERY}`, () => {
        for (let i = 0; i < BATCH; i++) {
          // As bench/cpu-replay.ts: one op in SAMPLE_EVERY (there on average) is timed with two clock reads.
          let t = 0;
          const timedMap = ++n % SAMPLE_EVERY === 0;
          if (timedMap) t = performance.now();
          const tlb = dma.map(dev, HOST_BASE, SIZE, DMA_FROM_DEVICE);
          if (timedMap) t = performance.now() - t;
          const timedUnmap = ++n % SAMPLE_EVERY === 0;
          if (timedUnmap) t = performance.now();
          dma.unmap(dev, tlb, SIZE, DMA_FROM_DEVICE);
          if (timedUnmap) t = performance.now() - t;
          if (t < 0) throw new Error('clock went backwards');
        }
      });
    }
  }
  const perRound = new Map<string, number[]>([...fns.keys()].map((k) => [k, []]));
  for (let round = 0; round < ROUNDS; round++) {
    const b = new Bench({ time: timeMs, warmupTime: round === 0 ? 200 : 20 });
    for (const [name, fn] of fns) b.add(name, fn);
    await b.run();
    for (const task of b.tasks) {
      const r = task.result;
      if (r.state !== 'completed') throw new Error(`micro-benchmark '${task.name}' did not complete (${r.state})`);
      perRound.get(task.name)!.push((r.latency.mean * 1e6) / BATCH);
    }
  }
  const ops: Record<string, number> = {};
  for (const [name, values] of perRound) ops[name] = median(values);
  // Ratios pair each round's map+unmap with the same round's floor, then take the median.
  const floors = perRound.get(`lock+unlock ${FLOOR_LOCK}`)!.map((lock, i) => lock + 2 * perRound.get('copy 4KiB')![i]);
  const ratios: Record<string, number> = {};
  for (const s of strategies) ratios[s.name] = median(perRound.get(`map+unmap 4KiB FROM_DEVICE ${s.name}`)!.map((ns, i) => ns / floors[i]));
  const plain = perRound.get(`map+unmap 4KiB FROM_DEVICE ${SAMPLED_STRATEGY}`)!;
  const sampled = perRound.get(`map+unmap 4KiB FROM_DEVICE ${SAMPLED_STRATEGY} sampled 1/${SAMPLE_EVERY}`)!;
  const samplingOverheadPct = median(sampled.map((ns, i) => (100 * (ns - plain[i])) / plain[i]));
  return { ops, ratios, sampling_overhead_pct: samplingOverheadPct };
}
