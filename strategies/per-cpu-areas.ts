/**
 * `per-cpu-areas`: the kernel's areas since v6.0 (commit 20347fca71a3 "swiotlb:
 * split up the global swiotlb lock"). The area count is the CPU count rounded
 * up to a power of two (swiotlb_adjust_nareas), limited so each area holds at
 * least one 128-slot segment (limit_nareas); `--areas N` overrides the count.
 * A CPU starts in area `cpu & (nareas - 1)` and spills to the next ones.
 */
import { bootPoolSlots, limitNareas, roundUpPowerOfTwo } from '../src/model/pool-sizing.js';
import { attachSinglePool, createSinglePool } from '../src/model/single-pool.js';
import type { Strategy } from '../src/model/strategy.js';

export const perCpuAreas: Strategy = {
  name: 'per-cpu-areas',
  description: 'one pool split into per-CPU areas, each with its own lock: swiotlb since v6.0',
  plan(request) {
    const changes: string[] = [];
    const wanted = roundUpPowerOfTwo(request.areas ?? request.threads);
    if (request.areas !== undefined && wanted !== request.areas) changes.push(`--areas ${request.areas} rounded up to ${wanted} (a power of two)`);
    const nslabs = bootPoolSlots(request.poolSlots, 1, changes);
    return { nslabs, nareas: limitNareas(wanted, nslabs, changes), rules: request.rules, notes: [], changes };
  },
  create: createSinglePool,
  attach: attachSinglePool,
};
