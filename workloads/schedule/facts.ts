/** What a workload looks like, for `--list --verbose`, summary.json and the warnings. */
import { DMA_BIDIRECTIONAL, DMA_FROM_DEVICE, DMA_TO_DEVICE } from '../../src/model/dma.js';
import type { IoRequest } from '../types.js';
import { isUnmap, mappingOf } from './events.js';
import type { Mappings } from './mappings.js';

/** A workload's shape on its own timeline (bytes, ms of trace time, percent). */
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

/** The facts of `requests` mapped as `m`, with `events` in the global order. */
export function workloadFacts(requests: readonly IoRequest[], m: Mappings, events: Int32Array): WorkloadFacts {
  const mappings = m.sizes.length;
  let inflight = 0;
  let inflightBytes = 0;
  let peakMappings = 0;
  let peakBytes = 0;
  let byteTime = 0;
  let lastT = 0;
  for (const e of events) {
    const k = mappingOf(e);
    const t = isUnmap(e) ? m.unmapTime[k] : m.mapTime[k];
    byteTime += inflightBytes * (t - lastT);
    lastT = t;
    const sign = isUnmap(e) ? -1 : 1;
    inflight += sign;
    inflightBytes += sign * m.sizes[k];
    peakMappings = Math.max(peakMappings, inflight);
    peakBytes = Math.max(peakBytes, inflightBytes);
  }
  const mappedBytes = m.sizes.reduce((s, v) => s + v, 0);
  const sortedSizes = [...m.sizes].sort((a, b) => a - b);
  const pct = (p: number) => sortedSizes[Math.min(sortedSizes.length - 1, Math.floor((p / 100) * sortedSizes.length))];
  const share = (d: number) => (100 * m.dirs.filter((x) => x === d).length) / mappings;
  const forced = requests.filter((r) => r.forced !== undefined);
  return {
    requests: requests.length,
    mappings,
    readPct: (100 * m.reads) / requests.length,
    meanRequestBytes: m.requestBytes / requests.length,
    meanMappingBytes: mappedBytes / mappings,
    splitRequests: m.splitRequests,
    modelledCompletions: m.modelledCompletions,
    spanMs: m.spanEndNs / 1e6,
    peakInflightMappings: peakMappings,
    peakInflightBytes: peakBytes,
    meanInflightBytes: m.spanEndNs > 0 ? byteTime / m.spanEndNs : 0,
    toDevicePct: share(DMA_TO_DEVICE),
    fromDevicePct: share(DMA_FROM_DEVICE),
    bidirectionalPct: share(DMA_BIDIRECTIONAL),
    mappingBytes: { p50: pct(50), p90: pct(90), p99: pct(99), max: sortedSizes[sortedSizes.length - 1] },
    ...(forced.length ? { forcedPct: (100 * forced.filter((r) => r.forced).length) / forced.length } : {}),
  };
}
