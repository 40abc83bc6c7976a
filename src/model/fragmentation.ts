/**
 * Pool occupancy and fragmentation measures computed from a pool's `list[]`
 * (the kernel's free-run counts). Reads are racy snapshots, as the kernel's
 * debugfs sums are: workers may be mapping while a sample is taken.
 */
import { IO_TLB_SEGSIZE, IO_TLB_SIZE } from './constants.js';

/** Run lengths `n` for which {@link FragmentationSample} reports `unusable_n`. */
export const UNUSABLE_SIZES = [1, 8, 32, 128] as const;

export interface FreeRunStats {
  /** Maximal runs of free slots (`list != 0`) over the whole pool, not broken at segment or area edges. */
  freeRuns: number;
  /** Longest such run, slots. */
  largestFreeRun: number;
  /** Largest `list[]` value (at most 128). */
  maxList: number;
  /** Free slots. */
  freeSlots: number;
}

/**
 * Free runs as the conformance `check` lines define them: maximal runs of
 * slots with `list != 0` over the whole array.
 */
export function freeRunStats(list: Int32Array): FreeRunStats {
  let freeRuns = 0;
  let largestFreeRun = 0;
  let maxList = 0;
  let freeSlots = 0;
  let run = 0;
  for (let i = 0; i < list.length; i++) {
    const v = list[i];
    if (v !== 0) {
      if (run === 0) freeRuns++;
      run++;
      freeSlots++;
      if (v > maxList) maxList = v;
      if (run > largestFreeRun) largestFreeRun = run;
    } else {
      run = 0;
    }
  }
  return { freeRuns, largestFreeRun, maxList, freeSlots };
}

/**
 * unusable_n for each n in `sizes`: the share (0..1) of free slots that lie in
 * no free run of at least n slots inside one 128-slot segment, i.e. the free
 * space a request of n slots can never use. 0 when nothing is free.
 */
export function unusableShares(list: Int32Array, sizes: readonly number[] = UNUSABLE_SIZES): number[] {
  const stranded = new Array<number>(sizes.length).fill(0);
  let free = 0;
  let run = 0;
  const flush = () => {
    for (let k = 0; k < sizes.length; k++) if (run < sizes[k]) stranded[k] += run;
    free += run;
    run = 0;
  };
  for (let i = 0; i < list.length; i++) {
    if ((i & (IO_TLB_SEGSIZE - 1)) === 0) flush();
    if (list[i] !== 0) run++;
    else flush();
  }
  flush();
  return stranded.map((s) => (free === 0 ? 0 : s / free));
}

/**
 * internal_waste_pct: the share (0..100) of allocated slot bytes that carry no
 * requested data (slot rounding, min_align offset, alloc_align round-up, pad slots).
 */
export function internalWastePct(usedSlots: number, requestedBytes: number): number {
  const allocated = usedSlots * IO_TLB_SIZE;
  return allocated === 0 ? 0 : (100 * (allocated - requestedBytes)) / allocated;
}

/** FNV-1a 32-bit over `list[]` as little-endian int32 (the conformance `list_hash`). */
export function listHash(list: Int32Array): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < list.length; i++) {
    const v = list[i];
    for (let b = 0; b < 4; b++) {
      h ^= (v >>> (8 * b)) & 0xff;
      h = Math.imul(h, 0x01000193);
    }
  }
  return h >>> 0;
}
