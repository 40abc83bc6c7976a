/**
 * Samples a strategy's pools from the main thread while workers run: racy
 * reads of `list[]`, area `used` and the io_tlb_mem counters, as debugfs does.
 */
import { freeRunStats, internalWastePct, unusableShares } from '../src/fragmentation.js';
import { MemStats } from '../src/mem-stats.js';
import { SwiotlbPool } from '../src/pool.js';
import type { StrategyState } from '../src/strategy.js';

export interface PoolSample {
  used: number;
  hiwater: number;
  freeRuns: number;
  largestFreeRun: number;
  /** unusable_1, _8, _32, _128. */
  unusable: number[];
  internalWastePct: number;
}

export class PoolSampler {
  readonly mem: MemStats;
  private readonly pools: SwiotlbPool[];

  constructor(state: StrategyState) {
    this.mem = new MemStats(state.mem);
    this.pools = state.pools.map((p) => new SwiotlbPool(p, this.mem));
  }

  sample(): PoolSample {
    let freeRuns = 0;
    let largestFreeRun = 0;
    let usedSlots = 0;
    let requested = 0;
    const unusable = [0, 0, 0, 0];
    let free = 0;
    for (const pool of this.pools) {
      const runs = freeRunStats(pool.list);
      freeRuns += runs.freeRuns;
      largestFreeRun = Math.max(largestFreeRun, runs.largestFreeRun);
      const shares = unusableShares(pool.list);
      shares.forEach((s, k) => (unusable[k] += s * runs.freeSlots));
      free += runs.freeSlots;
      for (let a = 0; a < pool.nareas; a++) {
        const occupancy = pool.areaOccupancy(a);
        usedSlots += occupancy.used;
        requested += occupancy.requestedBytes;
      }
    }
    return {
      used: this.mem.used,
      hiwater: this.mem.hiwater,
      freeRuns,
      largestFreeRun,
      unusable: unusable.map((u) => (free === 0 ? 0 : u / free)),
      internalWastePct: internalWastePct(usedSlots, requested),
    };
  }
}
