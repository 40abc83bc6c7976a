/** The growth worker: swiotlb_dyn_alloc() in its own thread (docs/model.md, "Dynamic pools"). */
import { IO_TLB_MIN_SLABS, IO_TLB_SEGSIZE } from '../../src/model/constants.js';
import { roundDownPowerOfTwo } from '../../src/model/pool-sizing.js';
import { DynamicViews, type DynamicState, GROWTH_MAX_SLOTS, KIND_REGULAR, META_PENDING, wallMs } from './state.js';

/**
 * One swiotlb_dyn_alloc() pass: add one pool of up to 4 MiB (halving down to
 * 1 MiB when the budget has no aligned room), areas limited by its size, and
 * publish it at the head of the list. Returns the slots added (0: "Failed to
 * allocate new pool").
 */
export function growOnce(state: DynamicState): number {
  const v = new DynamicViews(state);
  for (let nslabs = Math.min(GROWTH_MAX_SLOTS, roundDownPowerOfTwo(state.capacity)); nslabs >= IO_TLB_MIN_SLABS; nslabs /= 2) {
    const nareas = Math.min(state.plan.nareas, Math.max(1, nslabs / IO_TLB_SEGSIZE));
    const e = v.createPool(KIND_REGULAR, nslabs, nareas, nslabs);
    if (e >= 0) {
      v.publish(e);
      return nslabs;
    }
  }
  return 0;
}

/** True while a growth is requested and not yet done. */
export function growthPending(state: DynamicState): boolean {
  return Atomics.load(new Int32Array(state.meta), META_PENDING) !== 0;
}

/**
 * The growth worker, in its own thread: wait for a request, grow once, clear
 * the request; until `stopped()`. Returns growth counters.
 */
export function runGrowth(state: DynamicState, stopped: () => boolean): Record<string, number> {
  const v = new DynamicViews(state);
  const latencies: number[] = [];
  let failures = 0;
  while (!stopped()) {
    if (Atomics.load(v.meta, META_PENDING) === 0) {
      Atomics.wait(v.meta, META_PENDING, 0, 20);
      continue;
    }
    if (growOnce(state) > 0) latencies.push(wallMs() - v.times[0]);
    else failures++;
    Atomics.store(v.meta, META_PENDING, 0);
  }
  return {
    growths: latencies.length,
    growth_failures: failures,
    growth_latency_mean_ms: latencies.length ? latencies.reduce((s, x) => s + x, 0) / latencies.length : 0,
    growth_latency_max_ms: latencies.length ? Math.max(...latencies) : 0,
  };
}
