/**
 * Laying out a dynamic io_tlb_mem (layout.ts) for a plan: the boot pool at
 * `bootStart`, an empty reserve at `reserveBase`, mem->pools holding the boot
 * pool alone (swiotlb_init_remap() + add_mem_pool()).
 */
import { IO_TLB_SIZE, PAGE_SIZE } from '../constants.js';
import { DmaArena } from '../dma-arena.js';
import { DESC_BYTES, allocateAreaLines, allocatePool, allocateSlotStore } from '../pool-layout.js';
import type { PoolPlan } from '../strategy.js';
import { type DynamicConfig, type DynamicState, DynamicViews, E_NAREAS, E_NSLABS, allocateTables } from './layout.js';
import { allocateReserve } from './page-reserve.js';

/**
 * Shared memory for a dynamic io_tlb_mem whose boot pool is `plan.nslabs`
 * slots in `plan.nareas` areas (default_nslabs / default_nareas must equal
 * them, as after boot). `withData` false leaves out the bounce bytes
 * (bookkeeping-only replays); `arena` is the run's shared memory (a private
 * one when omitted).
 * @throws RangeError for a reserve that is not a power-of-two number of pages, or a budget not in whole KiB.
 */
export function createDynamicState(plan: PoolPlan, config: DynamicConfig, withData = true, arena: DmaArena = new DmaArena()): DynamicState {
  const pages = config.reserveBytes / PAGE_SIZE;
  const reserveSlots = config.reserveBytes / IO_TLB_SIZE;
  const boot = allocatePool(plan.nslabs, plan.nareas, config.bootStart, { rules: plan.rules, lock: plan.lock, debugfs: plan.debugfs, withData, arena });
  const { table, meta } = allocateTables(pages);
  const entry0 = new Int32Array(table);
  entry0[E_NSLABS] = plan.nslabs;
  entry0[E_NAREAS] = plan.nareas;
  const state: DynamicState = {
    plan,
    pools: [boot],
    config,
    boot,
    store: allocateSlotStore(reserveSlots, withData, arena),
    areas: allocateAreaLines(pages, arena),
    descs: arena.alloc((pages + 1) * DESC_BYTES),
    reserve: allocateReserve(config.reserveBytes, config.budgetBytes),
    table,
    meta,
    times: new SharedArrayBuffer(64),
  };
  new DynamicViews(state).addMemPool(0);
  return state;
}
