/**
 * Completion-time model for requests whose trace has no response time:
 * a fixed device latency plus transfer time, `BASE_US[+MB_PER_S]`.
 */
import { InputError } from '../src/base/errors.js';

export interface LatencyModel {
  /** Fixed latency per request, ns. */
  baseNs: number;
  /** Transfer rate, bytes per ns (0 = none). */
  bytesPerNs: number;
  /** The spec it was parsed from. */
  spec: string;
}

/** Default: an NVMe-class 4 KiB random read (80 us) plus 3000 MB/s transfer. */
export const DEFAULT_LATENCY = '80+3000';

/**
 * Parse `BASE_US[+MB_PER_S]`, e.g. `80+3000` or `20`.
 * @throws InputError naming the accepted form.
 */
export function parseLatency(spec: string): LatencyModel {
  const m = /^(\d+(?:\.\d+)?)(?:\+(\d+(?:\.\d+)?))?$/.exec(spec.trim());
  if (!m) throw new InputError(`--latency '${spec}': expected BASE_US[+MB_PER_S], e.g. ${DEFAULT_LATENCY}`);
  const mbps = m[2] === undefined ? 0 : Number(m[2]);
  return { baseNs: Number(m[1]) * 1000, bytesPerNs: mbps / 1000, spec };
}

/** Modelled completion latency of `size` bytes, ns (at least 1). */
export function modelLatencyNs(model: LatencyModel, size: number): number {
  const transfer = model.bytesPerNs > 0 ? size / model.bytesPerNs : 0;
  return Math.max(1, Math.round(model.baseNs + transfer));
}
