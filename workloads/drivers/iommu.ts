/**
 * iommu-dma in front of swiotlb for an untrusted device (a Thunderbolt- or
 * USB4-attached PCIe device: `pdev->untrusted`), as drivers/iommu/dma-iommu.c
 * maps one buffer: iommu_dma_map_page() (iommu_dma_map_phys() since v6.18)
 * bounces it only when `iova_offset(phys | size)` is non-zero, i.e. when the
 * buffer does not start and end on IOVA granules; a granule-aligned buffer is
 * mapped by the IOMMU in place and never reaches swiotlb. A bounced buffer is
 * mapped with `alloc_align_mask = iova_mask()` (granule - 1) by
 * iommu_dma_map_swiotlb(), so swiotlb_tbl_map_single() rounds the allocation
 * up to whole granules and starts it on a granule; with a min_align_mask
 * (NVMe's 0xfff) the offset kept below the granule becomes pad_slots.
 * Each request here is one scatter-gather element (iommu_dma_map_sg_swiotlb()
 * tests the elements one by one).
 */
import { PAGE_SIZE } from '../../src/model/constants.js';
import { mixSeed } from '../../src/stats/hash.js';
import { xorshift32 } from '../../src/stats/prng.js';
import type { IoRequest } from '../types.js';

/** IOVA granules `--iova-granule` offers (the IOMMU's smallest page: 4 KiB on x86, 4, 16 or 64 KiB on arm64), bytes. */
export const IOVA_GRANULES: ReadonlyMap<string, number> = new Map([['4k', 4096], ['16k', 16384], ['64k', 65536]]);

/** What the IOMMU did with a workload's buffers. */
export interface IommuBounces {
  /** The requests that bounce, each with its alloc_align_mask set. */
  requests: IoRequest[];
  /** Buffers seen, and how many of them bounced. */
  buffers: number;
  bounced: number;
}

/**
 * True when iommu-dma bounces a buffer of `size` bytes at physical address
 * `phys` through swiotlb: iova_unaligned(), `(phys | size) & (granule - 1)`.
 */
export function iovaUnaligned(phys: number, size: number, granule: number): boolean {
  return (phys % granule) !== 0 || (size % granule) !== 0;
}

/**
 * The buffers of `requests` that an untrusted device's iommu-dma bounces
 * with IOVA granule `granule` (bytes, a power of two >= 4 KiB), in order,
 * each with `allocAlignMask = granule - 1`. A buffer's offset inside its
 * 4 KiB page comes from its request (`offset`, as the schedule places it);
 * the page frame above it is granule-aligned with probability
 * 4 KiB / granule (pages come from anywhere in memory), drawn from `seed`.
 */
export function untrustedBounces(requests: readonly IoRequest[], granule: number, seed: number): IommuBounces {
  const rand = xorshift32(mixSeed(seed, 'iommu page frames'));
  const out: IoRequest[] = [];
  for (const r of requests) {
    // A page frame whose index is a multiple of framesPerGranule sits on a granule: 1 in framesPerGranule.
    const phys = Math.floor(rand() * 2 ** 20) * PAGE_SIZE + (r.offset % PAGE_SIZE);
    if (iovaUnaligned(phys, r.size, granule)) out.push({ ...r, allocAlignMask: granule - 1 });
  }
  return { requests: out, buffers: requests.length, bounced: out.length };
}
