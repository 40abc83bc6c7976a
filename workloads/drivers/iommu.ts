/**
 * iommu-dma in front of swiotlb for an untrusted device (a Thunderbolt- or
 * USB4-attached PCIe device: `pdev->untrusted`), drivers/iommu/dma-iommu.c.
 * A buffer bounces only where it does not fill whole IOVA granules
 * (iova_unaligned(): `iova_offset(phys | size)`); what bounces goes to
 * swiotlb_tbl_map_single() with its exact size and `alloc_align_mask =
 * iova_mask()` (granule - 1), so swiotlb starts it on a granule, rounds its
 * allocation up to whole granules, and keeps the part of the offset that
 * min_align_mask covers (pad_slots for 2 KiB and more). Two paths:
 *
 * - `map-phys`, one buffer (iommu_dma_map_phys(), iommu_dma_map_page()
 *   before v6.18: a NIC's dma_map_single()): an unaligned buffer bounces whole.
 * - `iova-link`, a block request (dma_iova_link(), which the block layer's
 *   blk_rq_dma_map_iter_start() uses with an IOMMU since v6.17:
 *   iommu_dma_iova_link_swiotlb()): only the unaligned head, up to the first
 *   granule boundary, and the unaligned tail, from the last one, bounce;
 *   the aligned middle is linked in place.
 *
 * The padding zeroed for untrusted devices (iommu_dma_map_swiotlb() clears
 * the rest of the granules so the device sees no stale data) is not copied.
 */
import { PAGE_SIZE } from '../../src/model/constants.js';
import { mixSeed } from '../../src/stats/hash.js';
import { xorshift32 } from '../../src/stats/prng.js';
import type { IoRequest } from '../types.js';

/** IOVA granules `--iova-granule` offers (the IOMMU's smallest page: 4 KiB on x86, 4, 16 or 64 KiB on arm64), bytes. */
export const IOVA_GRANULES: ReadonlyMap<string, number> = new Map([['4k', 4096], ['16k', 16384], ['64k', 65536]]);

/** The granule when none is given: x86's 4 KiB IOMMU page. */
export const DEFAULT_IOVA_GRANULE = 4096;

/** `4k`, `16k` or `64k` for a granule in bytes. */
export function granuleName(bytes: number): string {
  return `${bytes / 1024}k`;
}

/** How the driver hands iommu-dma its buffers (see the module comment). */
export type IommuPath = 'map-phys' | 'iova-link';

/** What the IOMMU did with a workload's buffers. */
export interface IommuBounces {
  /** The pieces that bounce, in order, each with its alloc_align_mask set. */
  requests: IoRequest[];
  /** Buffers seen, and the bytes of them that bounced. */
  buffers: number;
  bouncedBytes: number;
}

/**
 * True when iommu-dma bounces a buffer of `size` bytes at physical address
 * `phys` through swiotlb: iova_unaligned(), `(phys | size) & (granule - 1)`.
 */
export function iovaUnaligned(phys: number, size: number, granule: number): boolean {
  return (phys % granule) !== 0 || (size % granule) !== 0;
}

/**
 * The pieces of the buffer [phys, phys + size) that bounce on `path`, as
 * byte ranges from the buffer's start: the whole buffer or nothing
 * (`map-phys`), or the sub-granule head and tail (`iova-link`).
 */
export function bouncedPieces(phys: number, size: number, granule: number, path: IommuPath): { at: number; size: number }[] {
  if (!iovaUnaligned(phys, size, granule)) return [];
  if (path === 'map-phys') return [{ at: 0, size }];
  const end = phys + size;
  const headEnd = Math.min(end, phys - (phys % granule) + (phys % granule === 0 ? 0 : granule));
  const tailStart = Math.max(headEnd, end - (end % granule));
  const pieces: { at: number; size: number }[] = [];
  if (headEnd > phys) pieces.push({ at: 0, size: headEnd - phys });
  if (end > tailStart) pieces.push({ at: tailStart - phys, size: end - tailStart });
  return pieces;
}

/**
 * The pieces of `requests` that an untrusted device's iommu-dma bounces with
 * IOVA granule `granule` (bytes, a power of two >= 4 KiB), in order, each
 * with `allocAlignMask = granule - 1`. A buffer's offset inside its 4 KiB
 * page comes from its request (`offset`, as the schedule places it); the
 * page frame above it is granule-aligned with probability 4 KiB / granule
 * (pages come from anywhere in memory), drawn from `seed`.
 */
export function untrustedBounces(requests: readonly IoRequest[], granule: number, path: IommuPath, seed: number): IommuBounces {
  const rand = xorshift32(mixSeed(seed, 'iommu page frames'));
  const out: IoRequest[] = [];
  let bouncedBytes = 0;
  for (const r of requests) {
    // A page frame whose index is a multiple of granule / 4 KiB sits on a granule.
    const phys = Math.floor(rand() * 2 ** 20) * PAGE_SIZE + (r.offset % PAGE_SIZE);
    for (const p of bouncedPieces(phys, r.size, granule, path)) {
      out.push({ ...r, offset: r.offset + p.at, size: p.size, allocAlignMask: granule - 1, ...(r.copyBack !== undefined ? { copyBack: Math.max(0, Math.min(p.size, r.copyBack - p.at)) } : {}) });
      bouncedBytes += p.size;
    }
  }
  return { requests: out, buffers: requests.length, bouncedBytes };
}
