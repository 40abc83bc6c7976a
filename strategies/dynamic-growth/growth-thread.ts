/**
 * The kworker that runs mem->dyn_alloc (swiotlb_dyn_alloc) in its own thread
 * beside the CPUs: it sleeps until schedule_work() sets PENDING, then runs
 * the work, which clears PENDING as it starts (src/model/dynamic/alloc-pool.ts).
 */
import { PENDING_QUEUED, runDynAllocWork } from '../../src/model/dynamic/alloc-pool.js';
import { DynamicViews, type DynamicState, META_PENDING, wallMs } from '../../src/model/dynamic/layout.js';

/** Longest sleep between looks at the stop flag, ms. */
const IDLE_SLICE_MS = 20;

/** Run growth work whenever it is queued, until `stopped()`; returns the growth counters (throughput.csv columns). */
export function runGrowth(state: DynamicState, stopped: () => boolean): Record<string, number> {
  const v = new DynamicViews(state);
  const latencies: number[] = [];
  let failures = 0;
  while (!stopped()) {
    const pending = Atomics.load(v.meta, META_PENDING);
    if (pending !== PENDING_QUEUED) {
      // Not queued, or a CPU is stamping its request: sleep until PENDING changes.
      Atomics.wait(v.meta, META_PENDING, pending, IDLE_SLICE_MS);
      continue;
    }
    const asked = v.times[0];
    const result = runDynAllocWork(v);
    if (result.pool) latencies.push(wallMs() - asked);
    else failures++;
  }
  return {
    growths: latencies.length,
    growth_failures: failures,
    growth_latency_mean_ms: latencies.length ? latencies.reduce((s, x) => s + x, 0) / latencies.length : 0,
    growth_latency_max_ms: latencies.length ? Math.max(...latencies) : 0,
  };
}
