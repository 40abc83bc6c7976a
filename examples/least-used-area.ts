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
import { SwiotlbPool } from '../src/model/pool.js';
import { createSinglePool } from '../src/model/single-pool.js';
import type { Strategy } from '../src/model/strategy.js';
import { perCpuAreas } from '../strategies/per-cpu-areas.js';

class LeastUsedAreaPool extends SwiotlbPool {
  /** The area with the fewest used slots (racy reads, no lock); ties go to the CPU's own area. */
  override startArea(cpu: number): number {
    let start = cpu & (this.nareas - 1);
    let least = this.areaUsed(start);
    for (let a = 0; a < this.nareas; a++) {
      const used = this.areaUsed(a);
      if (used < least) {
        least = used;
        start = a;
      }
    }
    return start;
  }
}

const leastUsedArea: Strategy = {
  name: 'least-used-area',
  description: 'per-CPU areas, but each map starts in the least-used area (example plug-in)',
  // Same pool and areas as the kernel's per-CPU areas: only the start area differs.
  plan: perCpuAreas.plan,
  create: createSinglePool,
  attach: (state) => new LeastUsedAreaPool(state.pools[0]),
};

export default leastUsedArea;
