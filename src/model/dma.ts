/**
 * The DMA API layer above swiotlb for a bounced streaming mapping
 * (docs/model.md, "Bounce copies and the DMA API"; kernel/dma/direct.h and kernel/dma/swiotlb.c):
 * map always copies original -> bounce; unmap and sync_for_cpu copy
 * bounce -> original for FROM_DEVICE and BIDIRECTIONAL; sync_for_device copies
 * original -> bounce for TO_DEVICE and BIDIRECTIONAL; DMA_ATTR_SKIP_CPU_SYNC
 * suppresses the unmap copy. Failures return DMA_MAPPING_ERROR, are counted by
 * request size, and printed as the kernel's "swiotlb buffer is full", rate
 * limited as dev_warn_ratelimited() does (ratelimit.ts).
 */
import { DMA_MAPPING_ERROR } from './constants.js';
import { RATELIMIT_SILENT, Ratelimit, allocateRatelimit, printsOf, suppressedOf } from './ratelimit.js';
import { SizeCounts } from './size-counts.js';
import type { HostMemory } from './strategy.js';
import type { BounceAllocator } from './strategy.js';

/** enum dma_data_direction values. */
export const DMA_BIDIRECTIONAL = 0;
export const DMA_TO_DEVICE = 1;
export const DMA_FROM_DEVICE = 2;
export const DMA_NONE = 3;
export type DmaDirection = typeof DMA_BIDIRECTIONAL | typeof DMA_TO_DEVICE | typeof DMA_FROM_DEVICE;

/** DMA_ATTR_* bits (include/linux/dma-mapping.h). */
export const DMA_ATTR_SKIP_CPU_SYNC = 1 << 5;
export const DMA_ATTR_NO_WARN = 1 << 8;
/**
 * DMA_ATTR_MAY_BLOCK of Michael Kelley's throttling RFC (2024, never merged):
 * the caller may sleep, so a throttled map may wait. The bit is this model's.
 */
export const DMA_ATTR_MAY_BLOCK = 1 << 16;

/** The device parameters swiotlb reads. */
export interface DmaDevice {
  name: string;
  /**
   * Which of the workload's devices this is (0 when absent): strategies that
   * give each device its own io_tlb_mem (dev->dma_io_tlb_mem) map there.
   */
  id?: number;
  /** dma_get_min_align_mask(): 0xFFF for NVMe PCI. */
  minAlignMask: number;
  /**
   * The alloc_align_mask its maps pass to swiotlb_tbl_map_single(): 0 through
   * dma-direct (swiotlb_map()), iova_mask() = IOVA granule - 1 through
   * iommu-dma (iommu_dma_map_swiotlb()). Absent: 0.
   */
  allocAlignMask?: number;
}

/** Kernel-shaped message for a failed map (dev_warn_ratelimited in swiotlb_tbl_map_single). */
export function fullMessage(sizeBytes: number, totalSlots: number, usedSlots: number): string {
  return `swiotlb buffer is full (sz: ${sizeBytes} bytes), total ${totalSlots} (slots), used ${usedSlots} (slots)`;
}

/** Thrown for a direction the kernel would BUG_ON. */
export class DmaDirectionError extends Error {}

/**
 * Bytes a sync for the CPU copies bounce -> original: `size` for
 * FROM_DEVICE and BIDIRECTIONAL, 0 for TO_DEVICE.
 * @throws DmaDirectionError for any other direction (the kernel's BUG_ON), naming `what`.
 */
function cpuCopyBytes(dir: DmaDirection, size: number, what: string): number {
  if (dir === DMA_FROM_DEVICE || dir === DMA_BIDIRECTIONAL) return size;
  if (dir === DMA_TO_DEVICE) return 0;
  throw new DmaDirectionError(`${what}: invalid direction ${dir}`);
}

/** The call site of the "buffer is full" warning, as ___ratelimit() names it. */
const CALL_SITE = 'swiotlb_tbl_map_single';

/**
 * One CPU's DMA mapping front end over a bounce allocator. Not shared between
 * threads: each worker has its own, so its failure counters add no sharing.
 */
export class DmaMapper {
  /** Failed maps by mapping size in bytes. */
  readonly failuresBySize = new SizeCounts();
  failures = 0;
  /** The "swiotlb buffer is full" messages this CPU printed (and "callbacks suppressed" lines), with when (ms, performance.timeOrigin based). */
  readonly messages: { ms: number; text: string }[] = [];
  private readonly ratelimit: Ratelimit;

  /**
   * @param ratelimit the call site's shared rate-limit state (ratelimit.ts), one
   *   per run for all CPUs; a private one when omitted.
   */
  constructor(readonly alloc: BounceAllocator, readonly host: HostMemory, readonly cpu: number, ratelimit: SharedArrayBuffer = allocateRatelimit()) {
    this.ratelimit = new Ratelimit(ratelimit);
  }

  /**
   * dma_map_single() of a buffer that must bounce: reserve slots (with the
   * device's alloc_align_mask: 0 for dma-direct's swiotlb_map(), the IOVA
   * granule - 1 for iommu-dma) and copy `size` bytes original -> bounce
   * whatever `dir` is.
   * Returns the bounce (DMA) address, or DMA_MAPPING_ERROR (-1).
   */
  map(dev: DmaDevice, orig: number, size: number, dir: DmaDirection, attrs = 0): number {
    void dir; // the map-time copy ignores direction in the newest kernels
    const tlb = this.alloc.mapAndCopy(this.cpu, orig, size, dev.allocAlignMask ?? 0, dev.minAlignMask, this.host, dev.id ?? 0);
    if (tlb === DMA_MAPPING_ERROR) this.recordFailure(size, attrs);
    return tlb;
  }

  /**
   * dma_unmap_single() (dma_direct_unmap_phys): unless DMA_ATTR_SKIP_CPU_SYNC,
   * sync for the CPU first (the pool lookup, then bounce -> original for
   * FROM_DEVICE/BIDIRECTIONAL), then release the slots; the copy and the
   * release are one allocator call.
   */
  unmap(dev: DmaDevice, tlb: number, size: number, dir: DmaDirection, attrs = 0): void {
    let copyBack = 0;
    if ((attrs & DMA_ATTR_SKIP_CPU_SYNC) === 0) {
      this.alloc.syncLookup?.(tlb, dev.minAlignMask);
      copyBack = cpuCopyBytes(dir, size, 'sync_for_cpu');
    }
    this.alloc.copyAndRelease(tlb, dev.minAlignMask, size, copyBack, this.host);
  }

  /** swiotlb_sync_single_for_cpu(): find the pool, then bounce -> original for FROM_DEVICE/BIDIRECTIONAL; TO_DEVICE copies nothing. */
  syncForCpu(dev: DmaDevice, tlb: number, size: number, dir: DmaDirection): void {
    this.alloc.syncLookup?.(tlb, dev.minAlignMask);
    const bytes = cpuCopyBytes(dir, size, 'sync_for_cpu');
    if (bytes !== 0) this.alloc.bounce(tlb, bytes, false, dev.minAlignMask, this.host);
  }

  /** swiotlb_sync_single_for_device(): find the pool, then original -> bounce for TO_DEVICE/BIDIRECTIONAL; FROM_DEVICE copies nothing. */
  syncForDevice(dev: DmaDevice, tlb: number, size: number, dir: DmaDirection): void {
    this.alloc.syncLookup?.(tlb, dev.minAlignMask);
    if (dir === DMA_TO_DEVICE || dir === DMA_BIDIRECTIONAL) this.alloc.bounce(tlb, size, true, dev.minAlignMask, this.host);
    else if (dir !== DMA_FROM_DEVICE) throw new DmaDirectionError(`sync_for_device: invalid direction ${dir}`);
  }

  private recordFailure(size: number, attrs: number): void {
    this.failures++;
    this.failuresBySize.add(size);
    if ((attrs & DMA_ATTR_NO_WARN) !== 0) return;
    const verdict = this.ratelimit.check();
    if (verdict === RATELIMIT_SILENT) return;
    const ms = performance.timeOrigin + performance.now();
    const suppressed = suppressedOf(verdict);
    if (suppressed > 0) this.messages.push({ ms, text: `${CALL_SITE}: ${suppressed} callbacks suppressed` });
    if (printsOf(verdict)) {
      const alloc = this.alloc;
      this.messages.push({ ms, text: fullMessage(alloc.counters.lastFailSize, alloc.totalSlots, alloc.usedSlots()) });
    }
  }
}
