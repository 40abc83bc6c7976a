/**
 * swiotlb constants, as in include/linux/swiotlb.h and kernel/dma/swiotlb.c
 * (docs/model.md, "Constants and sizes"). Sizes are in bytes unless the name says slots.
 */

/** log2 of one slot ("slab"): IO_TLB_SHIFT. */
export const IO_TLB_SHIFT = 11;
/** Bytes in one slot: IO_TLB_SIZE = 2 KiB. */
export const IO_TLB_SIZE = 1 << IO_TLB_SHIFT;
/** Slots in one segment: IO_TLB_SEGSIZE. No allocation spans two segments. */
export const IO_TLB_SEGSIZE = 128;
/** Smallest pool worth booting with, in slots (1 MiB): IO_TLB_MIN_SLABS. */
export const IO_TLB_MIN_SLABS = (1 << 20) >> IO_TLB_SHIFT;
/** Default pool size in bytes (64 MiB = 32768 slots): IO_TLB_DEFAULT_SIZE. */
export const IO_TLB_DEFAULT_SIZE = 64 << 20;
/** 4 KiB pages, as on x86 and the conformance build. */
export const PAGE_SIZE = 4096;
/** Largest mapping with no min_align_mask: one whole segment, 256 KiB. */
export const IO_TLB_SEGMENT_BYTES = IO_TLB_SEGSIZE * IO_TLB_SIZE;
/** INVALID_PHYS_ADDR: orig_addr of a free or padding slot. */
export const INVALID_PHYS_ADDR = -1;
/** Physical address of slot 0 of the default pool (as in the conformance vectors). */
export const DEFAULT_POOL_BASE = 0x8000_0000;
/** Returned by a failed map, as DMA_MAPPING_ERROR. */
export const DMA_MAPPING_ERROR = -1;

/** nr_slots(): slots needed for `bytes` bytes. */
export function nrSlots(bytes: number): number {
  return Math.ceil(bytes / IO_TLB_SIZE);
}

/**
 * Slots swiotlb_tbl_map_single() takes for `size` bytes mapped from `orig`
 * (newest rules): the offset swiotlb_align_offset() keeps plus the size,
 * rounded up to `allocAlignMask + 1` (iommu-dma's granule). With no
 * alloc_align_mask that is nrSlots(size + the sub-slot offset), as in v6.6.
 */
export function allocatedSlots(orig: number, size: number, minAlignMask: number, allocAlignMask: number): number {
  const offset = alignOffset(orig, minAlignMask, allocAlignMask);
  return nrSlots(allocAlignMask ? alignUp(size + offset, allocAlignMask + 1) : size + offset);
}

/**
 * swiotlb_align_offset() (newest rules): the bytes of `orig` a mapping keeps
 * below its first data slot, `orig & min_align_mask & (alloc_align_mask |
 * (IO_TLB_SIZE - 1))`; its 2 KiB slots and more are the pad_slots.
 */
export function alignOffset(orig: number, minAlignMask: number, allocAlignMask: number): number {
  return (orig % 2 ** 32) & minAlignMask & (allocAlignMask | (IO_TLB_SIZE - 1));
}

/** ALIGN(x, a) for a power-of-two `a`. */
export function alignUp(x: number, a: number): number {
  return Math.ceil(x / a) * a;
}

/** io_tlb_offset(): slot position inside its segment, 0..127. */
export function ioTlbOffset(slot: number): number {
  return slot & (IO_TLB_SEGSIZE - 1);
}

/**
 * swiotlb_max_mapping_size(): the largest single mapping in bytes for a device
 * with `minAlignMask`: 256 KiB minus roundup(min_align_mask, 2 KiB), so 252 KiB
 * for NVMe's 0xFFF.
 */
export function maxMappingSize(minAlignMask: number): number {
  const reserved = minAlignMask ? Math.ceil(minAlignMask / IO_TLB_SIZE) * IO_TLB_SIZE : 0;
  return IO_TLB_SEGMENT_BYTES - reserved;
}

/**
 * Which kernel's slot-search rules a pool follows (conformance README,
 * "Behavioural differences between v6.6 and newest"):
 * - `newest`: mainline swiotlb_search_pool_area (absolute alloc_align_mask with
 *   size round-up and pad_slots; page rule only with no masks);
 * - `v6.6`: swiotlb_area_find_slots of v6.6 (one "match orig" mask of
 *   min_align_mask | alloc_align_mask | 0xFFF for >= PAGE_SIZE, no pad slots).
 */
export type KernelRules = 'newest' | 'v6.6';
export const KERNEL_RULES: readonly KernelRules[] = ['newest', 'v6.6'];
