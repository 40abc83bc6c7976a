/**
 * Shared helpers for strategies that use one io_tlb_mem with one default pool
 * (`defpool`), as the kernel does without CONFIG_SWIOTLB_DYNAMIC.
 */
import { DEFAULT_POOL_BASE } from './constants.js';
import type { DmaArena } from './dma-arena.js';
import { SwiotlbPool } from './pool.js';
import { type FreeTracking, allocatePool } from './pool-layout.js';
import { bootSizing } from './pool-sizing.js';
import type { PoolPlan, PoolRequest, StrategyState } from './strategy.js';

/**
 * The default pool as the kernel sizes it at boot (bootSizing: `--pool` as
 * `swiotlb=<nslabs>`, `areas` as `swiotlb=,<nareas>` or the CPU count), with
 * the kernel's boot messages among the notes and what changed among the changes.
 */
export function planBootPool(request: PoolRequest, areas: number): PoolPlan {
  const boot = bootSizing(request.poolSlots, areas);
  const changes = [...boot.changes];
  if (areas !== boot.nareas && request.areas !== undefined) changes.unshift(`--areas ${areas} rounded up to ${boot.nareas}, a power of two (swiotlb_adjust_nareas)`);
  return { nslabs: boot.nslabs, nareas: boot.nareas, rules: request.rules, notes: [...boot.messages], changes };
}

/**
 * Allocate one pool (with its io_tlb_mem counters) of `plan.nslabs` slots in
 * `plan.nareas` areas at DEFAULT_POOL_BASE, in `arena` when given, its free
 * slots tracked as `tracking` says (the kernel's counts when omitted).
 */
export function createSinglePool(plan: PoolPlan, arena?: DmaArena, tracking?: FreeTracking): StrategyState {
  return { plan, pools: [allocatePool(plan.nslabs, plan.nareas, DEFAULT_POOL_BASE, { rules: plan.rules, lock: plan.lock, debugfs: plan.debugfs, arena, tracking })] };
}

/** Attach to the single pool: the pool view is the allocator (find_pool is one range check). */
export function attachSinglePool(state: StrategyState): SwiotlbPool {
  return new SwiotlbPool(state.pools[0]);
}
