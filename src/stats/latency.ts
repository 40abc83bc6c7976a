/**
 * Latency histograms (hdr-histogram-js): each worker records into its own,
 * ships it compressed, and the main thread merges them into one summary.
 */
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

/** A latency histogram (ns). */
export type LatencyHistogram = hdr.Histogram;

/** An empty histogram for values in ns, 1 ns to one hour, 3 significant digits. */
export function newHistogram(): hdr.Histogram {
  return hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 3.6e12, numberOfSignificantValueDigits: 3 });
}

/** A histogram as compressed base64, to send from a worker. */
export function encodeHistogram(h: hdr.Histogram): string {
  return hdr.encodeIntoCompressedBase64(h);
}

/** Decode and add up compressed histograms. */
export function mergeHistograms(encoded: string[]): hdr.Histogram {
  const merged = newHistogram();
  for (const e of encoded) merged.add(hdr.decodeFromCompressedBase64(e));
  return merged;
}

/** Mean, standard deviation and percentiles of a histogram, ns. */
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
