/**
 * `global-lock`: one area, one lock, as swiotlb was before v6.0 (a single
 * `io_tlb_lock` over the whole pool). The pool is sized as a current kernel
 * booted with `swiotlb=<nslabs>,1` (bootSizing with one area: whole segments,
 * then a power of two); the slot search is the newest kernel's. Only the lock
 * domain differs from `per-cpu-areas`.
 */
import { attachSinglePool, createSinglePool, planBootPool } from '../src/model/single-pool.js';
import type { Strategy } from '../src/model/strategy.js';

export const globalLock: Strategy = {
  name: 'global-lock',
  description: 'one pool, one area, one lock: swiotlb before v6.0',
  plan(request) {
    const plan = planBootPool({ ...request, areas: 1 }, 1);
    if (request.areas !== undefined && request.areas !== 1) plan.changes!.unshift(`--areas ${request.areas} ignored: global-lock always has 1 area`);
    return plan;
  },
  create: createSinglePool,
  attach: attachSinglePool,
};
