/**
 * `cache-friendly-areas`: per-CPU areas with Chao Gao's allocation order, as
 * his "[RFC v2 0/2] swiotlb performance optimizations" posted it (2022-07-18,
 * message 20220718012818.107051-1-chao.gao@intel.com; never merged;
 * docs/strategies.md): free slots tracked as bits (1/2, bitmap-tracked-pool.ts),
 * and 2/2, "allocate memory in a cache-friendly way"
 * (20220718012818.107051-3-chao.gao@intel.com, first posted 2021-09-01): the
 * area's next-fit `index` is replaced by a list of its free slots. The search
 * walks it from the head and takes the first slot that can start the run;
 * a release puts its slots back at the head, lowest first, so the next map
 * reuses the most recently freed (cache-hot) buffer. The list starts in
 * ascending order. There is no stride: misaligned slots are walked past one
 * by one, as the patch says. Newest alignment rules (`--kernel-rules v6.6`
 * is planned as newest).
 */
import type { PoolShared } from '../src/model/pool-layout.js';
import { createSinglePool } from '../src/model/single-pool.js';
import type { Strategy, StrategyState } from '../src/model/strategy.js';
import { BitmapTrackedPool, type RunWanted, planNewestRules } from './bitmap-tracked-pool.js';
import { perCpuAreas } from './per-cpu-areas.js';

/** Shared state: the pool, plus each area's list of free slots. */
export interface CacheFriendlyState extends StrategyState {
  /** Int32 per slot, twice: the next free slot of its area's list (-1: none) at [i], the previous at [nslabs + i]. */
  links: SharedArrayBuffer;
  /** Int32 at 16 * area: the first free slot of its list (-1: empty); a 64-byte line per area, as the kernel's io_tlb_area is. */
  heads: SharedArrayBuffer;
}

/** Int32 words between two areas' list heads: one 64-byte line each. */
const HEAD_STRIDE = 16;

/** Link every slot of each area into its list in ascending order (the patch's list_add_tail at init). */
export function initFreeLists(pool: PoolShared, links: Int32Array, heads: Int32Array): void {
  const { nslabs, nareas } = pool;
  const per = nslabs / nareas;
  for (let a = 0; a < nareas; a++) {
    const first = a * per;
    heads[a * HEAD_STRIDE] = first;
    for (let i = first; i < first + per; i++) {
      links[i] = i + 1 < first + per ? i + 1 : -1;
      links[nslabs + i] = i > first ? i - 1 : -1;
    }
  }
}

/** One CPU's view: the bit-tracked pool searched along each area's free list. */
export class CacheFriendlyPool extends BitmapTrackedPool {
  private readonly links: Int32Array;
  private readonly heads: Int32Array;

  constructor(state: CacheFriendlyState) {
    super(state.pools[0]);
    this.links = new Int32Array(state.links);
    this.heads = new Int32Array(state.heads);
  }

  /** swiotlb_do_find_slots() of RFC v2 2/2: the first slot on the area's free list that starts the run. */
  protected findRun(a: number, w: RunWanted): number {
    let scanned = 0;
    let i = this.heads[a * HEAD_STRIDE];
    for (; i !== -1; i = this.links[i]) {
      scanned++;
      if (this.fits(i, w)) break;
    }
    this.counters.slotsScanned += scanned;
    return i;
  }

  /** list_del() of a slot the map takes. */
  protected taken(a: number, j: number): void {
    const n = this.nslabs;
    const next = this.links[j];
    const prev = this.links[n + j];
    if (prev !== -1) this.links[prev] = next;
    else this.heads[a * HEAD_STRIDE] = next;
    if (next !== -1) this.links[n + next] = prev;
  }

  /** list_add() at the head of a slot a release frees (called last slot first, so the run ends up ascending). */
  protected freed(a: number, j: number): void {
    const n = this.nslabs;
    const head = this.heads[a * HEAD_STRIDE];
    this.links[j] = head;
    this.links[n + j] = -1;
    if (head !== -1) this.links[n + head] = j;
    this.heads[a * HEAD_STRIDE] = j;
  }
}

export const cacheFriendlyAreas: Strategy<CacheFriendlyState> = {
  name: 'cache-friendly-areas',
  description: "per-CPU areas, free slots on a list per area reused most recently freed first, no merge (Chao Gao's 2022 RFC v2, unmerged)",
  plan(request) {
    const plan = planNewestRules(perCpuAreas.plan(request), 'cache-friendly-areas');
    plan.notes.push('allocation order: most recently freed slots first (Gao RFC v2 2/2); free slots tracked as bits, no merge (1/2)');
    return plan;
  },
  create(plan, arena) {
    const state = createSinglePool(plan, arena, 'bits');
    const pool = state.pools[0];
    const links = new SharedArrayBuffer(pool.nslabs * 8);
    const heads = new SharedArrayBuffer(pool.nareas * HEAD_STRIDE * 4);
    initFreeLists(pool, new Int32Array(links), new Int32Array(heads));
    return { ...state, links, heads };
  },
  attach: (state) => new CacheFriendlyPool(state),
};
