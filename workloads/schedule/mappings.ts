/**
 * Step 1 of the schedule: requests become bounce mappings as the driver
 * would map them (workloads/drivers/nvme.ts), each with its map time
 * (arrival), unmap time (completion: the trace's response time, else the
 * latency model), CPUs, direction and in-page offset.
 */
import { PAGE_SIZE, maxMappingSize } from '../../src/model/constants.js';
import { DMA_FROM_DEVICE, DMA_TO_DEVICE } from '../../src/model/dma.js';
import { type SegmentMode, splitRequest, splitSegments } from '../drivers/nvme.js';
import { InputError } from '../../src/base/errors.js';
import { type LatencyModel, modelLatencyNs } from '../latency-model.js';
import { MAX_DEVICES, MAX_MAPPINGS } from '../limits.js';
import type { IoRequest } from '../types.js';

/** How requests become mappings. */
export interface MappingOptions {
  threads: number;
  segment: SegmentMode;
  /** The device's min_align_mask (0xFFF for NVMe), unless a request says its own. */
  minAlignMask: number;
  latency: LatencyModel;
  completionCpu: 'same' | 'other';
}

/** Every mapping of a trace pass, one entry per mapping in each array (struct of arrays). */
export interface Mappings {
  /** Map and unmap times, ns from the first arrival. */
  mapTime: number[];
  unmapTime: number[];
  /** Bytes mapped. */
  sizes: number[];
  /** enum dma_data_direction. */
  dirs: number[];
  /** Offset of the original buffer inside its 4 KiB page, bytes. */
  pageOffsets: number[];
  /** Bytes copied back at unmap (less than the size for a frame in a bigger RX buffer). */
  copyBacks: number[];
  /** The device's min_align_mask, and the alloc_align_mask its map passes (0 but for iommu-dma). */
  masks: number[];
  allocMasks: number[];
  /**
   * 1 when mapped with DMA_ATTR_MAY_BLOCK: the first mapping of a request
   * that may block (the RFC throttles only a scatterlist's first entry), else 0.
   */
  mayBlock: number[];
  /** The device that maps it (IoRequest.device, 0 when absent). */
  devices: number[];
  /** The CPU that maps it, and the one that unmaps it. */
  cpus: number[];
  completeCpus: number[];
  /** What the conversion saw: requests split, oversize, completions modelled, reads, bytes, and when the last completes (ns). */
  splitRequests: number;
  oversize: number;
  modelledCompletions: number;
  reads: number;
  requestBytes: number;
  spanEndNs: number;
}

/**
 * The mappings of `requests`, sorted by arrival (ties keep input order);
 * requests go to CPUs round-robin unless a generator chose one.
 * @throws InputError when one pass would hold more than MAX_MAPPINGS mappings.
 */
export function requestMappings(workload: string, requests: readonly IoRequest[], options: MappingOptions): Mappings {
  const { threads, minAlignMask } = options;
  const sorted = requests.map((r, i) => ({ r, i })).sort((a, b) => a.r.arrivalNs - b.r.arrivalNs || a.i - b.i);
  const t0 = sorted[0].r.arrivalNs;
  const m: Mappings = {
    mapTime: [], unmapTime: [], sizes: [], dirs: [], pageOffsets: [], copyBacks: [], masks: [], allocMasks: [], mayBlock: [], devices: [], cpus: [], completeCpus: [],
    splitRequests: 0, oversize: 0, modelledCompletions: 0, reads: 0, requestBytes: 0, spanEndNs: 0,
  };
  sorted.forEach(({ r }, n) => {
    const cpu = (r.cpu ?? n) % threads;
    const completeCpu = options.completionCpu === 'other' ? (cpu + 1) % threads : cpu;
    const arrival = r.arrivalNs - t0;
    if (r.responseNs === undefined) m.modelledCompletions++;
    const done = arrival + Math.max(1, r.responseNs ?? modelLatencyNs(options.latency, r.size));
    m.spanEndNs = Math.max(m.spanEndNs, done);
    const pageOffset = r.offset % PAGE_SIZE;
    const mask = r.minAlignMask ?? minAlignMask;
    const chunks = r.segments && r.segments > 1 ? splitSegments(r.size, r.segments, mask) : splitRequest(pageOffset, r.size, options.segment, mask);
    if (chunks.length > 1) m.splitRequests++;
    if (m.sizes.length + chunks.length > MAX_MAPPINGS) {
      throw new InputError(`${workload}: more than ${MAX_MAPPINGS.toLocaleString('en-US')} mappings in one pass of the trace (at request ${n + 1} of ${requests.length}); ` +
        'use a shorter trace, smaller requests (--bs), fewer I/Os (--gen-ios) or --segment max');
    }
    if (r.size > maxMappingSize(mask)) m.oversize++;
    let copyBack = r.copyBack ?? r.size;
    if (!r.write) m.reads++;
    m.requestBytes += r.size;
    const mayBlock = r.mayBlock ?? true;
    const device = r.device ?? 0;
    if (!Number.isInteger(device) || device < 0 || device >= MAX_DEVICES) throw new InputError(`${workload}: request ${n + 1} names device ${device}; expected an integer from 0 to ${MAX_DEVICES - 1}`);
    for (const [k, c] of chunks.entries()) {
      m.mayBlock.push(mayBlock && k === 0 ? 1 : 0);
      m.mapTime.push(arrival);
      m.unmapTime.push(done);
      m.sizes.push(c.size);
      m.dirs.push(r.dir ?? (r.write ? DMA_TO_DEVICE : DMA_FROM_DEVICE));
      m.pageOffsets.push((pageOffset + c.at) % PAGE_SIZE);
      m.copyBacks.push(Math.min(c.size, copyBack));
      copyBack = Math.max(0, copyBack - c.size);
      m.masks.push(mask);
      m.allocMasks.push(r.allocAlignMask ?? 0);
      m.devices.push(device);
      m.cpus.push(cpu);
      m.completeCpus.push(completeCpu);
    }
  });
  return m;
}
