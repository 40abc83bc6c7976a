/**
 * One CPU's measured window as a {@link WorkerResult}, and the reset that
 * opens it: the real replay (cpu-replay.ts) and the virtual-time engine
 * (sim/virtual-cpu.ts) count and report alike.
 */
import type { DmaMapper } from '../model/dma.js';
import type { AllocCounters } from '../model/strategy.js';
import type { PoolSnapshot } from '../export/run-series.js';
import { type LatencyHistogram, encodeHistogram } from '../stats/latency.js';
import type { VerifyCounts, WorkerResult } from './task.js';

/** What one CPU counted in its measured window. */
export interface CpuTally {
  cpu: number;
  /** Measured seconds (virtual seconds for the engine). */
  seconds: number;
  maps: number;
  unmaps: number;
  /** Bytes mapped. */
  bytesMapped: number;
  /** Passes through its events. */
  pass: number;
  handoffWaits: number;
  dma: DmaMapper;
  counters: AllocCounters;
  /** Latency histograms (ns): successful maps, failed map attempts, unmaps. */
  mapHist: LatencyHistogram;
  failHist: LatencyHistogram;
  unmapHist: LatencyHistogram;
  /** Lock waits when not the counters' own (the engine's, in virtual ns). */
  lock?: { contended: number; waitNs: number };
  verify?: VerifyCounts | null;
  peakPicture?: PoolSnapshot | null;
}

/** The tally as the run collects it (collect.ts). */
export function workerResult(t: CpuTally): WorkerResult {
  const c = t.counters;
  return {
    cpu: t.cpu,
    seconds: t.seconds,
    maps: t.maps,
    unmaps: t.unmaps,
    full_failures: t.dma.failures,
    bytes_mapped: t.bytesMapped,
    failures_by_size: t.dma.failuresBySize.entries(),
    messages: t.dma.messages,
    slots_scanned: c.slotsScanned,
    area_fallbacks: c.areaFallbacks,
    lock_acquisitions: c.lock.acquisitions,
    lock_contended: t.lock?.contended ?? c.lock.contended,
    lock_wait_ns: t.lock?.waitNs ?? c.lock.waitNs,
    map_histogram: encodeHistogram(t.mapHist),
    failed_map_histogram: encodeHistogram(t.failHist),
    unmap_histogram: encodeHistogram(t.unmapHist),
    extra: { ...c.extra },
    trace_passes: t.pass,
    handoff_waits: t.handoffWaits,
    verify: t.verify ?? null,
    peak_picture: t.peakPicture ?? null,
  };
}

/** Zero what a CPU counts as its measured window opens: the allocator's counters, the DMA layer's failures, the histograms. */
export function resetTally(dma: DmaMapper, counters: AllocCounters, hists: LatencyHistogram[]): void {
  for (const h of hists) h.reset();
  counters.slotsScanned = counters.areaFallbacks = counters.hiwaterRaised = 0;
  counters.lock.acquisitions = counters.lock.contended = counters.lock.waitNs = 0;
  for (const k of Object.keys(counters.extra)) counters.extra[k] = 0;
  dma.failures = 0;
  dma.failuresBySize.clear();
}
