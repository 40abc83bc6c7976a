/**
 * Making dynamic pools (kernel/dma/swiotlb.c, CONFIG_SWIOTLB_DYNAMIC):
 * swiotlb_alloc_pool() for growth and transient pools, the dyn_alloc work
 * (swiotlb_dyn_alloc) and schedule_work()'s PENDING bit. The bench runs the
 * work on its own thread (strategies/dynamic-growth); the conformance replay
 * and tests call runDynAllocWork() at a chosen point on the calling thread.
 */
import { IO_TLB_MIN_SLABS, IO_TLB_SEGSIZE, IO_TLB_SIZE, alignUp } from '../constants.js';
import { limitNareas } from '../pool-sizing.js';
import { DynamicViews, ENTRY_WORDS, E_NAREAS, E_NSLABS, KIND_GROWTH, MAX_POOL_SLABS, META_PENDING, wallMs } from './layout.js';
import { getOrder } from './page-reserve.js';

/** What one swiotlb_alloc_pool() call did. */
export interface AllocPoolResult {
  /** The new pool's table entry, or -1 when every size failed. */
  entry: number;
  /** Pool sizes (slots) whose pages were asked for, in order, e.g. [2048, 1024, 512]. */
  tried: number[];
}

/**
 * swiotlb_alloc_pool(): a pool of `nslabs` slots (capped at MAX_POOL_SLABS,
 * areas then limited by limit_nareas), its pages from the reserve; when they
 * cannot be had, halve (`ALIGN(nslabs / 2, IO_TLB_SEGSIZE)`, areas limited
 * again) until an attempt at no more than `minslabs` has failed. The pool is
 * initialised as `kind` but on no list yet. Slot arrays and descriptors cost
 * no budget (the vectors' rule: host heap, never fails).
 */
export function swiotlbAllocPool(v: DynamicViews, kind: number, minslabs: number, nslabs: number, nareas: number): AllocPoolResult {
  if (nslabs > MAX_POOL_SLABS) {
    nslabs = MAX_POOL_SLABS;
    nareas = limitNareas(nareas, nslabs);
  }
  const tried: number[] = [];
  for (;;) {
    tried.push(nslabs);
    const order = getOrder(nslabs * IO_TLB_SIZE);
    const page = v.reserve.allocPages(order);
    if (page >= 0) return { entry: v.initPool(kind, page, order, nslabs, nareas), tried };
    if (nslabs <= minslabs) return { entry: -1, tried };
    nslabs = alignUp(Math.floor(nslabs / 2), IO_TLB_SEGSIZE);
    nareas = limitNareas(nareas, nslabs);
  }
}

/** What one run of the dyn_alloc work did. */
export interface GrowResult {
  /** The pool added: its start address (bytes), slots and areas; absent when it failed ("Failed to allocate new pool"). */
  pool?: { start: number; nslabs: number; nareas: number };
  /** Sizes tried, as AllocPoolResult.tried. */
  tried: number[];
}

/**
 * swiotlb_dyn_alloc(): a pool of default_nslabs (from IO_TLB_MIN_SLABS up)
 * with default_nareas, added at the head of mem->pools.
 */
export function swiotlbDynAlloc(v: DynamicViews): GrowResult {
  const { defaultNslabs, defaultNareas } = v.config;
  const r = swiotlbAllocPool(v, KIND_GROWTH, IO_TLB_MIN_SLABS, defaultNslabs, defaultNareas);
  if (r.entry < 0) return { tried: r.tried };
  v.addMemPool(r.entry);
  const at = r.entry * ENTRY_WORDS;
  return { pool: { start: v.poolShared(r.entry).start, nslabs: v.table[at + E_NSLABS], nareas: v.table[at + E_NAREAS] }, tried: r.tried };
}

/** PENDING values: the work is queued (QUEUED), or being queued by a CPU still stamping the request time (CLAIMED). */
export const PENDING_CLAIMED = 2;
export const PENDING_QUEUED = 1;

/**
 * schedule_work(&mem->dyn_alloc): set PENDING unless it is set. Returns true
 * when this call queued the work, false when it was already pending. The
 * winner claims PENDING, stamps the request time (for the growth latency),
 * then marks it queued, so the growth thread, which acts on QUEUED only,
 * never reads a stale stamp.
 */
export function scheduleDynAlloc(v: DynamicViews): boolean {
  if (Atomics.compareExchange(v.meta, META_PENDING, 0, PENDING_CLAIMED) !== 0) return false;
  v.times[0] = wallMs();
  Atomics.store(v.meta, META_PENDING, PENDING_QUEUED);
  Atomics.notify(v.meta, META_PENDING);
  return true;
}

/** True while the dyn_alloc work is queued and not yet started. */
export function dynAllocPending(v: DynamicViews): boolean {
  return Atomics.load(v.meta, META_PENDING) !== 0;
}

/**
 * Run the queued dyn_alloc work here and now, as a kworker does: PENDING is
 * cleared as the work starts (so a map that fails meanwhile queues it again),
 * then swiotlb_dyn_alloc() runs. The growth thread calls this; so can a
 * replay, at the point its vector says. `meanwhile`, when given, runs
 * between the two: what other CPUs do while the work runs (tests).
 */
export function runDynAllocWork(v: DynamicViews, meanwhile?: () => void): GrowResult {
  Atomics.store(v.meta, META_PENDING, 0);
  meanwhile?.();
  return swiotlbDynAlloc(v);
}
