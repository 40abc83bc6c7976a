/**
 * Samples a strategy's pools from the main thread while workers run: racy
 * reads of `list[]`, area `used` and the io_tlb_mem counters, as debugfs does.
 * With several io_tlb_mems (per-node pools) `used` is their sum, and the
 * high-water mark of that sum is the largest sampled value (each mem's own
 * hiwater is exact and reported per mem). With `--debugfs off` the kernel
 * keeps no counters: `used` is then the areas' `used` of every live pool
 * (transient ones included) and the high-water mark the largest sample.
 */
import { freeRunStats, internalWastePct, unusableShares } from '../model/fragmentation.js';
import { MemStats } from '../model/mem-stats.js';
import { SwiotlbPool } from '../model/pool.js';
import { type PoolShared, areaOccupancy } from '../model/pool-layout.js';
import type { Strategy, StrategyState } from '../model/strategy.js';
import type { PoolSnapshot } from '../export/run-series.js';
import { areaLabel, poolLabels, snapshotPools } from './pool-snapshot.js';

/** One racy reading of a strategy's pools (debugfs-style), in slots unless a field says otherwise. */
export interface PoolSample {
  used: number;
  hiwater: number;
  /** Per io_tlb_mem (per node): slots in use and high-water mark. */
  perMem: { used: number; hiwater: number }[];
  freeRuns: number;
  largestFreeRun: number;
  /** unusable_1, _8, _32, _128. */
  unusable: number[];
  internalWastePct: number;
  /** Slots in use per area of every live pool, by {@link areaLabel} (area-balance picture). */
  areaUsed: Record<string, number>;
  /** The strategy's own sampled columns. */
  extra: Record<string, number>;
}

/** Reads a strategy's live pools from the main thread while workers run; see the module comment. */
export class PoolSampler {
  readonly mems: MemStats[];
  private sampledHiwater = 0;

  constructor(private readonly strategy: Strategy, private readonly state: StrategyState) {
    const buffers = [...new Set(this.livePools().map((p) => p.mem))];
    this.mems = buffers.map((b) => new MemStats(b));
  }

  /** The pools alive now (strategies that grow report them; others have a fixed list). */
  private livePools(): PoolShared[] {
    return this.strategy.livePools?.(this.state) ?? this.state.pools;
  }

  /** CONFIG_DEBUG_FS: the kernel's counters are there to read. */
  private get debugfs(): boolean {
    return this.mems.every((m) => m.debugfs);
  }

  /** io_tlb_used: slots in use over all io_tlb_mems (without debugfs: the areas' sum over all live pools). */
  get used(): number {
    if (!this.debugfs) return this.livePools().reduce((sum, p) => sum + new SwiotlbPool(p).poolUsed(), 0);
    return this.mems.reduce((s, m) => s + m.used, 0);
  }

  /** io_tlb_used_hiwater (exact with one io_tlb_mem and debugfs, else the largest sample). */
  get hiwater(): number {
    return this.mems.length === 1 && this.debugfs ? this.mems[0].hiwater : Math.max(this.sampledHiwater, this.used);
  }

  /** Each io_tlb_mem's own high-water mark (none without debugfs). */
  get memHiwater(): number[] {
    return this.debugfs ? this.mems.map((m) => m.hiwater) : [];
  }

  /** Write 0 to the high-water marks, as to debugfs io_tlb_used_hiwater (the sampled one restarts from current use). */
  resetHiwater(): void {
    for (const m of this.mems) m.resetHiwater();
    this.sampledHiwater = this.used;
  }

  /** Slot states of every live pool now (for pool-map.png). */
  snapshot(moment: PoolSnapshot['moment'], tMs: number): PoolSnapshot {
    return snapshotPools(this.livePools(), moment, tMs);
  }

  /** One racy reading of the pools: counters, free runs, per-area use. */
  sample(): PoolSample {
    let freeRuns = 0;
    let largestFreeRun = 0;
    let usedSlots = 0;
    let requested = 0;
    const unusable = [0, 0, 0, 0];
    const areaUsed: Record<string, number> = {};
    const pools = this.livePools();
    const labels = poolLabels(pools);
    let free = 0;
    for (const [k, pool] of pools.map((p) => new SwiotlbPool(p)).entries()) {
      const runs = freeRunStats(pool.list);
      freeRuns += runs.freeRuns;
      largestFreeRun = Math.max(largestFreeRun, runs.largestFreeRun);
      const shares = unusableShares(pool.list);
      shares.forEach((s, k) => (unusable[k] += s * runs.freeSlots));
      free += runs.freeSlots;
      for (let a = 0; a < pool.nareas; a++) {
        const occupancy = areaOccupancy(pool.areaWords, a);
        usedSlots += occupancy.used;
        areaUsed[areaLabel(labels[k], a)] = occupancy.used;
        requested += occupancy.requestedBytes;
      }
    }
    const used = this.debugfs ? this.used : usedSlots;
    this.sampledHiwater = Math.max(this.sampledHiwater, used);
    return {
      used,
      hiwater: this.hiwater,
      perMem: this.debugfs ? this.mems.map((m) => ({ used: m.used, hiwater: m.hiwater })) : [],
      freeRuns,
      largestFreeRun,
      unusable: unusable.map((u) => (free === 0 ? 0 : u / free)),
      internalWastePct: internalWastePct(usedSlots, requested),
      areaUsed,
      extra: this.strategy.sampleColumns?.(this.state) ?? {},
    };
  }
}
