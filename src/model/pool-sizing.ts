/**
 * Pool and area sizing as the kernel does at boot (docs/model.md, "Pool layout and
 * boot sizing": swiotlb_adjust_nareas, round_up_default_nslabs, limit_nareas).
 */
import { IO_TLB_DEFAULT_SIZE, IO_TLB_SEGSIZE, IO_TLB_SIZE } from './constants.js';

/** The default pool of most strategies: IO_TLB_DEFAULT_SIZE (64 MiB), in slots. */
export const DEFAULT_POOL_SLOTS = IO_TLB_DEFAULT_SIZE / IO_TLB_SIZE;

export function isPowerOfTwo(n: number): boolean {
  return n > 0 && (n & (n - 1)) === 0;
}

export function roundUpPowerOfTwo(n: number): number {
  return n <= 1 ? 1 : 2 ** Math.ceil(Math.log2(n));
}

export function roundDownPowerOfTwo(n: number): number {
  return n <= 1 ? 1 : 2 ** Math.floor(Math.log2(n));
}

/**
 * Boot pool size in slots for `requested` slots: aligned to whole segments
 * (the `swiotlb=` parameter), then round_up_default_nslabs(): at least one
 * segment per area, otherwise rounded up to a power of two.
 * Appends what changed to `changes`.
 */
export function bootPoolSlots(requested: number | undefined, nareas: number, changes: string[]): number {
  requested ??= DEFAULT_POOL_SLOTS;
  let nslabs = Math.ceil(requested / IO_TLB_SEGSIZE) * IO_TLB_SEGSIZE;
  if (nslabs < IO_TLB_SEGSIZE * nareas) nslabs = IO_TLB_SEGSIZE * nareas;
  else if (!isPowerOfTwo(nslabs)) nslabs = roundUpPowerOfTwo(nslabs);
  if (nslabs !== requested) changes.push(`pool of ${requested} slots rounded up to ${nslabs} (SWIOTLB bounce buffer size roundup)`);
  return nslabs;
}

/**
 * limit_nareas(): cut the area count so each area holds at least one segment
 * (kept a power of two, so `cpu & (nareas - 1)` stays a valid area);
 * appends the change to `changes`.
 */
export function limitNareas(nareas: number, nslabs: number, changes: string[]): number {
  const most = roundDownPowerOfTwo(Math.floor(nslabs / IO_TLB_SEGSIZE));
  if (nareas <= most) return nareas;
  changes.push(`areas limited from ${nareas} to ${most} so each holds at least ${IO_TLB_SEGSIZE} slots`);
  return most;
}
