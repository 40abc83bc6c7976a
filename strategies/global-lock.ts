/**
 * `global-lock`: one area, one lock, as swiotlb was before v6.0 (a single
 * `io_tlb_lock` over the whole pool). The slot search is the newest kernel's;
 * only the lock domain differs from `per-cpu-areas`.
 */
import { bootPoolSlots } from '../src/model/pool-sizing.js';
import { attachSinglePool, createSinglePool } from '../src/model/single-pool.js';
import type { Strategy } from '../src/model/strategy.js';

export const globalLock: Strategy = {
  name: 'global-lock',
  description: 'one pool, one area, one lock: swiotlb before v6.0',
  plan(request) {
    const changes: string[] = [];
    if (request.areas !== undefined && request.areas !== 1) changes.push(`--areas ${request.areas} ignored: global-lock always has 1 area`);
    return { nslabs: bootPoolSlots(request.poolSlots, 1, changes), nareas: 1, rules: request.rules, notes: [], changes };
  },
  create: createSinglePool,
  attach: attachSinglePool,
};
