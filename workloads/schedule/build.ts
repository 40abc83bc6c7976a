/**
 * Turns I/O requests into a time-compressed replay schedule for the workers:
 * requests become mappings (mappings.ts), map and unmap events get one global
 * order (events.ts), original buffers get places in host memory and each CPU
 * its own events (host-memory.ts), and the workload's facts are measured
 * (facts.ts). Each CPU replays its own events in the global order as fast as
 * it can, looping over the trace.
 */
import { type Mappings, type MappingOptions, requestMappings } from './mappings.js';
import { globalOrder } from './events.js';
import { type WorkloadFacts, workloadFacts } from './facts.js';
import { layoutHostMemory } from './host-memory.js';
import { InputError } from '../../src/base/errors.js';
import { DMA_ATTR_MAY_BLOCK } from '../../src/model/dma.js';
import { MAX_HOST_BYTES } from '../limits.js';
import type { IoRequest } from '../types.js';

/** How a schedule is built (`--threads`, `--segment`, `--min-align-mask`, `--latency`, `--completion-cpu`). */
export type ScheduleOptions = MappingOptions;

/** A replay schedule in shared memory (structured-cloneable). */
export interface Schedule {
  workload: string;
  threads: number;
  minAlignMask: number;
  crossCpu: boolean;
  /** Mappings per pass. */
  mappings: number;
  /** Float64 per mapping: physical address of the original buffer. */
  orig: SharedArrayBuffer;
  /** Int32 per mapping: bytes. */
  size: SharedArrayBuffer;
  /** Int32 per mapping: DMA direction. */
  dir: SharedArrayBuffer;
  /** Int32 per mapping: bytes copied back at unmap (less than the size for a frame in a bigger RX buffer). */
  copyBack: SharedArrayBuffer;
  /** Int32 per mapping: the device's min_align_mask. */
  mask: SharedArrayBuffer;
  /** Int32 per mapping: the alloc_align_mask of its map (0 but for iommu-dma bounces: IOVA granule - 1). */
  allocMask: SharedArrayBuffer;
  /** Int32 per mapping: DMA_ATTR_* of its map (DMA_ATTR_MAY_BLOCK for the first mapping of a block request). */
  attrs: SharedArrayBuffer;
  /** Int32 per mapping: the device that maps it, 0 .. devices - 1. */
  device: SharedArrayBuffer;
  /** Devices in the workload (1 for traces and single-device profiles); a strategy with a pool per device plans for this many. */
  devices: number;
  /** Int32 per mapping: the CPU that maps it (and owns its original buffer). */
  mapCpu: SharedArrayBuffer;
  /** Int32 per mapping: host-memory region, and how many earlier users that region had in a pass. */
  region: SharedArrayBuffer;
  regionSeq: SharedArrayBuffer;
  /** Int32 per region: users per pass. */
  regionUses: SharedArrayBuffer;
  regions: number;
  /** Per CPU, Int32 events: `mapping << 1 | 1` for unmap, `mapping << 1` for map. */
  events: SharedArrayBuffer[];
  /** Bytes of host memory the original buffers need. */
  hostBytes: number;
  facts: WorkloadFacts;
  /** What building the schedule changed in the input (said once each). */
  warnings: string[];
}

/** Int32 values in a fresh SharedArrayBuffer. */
function sharedInt32(values: ArrayLike<number>): SharedArrayBuffer {
  const a = new Int32Array(new SharedArrayBuffer(values.length * 4));
  a.set(values);
  return a.buffer as SharedArrayBuffer;
}

/** The warnings building a schedule raises (each said once). */
function scheduleWarnings(workload: string, m: Mappings): string[] {
  return m.oversize ? [`${workload}: ${m.oversize} request(s) larger than one mapping (swiotlb_max_mapping_size) were split into several`] : [];
}

/**
 * Build the schedule for `requests` (any order) on `options.threads` CPUs.
 * @throws RangeError when there are no requests; InputError when the workload
 *   is too big to replay (more than MAX_MAPPINGS mappings, or more than
 *   MAX_HOST_BYTES of original buffers in flight).
 */
export function buildSchedule(workload: string, requests: IoRequest[], options: ScheduleOptions): Schedule {
  if (requests.length === 0) throw new RangeError(`workload ${workload} has no requests`);
  const m = requestMappings(workload, requests, options);
  const events = globalOrder(m.mapTime, m.unmapTime);
  const host = layoutHostMemory(m, events, options.threads);
  if (host.hostBytes > MAX_HOST_BYTES) {
    throw new InputError(`${workload} at ${options.threads} thread(s): the original buffers in flight need ${(host.hostBytes / 2 ** 30).toFixed(1)} GiB of host memory at once; ` +
      `the harness allows ${MAX_HOST_BYTES / 2 ** 30} GiB: lower --bs or --iodepth, or use fewer threads`);
  }
  return {
    workload,
    threads: options.threads,
    minAlignMask: options.minAlignMask,
    crossCpu: options.completionCpu === 'other' && options.threads > 1,
    mappings: m.sizes.length,
    orig: host.orig.buffer as SharedArrayBuffer,
    size: sharedInt32(m.sizes),
    dir: sharedInt32(m.dirs),
    copyBack: sharedInt32(m.copyBacks),
    mask: sharedInt32(m.masks),
    allocMask: sharedInt32(m.allocMasks),
    attrs: sharedInt32(m.mayBlock.map((b) => (b ? DMA_ATTR_MAY_BLOCK : 0))),
    device: sharedInt32(m.devices),
    devices: m.devices.reduce((a, b) => Math.max(a, b), 0) + 1,
    mapCpu: sharedInt32(m.cpus),
    region: sharedInt32(host.regionOf),
    regionSeq: sharedInt32(host.regionSeq),
    regionUses: sharedInt32(host.regionUses),
    regions: host.regionUses.length,
    events: host.perCpu.map(sharedInt32),
    hostBytes: host.hostBytes,
    warnings: scheduleWarnings(workload, m),
    facts: workloadFacts(requests, m, events),
  };
}
