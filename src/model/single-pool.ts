/**
 * Shared helpers for strategies that use one io_tlb_mem with one default pool
 * (`defpool`), as the kernel does without CONFIG_SWIOTLB_DYNAMIC.
 */
import { DEFAULT_POOL_BASE } from './constants.js';
import { SwiotlbPool } from './pool.js';
import { allocatePool } from './pool-layout.js';
import type { PoolPlan, StrategyState } from './strategy.js';

/** Allocate one pool (with its io_tlb_mem counters) of `plan.nslabs` slots in `plan.nareas` areas at DEFAULT_POOL_BASE. */
export function createSinglePool(plan: PoolPlan): StrategyState {
  return { plan, pools: [allocatePool(plan.nslabs, plan.nareas, DEFAULT_POOL_BASE, { rules: plan.rules })] };
}

/** Attach to the single pool: the pool view is the allocator (find_pool is one range check). */
export function attachSinglePool(state: StrategyState): SwiotlbPool {
  return new SwiotlbPool(state.pools[0]);
}
