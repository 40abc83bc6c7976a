/**
 * Turns I/O requests into a time-compressed replay schedule for the workers.
 *
 * Each request is split into bounce mappings (nvme-split.ts), mapped on its
 * submitting CPU at arrival and unmapped at completion (trace response time,
 * else the latency model), on the same CPU or, with `completionCpu: 'other'`,
 * on the next one. All events are put in one global order (time, unmaps
 * before maps, mapping id) and each CPU replays its own events in that order
 * as fast as it can, looping over the trace.
 *
 * Original buffers live in a shared "host memory" above 4 GiB (so a 32-bit
 * device must bounce). Each submitting CPU has its own arena in it, cut into
 * page-granular regions that are reused only after the last user was
 * unmapped in the global order; with cross-CPU completion a worker waits for
 * that unmap before reusing a region, so no two live mappings ever share
 * original bytes (which verify mode depends on).
 */
import { PAGE_SIZE, maxMappingSize } from '../../src/model/constants.js';
import { DMA_BIDIRECTIONAL, DMA_FROM_DEVICE, DMA_TO_DEVICE } from '../../src/model/dma.js';
import { type LatencyModel, modelLatencyNs } from './latency-model.js';
import { type SegmentMode, splitRequest, splitSegments } from '../drivers/nvme.js';
import type { IoRequest } from '../types.js';

/** Physical address where host memory (the original buffers) starts: 4 GiB. */
export const HOST_BASE = 0x1_0000_0000;

export interface ScheduleOptions {
  threads: number;
  segment: SegmentMode;
  /** The device's min_align_mask (0xFFF for NVMe). */
  minAlignMask: number;
  latency: LatencyModel;
  completionCpu: 'same' | 'other';
}

/** What a workload looks like, for reports (`summary.json`). */
export interface WorkloadFacts {
  requests: number;
  mappings: number;
  readPct: number;
  /** Mean bytes per request and per mapping. */
  meanRequestBytes: number;
  meanMappingBytes: number;
  /** Requests larger than one mapping, split into several. */
  splitRequests: number;
  /** Requests that took their completion from the latency model. */
  modelledCompletions: number;
  /** Trace span, ms of trace time. */
  spanMs: number;
  /** Most mappings and bytes in flight at once on the trace's own timeline. */
  peakInflightMappings: number;
  peakInflightBytes: number;
  /** Time-weighted mean bytes in flight. */
  meanInflightBytes: number;
  /** Direction mix of the mappings, percent. */
  toDevicePct: number;
  fromDevicePct: number;
  bidirectionalPct: number;
  /** Mapping sizes, bytes. */
  mappingBytes: { p50: number; p90: number; p99: number; max: number };
  /** Share of swiotlb_bounced events marked FORCE, when the source is an ftrace. */
  forcedPct?: number;
}

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

interface Region {
  cpu: number;
  offset: number;
  pages: number;
  uses: number;
}

/**
 * Build the schedule for `requests` (any order) on `options.threads` CPUs.
 * @throws RangeError when there are no requests.
 */
export function buildSchedule(workload: string, requests: IoRequest[], options: ScheduleOptions): Schedule {
  if (requests.length === 0) throw new RangeError(`workload ${workload} has no requests`);
  const { threads, minAlignMask } = options;
  const sorted = requests.map((r, i) => ({ r, i })).sort((a, b) => a.r.arrivalNs - b.r.arrivalNs || a.i - b.i);
  const t0 = sorted[0].r.arrivalNs;

  const mapTime: number[] = [];
  const unmapTime: number[] = [];
  const sizes: number[] = [];
  const dirs: number[] = [];
  const pageOffsets: number[] = [];
  const copyBacks: number[] = [];
  const masks: number[] = [];
  const cpus: number[] = [];
  const completeCpus: number[] = [];
  let splitRequests = 0;
  let oversize = 0;
  let modelled = 0;
  let reads = 0;
  let requestBytes = 0;
  let spanEnd = 0;
  sorted.forEach(({ r }, n) => {
    const cpu = (r.cpu ?? n) % threads;
    const completeCpu = options.completionCpu === 'other' ? (cpu + 1) % threads : cpu;
    const arrival = r.arrivalNs - t0;
    if (r.responseNs === undefined) modelled++;
    const done = arrival + Math.max(1, r.responseNs ?? modelLatencyNs(options.latency, r.size));
    spanEnd = Math.max(spanEnd, done);
    const pageOffset = r.offset % PAGE_SIZE;
    const mask = r.minAlignMask ?? minAlignMask;
    const chunks = r.segments && r.segments > 1 ? splitSegments(r.size, r.segments, mask) : splitRequest(pageOffset, r.size, options.segment, mask);
    if (chunks.length > 1) splitRequests++;
    if (r.size > maxMappingSize(mask)) oversize++;
    let copyBack = r.copyBack ?? r.size;
    if (!r.write) reads++;
    requestBytes += r.size;
    for (const c of chunks) {
      mapTime.push(arrival);
      unmapTime.push(done);
      sizes.push(c.size);
      dirs.push(r.dir ?? (r.write ? DMA_TO_DEVICE : DMA_FROM_DEVICE));
      pageOffsets.push((pageOffset + c.at) % PAGE_SIZE);
      copyBacks.push(Math.min(c.size, copyBack));
      copyBack = Math.max(0, copyBack - c.size);
      masks.push(mask);
      cpus.push(cpu);
      completeCpus.push(completeCpu);
    }
  });
  const mappings = sizes.length;

  // One global order: time, then unmaps before maps, then mapping id.
  const events = new Int32Array(mappings * 2);
  for (let m = 0; m < mappings; m++) {
    events[2 * m] = m << 1;
    events[2 * m + 1] = (m << 1) | 1;
  }
  const timeOf = (e: number) => ((e & 1) === 1 ? unmapTime[e >> 1] : mapTime[e >> 1]);
  events.sort((a, b) => timeOf(a) - timeOf(b) || (b & 1) - (a & 1) || (a >> 1) - (b >> 1));

  // Walk the order once: assign host regions, collect per-CPU event lists and in-flight facts.
  const regions: Region[] = [];
  const freeRegions: Map<number, number[]>[] = Array.from({ length: threads }, () => new Map());
  const arenaTop = new Array<number>(threads).fill(0);
  const regionOf = new Int32Array(mappings);
  const regionSeq = new Int32Array(mappings);
  const perCpu: number[][] = Array.from({ length: threads }, () => []);
  let inflight = 0;
  let inflightBytes = 0;
  let peakMappings = 0;
  let peakBytes = 0;
  let byteTime = 0;
  let lastT = 0;
  for (const e of events) {
    const m = e >> 1;
    const t = timeOf(e);
    byteTime += inflightBytes * (t - lastT);
    lastT = t;
    if ((e & 1) === 0) {
      const pages = Math.ceil((pageOffsets[m] + sizes[m]) / PAGE_SIZE);
      const cpu = cpus[m];
      const free = freeRegions[cpu].get(pages);
      let r = free?.pop();
      if (r === undefined) {
        r = regions.length;
        regions.push({ cpu, offset: arenaTop[cpu], pages, uses: 0 });
        arenaTop[cpu] += pages * PAGE_SIZE;
      }
      regionOf[m] = r;
      regionSeq[m] = regions[r].uses++;
      perCpu[cpu].push(e);
      inflight++;
      inflightBytes += sizes[m];
      peakMappings = Math.max(peakMappings, inflight);
      peakBytes = Math.max(peakBytes, inflightBytes);
    } else {
      const region = regions[regionOf[m]];
      const list = freeRegions[region.cpu].get(region.pages);
      if (list) list.push(regionOf[m]);
      else freeRegions[region.cpu].set(region.pages, [regionOf[m]]);
      perCpu[completeCpus[m]].push(e);
      inflight--;
      inflightBytes -= sizes[m];
    }
  }

  const arenaBase: number[] = [];
  let hostBytes = 0;
  for (let c = 0; c < threads; c++) {
    arenaBase.push(hostBytes);
    hostBytes += arenaTop[c];
  }
  const orig = new Float64Array(new SharedArrayBuffer(mappings * 8));
  for (let m = 0; m < mappings; m++) {
    const region = regions[regionOf[m]];
    orig[m] = HOST_BASE + arenaBase[region.cpu] + region.offset + pageOffsets[m];
  }

  const shared = (values: ArrayLike<number>) => {
    const a = new Int32Array(new SharedArrayBuffer(values.length * 4));
    a.set(values as ArrayLike<number>);
    return a.buffer as SharedArrayBuffer;
  };
  const mappedBytes = sizes.reduce((s, v) => s + v, 0);
  const sortedSizes = [...sizes].sort((a, b) => a - b);
  const pct = (p: number) => sortedSizes[Math.min(sortedSizes.length - 1, Math.floor((p / 100) * sortedSizes.length))];
  const share = (d: number) => (100 * dirs.filter((x) => x === d).length) / mappings;
  const forced = requests.filter((r) => r.forced !== undefined);
  return {
    workload,
    threads,
    minAlignMask,
    crossCpu: options.completionCpu === 'other' && threads > 1,
    mappings,
    orig: orig.buffer as SharedArrayBuffer,
    size: shared(sizes),
    dir: shared(dirs),
    copyBack: shared(copyBacks),
    mask: shared(masks),
    mapCpu: shared(cpus),
    region: shared(regionOf),
    regionSeq: shared(regionSeq),
    regionUses: shared(regions.map((r) => r.uses)),
    regions: regions.length,
    events: perCpu.map(shared),
    hostBytes,
    warnings: oversize ? [`${workload}: ${oversize} request(s) larger than one mapping (swiotlb_max_mapping_size) were split into several`] : [],
    facts: {
      requests: requests.length,
      mappings,
      readPct: (100 * reads) / requests.length,
      meanRequestBytes: requestBytes / requests.length,
      meanMappingBytes: mappedBytes / mappings,
      splitRequests,
      modelledCompletions: modelled,
      spanMs: spanEnd / 1e6,
      peakInflightMappings: peakMappings,
      peakInflightBytes: peakBytes,
      meanInflightBytes: spanEnd > 0 ? byteTime / spanEnd : 0,
      toDevicePct: share(DMA_TO_DEVICE),
      fromDevicePct: share(DMA_FROM_DEVICE),
      bidirectionalPct: share(DMA_BIDIRECTIONAL),
      mappingBytes: { p50: pct(50), p90: pct(90), p99: pct(99), max: sortedSizes[sortedSizes.length - 1] },
      ...(forced.length ? { forcedPct: (100 * forced.filter((r) => r.forced).length) / forced.length } : {}),
    },
  };
}
