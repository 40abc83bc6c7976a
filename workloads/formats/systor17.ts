/**
 * SNIA SYSTOR '17 VDI trace CSV with a header line:
 * `Timestamp,Response,IOType,LUN,Offset,Size` with Timestamp in Unix epoch
 * seconds with nanosecond digits (`1456095145.133076000`), Response in
 * seconds, IOType R/W, Offset and Size in bytes
 * (shared/traces/snia-systor17-sample/PROVENANCE.md).
 *
 * Epoch nanoseconds exceed 2^53, so seconds and nanoseconds are parsed apart
 * and the first row's seconds are subtracted before scaling. Rows are not
 * strictly time-ordered (arrivals may be negative): the schedule sorts.
 */
import { ParseError } from '../../src/base/errors.js';
import { seconds, splitFields, uint } from './fields.js';
import { type HeadedRows, headedCsv } from './headed-format.js';
import { COMMA, FieldScanner, NS_PER_S } from './scan.js';
import type { TraceSource } from './trace-source.js';
import type { IoRequest } from '../types.js';

const HEADER = 'Timestamp,Response,IOType,LUN,Offset,Size';
/** A SYSTOR data row's start (used only to name a missing header). */
const ROW_RE = /^\s*\d+\.\d+\s*,\s*\d+(\.\d+)?\s*,\s*[RW]\s*,(\s*\d+\s*,){2}\s*\d+\s*$/i;
const NAMES = ['Timestamp', 'Response', 'IOType', 'LUN', 'Offset', 'Size'] as const;

/**
 * Exact parser (odd spacing, lower-case types, long fractions, and every
 * error) of a data row: arrival as epoch seconds and nanoseconds, response
 * time (ns), I/O type, offset and size (bytes). @throws ParseError
 */
function parseSlow(line: string, file: string, n: number) {
  const f = splitFields(line, ',', 6, file, n, NAMES, false);
  const stamp = seconds(f[0], file, n, 'Timestamp');
  const response = seconds(f[1], file, n, 'Response');
  const responseNs = response.ns + response.s * NS_PER_S;
  if (!Number.isSafeInteger(responseNs)) throw new ParseError(file, n, 'Response', `'${f[1]}' is too large`);
  const t = f[2].trim();
  const write = t === 'W' || t === 'w';
  if (!write && t !== 'R' && t !== 'r') throw new ParseError(file, n, 'IOType', `'${f[2]}' is not R or W`);
  uint(f[3], file, n, 'LUN');
  const offset = uint(f[4], file, n, 'Offset');
  const size = uint(f[5], file, n, 'Size');
  if (size === 0) throw new ParseError(file, n, 'Size', 'must be greater than 0');
  return { sec: stamp.s, ns: stamp.ns, responseNs, write, offset, size };
}

/** The rows of one file, arrivals counted from the first row's. */
function rows(source: TraceSource): HeadedRows {
  const file = source.file;
  const scan = new FieldScanner(COMMA);
  let started = false;
  let firstSeconds = 0;
  let firstNs = 0;
  const request = (sec: number, ns: number, responseNs: number, write: boolean, offset: number, size: number): IoRequest => {
    if (!started) {
      started = true;
      firstSeconds = sec;
      firstNs = ns;
    }
    return { arrivalNs: (sec - firstSeconds) * NS_PER_S + (ns - firstNs), offset, size, write, responseNs };
  };
  return {
    /** One scan of the comma-separated fields in place; null for a line the fast path does not take (blank, odd spacing, lower-case type, long fraction, or an error). */
    fast(bytes, from, end) {
      scan.start(bytes, from, end);
      const sec = scan.seconds();
      const ns = scan.ns;
      const responseS = scan.seconds();
      const responseNs = responseS * NS_PER_S + scan.ns;
      const type = scan.char();
      const lun = scan.uint();
      const offset = scan.uint();
      const size = scan.uint();
      if (sec < 0 || responseS < 0 || !Number.isSafeInteger(responseNs) || (type !== 87 /* W */ && type !== 82 /* R */) || lun < 0 || offset < 0 || size <= 0 || !scan.done()) return null;
      return request(sec, ns, responseNs, type === 87, offset, size);
    },
    parse(line, n) {
      if (line.trim() === '') return null;
      const r = parseSlow(line, file, n);
      return request(r.sec, r.ns, r.responseNs, r.write, r.offset, r.size);
    },
    end: () => 'header line but no data rows',
  };
}

export const systor17Csv = headedCsv({
  name: 'systor17',
  description: 'SNIA SYSTOR\'17 CSV: header Timestamp(epoch s.ns),Response(s),IOType(R|W),LUN,Offset(B),Size(B)',
  header: HEADER,
  fields: { size: 'Size', time: 'Timestamp', offset: 'Offset', response: 'Response' },
  // A SYSTOR row without the header: claimed so the reader can say the header is missing, with its line.
  row: ROW_RE,
  rows,
});
