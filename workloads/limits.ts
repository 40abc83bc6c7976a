/**
 * The ranges every request must be in, whatever its source: a trace line out
 * of range is bad input (exit 2, file, line and field named) found while
 * reading, before it can cost memory or time downstream (a 2^64-byte request
 * would otherwise be split into 7e13 mappings).
 */
import { ParseError } from '../src/base/errors.js';
import type { IoRequest } from './types.js';

/** Largest request, bytes: 1 GiB, split into mappings of at most 256 KiB (swiotlb_max_mapping_size). */
export const MAX_REQUEST_BYTES = 1 << 30;
/** CPU ids must be below this (the kernel's largest NR_CPUS is 8192). */
export const MAX_CPUS = 8192;
/** Largest |time| of an arrival or response, ns: 2^53, where doubles stop being exact (about 104 days). */
export const MAX_TIME_NS = Number.MAX_SAFE_INTEGER;
/** Largest device offset, bytes: 2^53 (8 PiB), where doubles stop being exact. */
export const MAX_OFFSET = Number.MAX_SAFE_INTEGER;

/** Most mappings one pass of a schedule may hold (about 200 MB of schedule arrays). */
export const MAX_MAPPINGS = 1 << 22;
/** Most host memory the original buffers in flight may need at once, bytes: 4 GiB. */
export const MAX_HOST_BYTES = 4 * 2 ** 30;

/** How a format names the fields a request's values came from, for messages. Defaults: `size`, `time`, `offset`, `cpu`, `response`. */
export interface RequestFields {
  size?: string;
  time?: string;
  offset?: string;
  cpu?: string;
  response?: string;
}

/**
 * Check one request read from `file` at `line` (a record number for binary formats).
 * @throws ParseError naming the field that is out of range and the range.
 */
export function checkRequest(r: IoRequest, file: string, line: number, names: RequestFields = {}): void {
  if (!(r.size > 0 && r.size <= MAX_REQUEST_BYTES)) {
    throw new ParseError(file, line, names.size ?? 'size', `${r.size} bytes is out of range: a request is 1 byte to 1 GiB`);
  }
  if (!Number.isFinite(r.arrivalNs) || Math.abs(r.arrivalNs) > MAX_TIME_NS) {
    throw new ParseError(file, line, names.time ?? 'time', `arrival ${r.arrivalNs} ns from the first request is out of range (at most 2^53 ns, about 104 days)`);
  }
  if (r.responseNs !== undefined && !(r.responseNs >= 0 && r.responseNs <= MAX_TIME_NS)) {
    throw new ParseError(file, line, names.response ?? 'response', `${r.responseNs} ns is out of range (0 to 2^53 ns)`);
  }
  if (!(r.offset >= 0 && r.offset <= MAX_OFFSET)) {
    throw new ParseError(file, line, names.offset ?? 'offset', `${r.offset} bytes is out of range (0 to 2^53)`);
  }
  if (r.cpu !== undefined && !(Number.isInteger(r.cpu) && r.cpu >= 0 && r.cpu < MAX_CPUS)) {
    throw new ParseError(file, line, names.cpu ?? 'cpu', `CPU ${String(r.cpu).slice(0, 20)} is out of range (0 to ${MAX_CPUS - 1})`);
  }
}

/** Devices one workload may map for (each may get a pool of its own: per-device-pools). */
export const MAX_DEVICES = 64;
