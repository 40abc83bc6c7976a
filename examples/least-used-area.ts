/**
 * Example strategy plug-in: "least-used area first", a load-balancing
 * proposal. Same pool and areas as `per-cpu-areas`, but a CPU starts its
 * search in the area with the fewest used slots (a racy read of each area's
 * `used`, no lock) instead of `cpu & (nareas - 1)`, then tries the following
 * areas in turn. It trades the kernel's CPU-area affinity (and so its lock
 * locality) for balance: run it beside per-cpu-areas to see which wins.
 *
 *   npm run bench -- --strategy per-cpu-areas,./examples/least-used-area.ts --threads 2,4
 */
import { bootPoolSlots, limitNareas, roundUpPowerOfTwo } from '../src/pool-sizing.js';
import { SwiotlbPool } from '../src/pool.js';
import { createSinglePool } from '../src/single-pool.js';
import type { Strategy } from '../src/strategy.js';

class LeastUsedAreaPool extends SwiotlbPool {
  override findSlots(cpu: number, orig: number, allocSize: number, allocAlignMask: number, minAlignMask: number, requested: number): number {
    const nareas = this.nareas;
    let start = cpu & (nareas - 1);
    for (let a = 0, least = Infinity; a < nareas; a++) {
      const used = this.areaUsed(a);
      if (used < least) {
        least = used;
        start = a;
      }
    }
    let a = start;
    do {
      const index = this.searchArea(a, orig, allocSize, allocAlignMask, minAlignMask, requested);
      if (index >= 0) return index;
      if (++a >= nareas) a = 0;
      if (a !== start) this.counters.areaFallbacks++;
    } while (a !== start);
    return -1;
  }
}

const leastUsedArea: Strategy = {
  name: 'least-used-area',
  description: 'per-CPU areas, but each map starts in the least-used area (example plug-in)',
  plan(request) {
    const notes: string[] = [];
    const nslabs = bootPoolSlots(request.poolSlots, 1, notes);
    return { nslabs, nareas: limitNareas(roundUpPowerOfTwo(request.areas ?? request.threads), nslabs, notes), rules: request.rules, notes };
  },
  create: createSinglePool,
  attach: (state) => new LeastUsedAreaPool(state.pools[0]),
};

export default leastUsedArea;
