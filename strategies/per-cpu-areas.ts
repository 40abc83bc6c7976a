/**
 * `per-cpu-areas`: the kernel's areas since v6.0 (commit 20347fca71a3 "swiotlb:
 * split up the global swiotlb lock"), sized at boot as the kernel does
 * (bootSizing: swiotlb_adjust_nareas, round_up_default_nslabs): the area count
 * is the CPU count (`--areas N` overrides it, as `swiotlb=,N`) rounded up to a
 * power of two, and the pool grows to at least one 128-slot segment per area.
 * A CPU starts in area `cpu & (nareas - 1)` and spills to the next ones.
 */
import { attachSinglePool, createSinglePool, planBootPool } from '../src/model/single-pool.js';
import type { Strategy } from '../src/model/strategy.js';

export const perCpuAreas: Strategy = {
  name: 'per-cpu-areas',
  description: 'one pool split into per-CPU areas, each with its own lock: swiotlb since v6.0',
  plan: (request) => planBootPool(request, request.areas ?? request.threads),
  create: createSinglePool,
  attach: attachSinglePool,
};
