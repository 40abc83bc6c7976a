/**
 * Pool and area sizing as the kernel does at boot (docs/model.md, "Pool layout and
 * boot sizing"): setup_io_tlb_npages, swiotlb_adjust_nareas,
 * round_up_default_nslabs, limit_nareas and swiotlb_init_remap in
 * kernel/dma/swiotlb.c. Sizes are in slots of 2 KiB.
 */
import { IO_TLB_DEFAULT_SIZE, IO_TLB_SEGSIZE, IO_TLB_SIZE } from './constants.js';

/** The default pool of most strategies: IO_TLB_DEFAULT_SIZE (64 MiB), in slots. */
export const DEFAULT_POOL_SLOTS = IO_TLB_DEFAULT_SIZE / IO_TLB_SIZE;

export function isPowerOfTwo(n: number): boolean {
  return n > 0 && (n & (n - 1)) === 0;
}

/** roundup_pow_of_two() (1 for n <= 1). */
export function roundUpPowerOfTwo(n: number): number {
  return n <= 1 ? 1 : 2 ** Math.ceil(Math.log2(n));
}

export function roundDownPowerOfTwo(n: number): number {
  return n <= 1 ? 1 : 2 ** Math.floor(Math.log2(n));
}

/** What the boot rules decided for the default pool, and what the kernel printed. */
export interface BootSizing {
  /** default_nslabs after boot: the pool's slots. */
  nslabs: number;
  /** default_nareas after swiotlb_adjust_nareas(): the pool's areas. */
  nareas: number;
  /** The kernel's pr_info lines, "software IO TLB: " prefixed as in dmesg. */
  messages: string[];
  /** What differs from what was asked, in words (for the warnings before the runs). */
  changes: string[];
}

/**
 * The boot pool for `requested` slots (`swiotlb=<nslabs>`; the 64 MiB
 * default when undefined) and `areas` (`swiotlb=,<nareas>`, else
 * num_possible_cpus(): here the run's threads):
 * - setup_io_tlb_npages(): nslabs = ALIGN(requested, IO_TLB_SEGSIZE);
 * - swiotlb_adjust_nareas(): nareas = roundup_pow_of_two(areas) (0 counts
 *   as 1), printing "area num N.";
 * - round_up_default_nslabs(): below IO_TLB_SEGSIZE * nareas the pool grows
 *   to that; otherwise a size that is not a power of two is rounded up to
 *   one; either way the kernel prints "SWIOTLB bounce buffer size roundup to
 *   N MB" (whole MiB, rounded down, so 0 for pools under 1 MiB);
 * - swiotlb_init_remap(): limit_nareas(nareas, nslabs), a no-op after the
 *   round-up. The memblock halving on allocation failure is not modelled:
 *   the boot allocation always succeeds here.
 */
export function bootSizing(requested: number | undefined, areas: number): BootSizing {
  const messages: string[] = [];
  const changes: string[] = [];
  const asked = requested ?? DEFAULT_POOL_SLOTS;
  const aligned = Math.ceil(asked / IO_TLB_SEGSIZE) * IO_TLB_SEGSIZE;
  if (aligned !== asked) changes.push(`pool of ${asked} slots aligned up to ${aligned}, whole ${IO_TLB_SEGSIZE}-slot segments (setup_io_tlb_npages)`);
  const nareas = areas <= 0 ? 1 : roundUpPowerOfTwo(areas);
  messages.push(`software IO TLB: area num ${nareas}.`);
  let nslabs = aligned;
  let why = '';
  if (aligned < IO_TLB_SEGSIZE * nareas) {
    nslabs = IO_TLB_SEGSIZE * nareas;
    why = `so each of ${nareas} areas holds a ${IO_TLB_SEGSIZE}-slot segment`;
  } else if (!isPowerOfTwo(aligned)) {
    nslabs = roundUpPowerOfTwo(aligned);
    why = 'to a power of two';
  }
  if (why) {
    messages.push(`software IO TLB: SWIOTLB bounce buffer size roundup to ${Math.floor((nslabs * IO_TLB_SIZE) / 2 ** 20)}MB`);
    changes.push(`pool of ${aligned} slots rounded up to ${nslabs} (${(nslabs * IO_TLB_SIZE) / 1024} KiB) in ${nareas} areas, ${why} (round_up_default_nslabs)`);
  }
  return { nslabs, nareas: limitNareas(nareas, nslabs), messages, changes };
}

/**
 * limit_nareas(): the most areas a pool of `nslots` slots can have, each
 * holding at least one segment: `nslots / IO_TLB_SEGSIZE` (rounded down)
 * when `nareas` segments do not fit, else `nareas`. The kernel applies it to
 * fixed-size pools only (one that had to shrink, late and dynamic pools).
 * The result need not be a power of two (the kernel allows that); this
 * model's pools require one, so callers pass sizes for which it is.
 */
export function limitNareas(nareas: number, nslots: number): number {
  return nslots < nareas * IO_TLB_SEGSIZE ? Math.floor(nslots / IO_TLB_SEGSIZE) : nareas;
}

/** The confidential-VM heuristic's lower bound, IO_TLB_DEFAULT_SIZE (64 MiB), bytes. */
export const COCO_MIN_BYTES = IO_TLB_DEFAULT_SIZE;
/** The confidential-VM heuristic's upper bound, SZ_1G, bytes. */
export const COCO_MAX_BYTES = 1 << 30;

/**
 * The default pool of a confidential VM (SEV, TDX) with `memBytes` of memory,
 * in bytes, before the kernel's rounding: mem_encrypt_setup_arch() in
 * arch/x86/mm/mem_encrypt.c takes 6% of memblock_phys_mem_size() (integer
 * arithmetic, `* 6 / 100`) clamped to [64 MiB, 1 GiB]. `memBytes` stands for
 * memblock_phys_mem_size(); a real guest reports a little less than its
 * nominal memory (firmware holes), which moves the answer only near a
 * power-of-two boundary.
 */
export function cocoHeuristicBytes(memBytes: number): number {
  return Math.min(COCO_MAX_BYTES, Math.max(COCO_MIN_BYTES, Math.floor((memBytes * 6) / 100)));
}

/**
 * swiotlb_adjust_size(bytes): the slots the default pool is set to, in
 * kernel/dma/swiotlb.c: the size aligned up to IO_TLB_SIZE, then to whole
 * segments (ALIGN(size >> IO_TLB_SHIFT, IO_TLB_SEGSIZE)). Its
 * round_up_default_nslabs() call does nothing at this point, since the area
 * count is not set yet (default_nareas is 0 unless `swiotlb=,N` was given).
 */
export function adjustSizeSlots(bytes: number): number {
  const aligned = Math.ceil(bytes / IO_TLB_SIZE);
  return Math.ceil(aligned / IO_TLB_SEGSIZE) * IO_TLB_SEGSIZE;
}

/**
 * The pool a confidential VM with `memBytes` of memory and `cpus` possible
 * CPUs boots with, in slots: cocoHeuristicBytes(), swiotlb_adjust_size(),
 * then swiotlb_init_remap()'s swiotlb_adjust_nareas(num_possible_cpus()),
 * whose round_up_default_nslabs() raises the pool to 128 slots per area or
 * else to a power of two (bootSizing()).
 */
export function cocoBootSlots(memBytes: number, cpus: number): number {
  return bootSizing(adjustSizeSlots(cocoHeuristicBytes(memBytes)), cpus).nslabs;
}

/**
 * `total` slots split over `parts` pools in whole units of `unit` slots, the
 * first pools taking one unit more when the units do not divide evenly
 * (3 pools of 256 segments: 86, 85 and 85 segments); a remainder below one
 * unit is left out. This project's rule for pools side by side at equal memory.
 */
export function splitInUnits(total: number, parts: number, unit: number): number[] {
  const units = Math.floor(total / unit);
  return Array.from({ length: parts }, (_, i) => (Math.floor(units / parts) + (i < units % parts ? 1 : 0)) * unit);
}
