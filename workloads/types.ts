/** The request shape shared by trace readers, generators, driver models and the replay schedule. */

/** One block I/O request, from a trace or a generator. */
export interface IoRequest {
  /** Submission time, ns from the start of the trace. */
  arrivalNs: number;
  /** Byte offset on the device (its low bits become the buffer's in-page offset). */
  offset: number;
  /** Bytes transferred. */
  size: number;
  /** true for a write (DMA_TO_DEVICE), false for a read (DMA_FROM_DEVICE). */
  write: boolean;
  /** Completion latency from the trace, ns, when it has one. */
  responseNs?: number;
  /**
   * The device that maps it, an index into the workload's devices (0 when
   * absent: a trace or a single-device profile). The queue is the submitting
   * CPU's, one queue per CPU as NVMe and multi-queue NICs set them up.
   */
  device?: number;
  /** Submitting CPU chosen by a generator; traces leave it to the schedule. */
  cpu?: number;
  /** Scatter-gather elements the request was issued as (vSCSI nSG): mapped as that many mappings. */
  segments?: number;
  /**
   * Bytes copied back to the CPU at completion when fewer than were mapped
   * (a received frame in a larger RX buffer: sync_for_cpu of the frame, then
   * unmap with DMA_ATTR_SKIP_CPU_SYNC, as page-pool drivers do).
   */
  copyBack?: number;
  /** The device's min_align_mask, when the source says (network devices have none). */
  minAlignMask?: number;
  /**
   * The alloc_align_mask the mapping layer passes to swiotlb_tbl_map_single():
   * iommu-dma passes iova_mask() (IOVA granule - 1) for a buffer that does not
   * fill whole granules (iommu_dma_map_swiotlb(); workloads/drivers/iommu.ts).
   * Absent: 0, as dma-direct's swiotlb_map() passes.
   */
  allocAlignMask?: number;
  /**
   * A network frame rather than a block request: `rx` frames become NIC ring
   * buffers and `tx` frames transmit mappings (workloads/net-model.ts) before
   * the schedule sees them.
   */
  network?: 'rx' | 'tx';
  /** Flow hash of a frame (chooses its queue, as RSS would). */
  flow?: number;
  /** DMA direction when `write` cannot say (a swiotlb_bounced event has none: DMA_BIDIRECTIONAL). */
  dir?: 0 | 1 | 2;
  /**
   * Mapped with DMA_ATTR_MAY_BLOCK, the flag Michael Kelley's 2024 throttling
   * RFC gave maps made where the caller may sleep (storage drivers: storvsc,
   * NVMe). Absent means true: block I/O. The NIC model (NAPI and
   * ndo_start_xmit cannot sleep), dma_map_benchmark and the kernel-log
   * sources (callers unknown) set false.
   */
  mayBlock?: boolean;
  /** swiotlb_bounced's FORCE (true) or NORMAL (false), when the source is an ftrace. */
  forced?: boolean;
}
