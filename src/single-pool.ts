/**
 * Shared helpers for strategies that use one io_tlb_mem with one default pool
 * (`defpool`), as the kernel does without CONFIG_SWIOTLB_DYNAMIC.
 */
import { DEFAULT_POOL_BASE } from './constants.js';
import { MemStats, allocateMemStats } from './mem-stats.js';
import { SwiotlbPool, allocatePool } from './pool.js';
import type { PoolPlan, StrategyState } from './strategy.js';

/** Allocate the io_tlb_mem counters and one pool of `plan.nslabs` slots in `plan.nareas` areas at DEFAULT_POOL_BASE. */
export function createSinglePool(plan: PoolPlan): StrategyState {
  return { plan, mem: allocateMemStats(), pools: [allocatePool(plan.nslabs, plan.nareas, DEFAULT_POOL_BASE, true, plan.rules)] };
}

/** Attach to the single pool: the pool view is the allocator (find_pool is one range check). */
export function attachSinglePool(state: StrategyState): SwiotlbPool {
  return new SwiotlbPool(state.pools[0], new MemStats(state.mem));
}
