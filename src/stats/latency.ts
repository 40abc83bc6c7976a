/** Merging the workers' latency histograms (hdr-histogram-js) into summary figures. */
import * as hdr from 'hdr-histogram-js';

/** Latency summary in ns; NaN-free: zeros when nothing was sampled. */
export interface LatencySummary {
  samples: number;
  meanNs: number;
  sdNs: number;
  p50Ns: number;
  p99Ns: number;
  p999Ns: number;
}

/** Decode and add up compressed histograms. */
export function mergeHistograms(encoded: string[]): hdr.Histogram {
  const merged = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 3.6e12, numberOfSignificantValueDigits: 3 });
  for (const e of encoded) merged.add(hdr.decodeFromCompressedBase64(e));
  return merged;
}

export function summarize(h: hdr.Histogram): LatencySummary {
  if (h.totalCount === 0) return { samples: 0, meanNs: 0, sdNs: 0, p50Ns: 0, p99Ns: 0, p999Ns: 0 };
  return {
    samples: h.totalCount,
    meanNs: h.mean,
    sdNs: h.stdDeviation,
    p50Ns: h.getValueAtPercentile(50),
    p99Ns: h.getValueAtPercentile(99),
    p999Ns: h.getValueAtPercentile(99.9),
  };
}

/**
 * The two lines tools/testing/selftests/dma/dma_map_benchmark.c prints, from
 * the same figures: mean and standard deviation in microseconds, one decimal.
 */
export function dmaMapBenchmarkLines(map: LatencySummary, unmap: LatencySummary): string[] {
  const us = (ns: number) => (ns / 1000).toFixed(1);
  return [
    `average map latency(us):${us(map.meanNs)} standard deviation:${us(map.sdNs)}`,
    `average unmap latency(us):${us(unmap.meanNs)} standard deviation:${us(unmap.sdNs)}`,
  ];
}
