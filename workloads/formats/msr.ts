/**
 * SNIA MSR Cambridge CSV (no header):
 * `Timestamp,Hostname,DiskNumber,Type,Offset,Size,ResponseTime`.
 * Timestamp is Windows FILETIME (100 ns ticks), Offset and Size bytes,
 * ResponseTime 100 ns ticks (shared/traces/snia-msr-cambridge-hm-sample/PROVENANCE.md).
 */
import { ParseError } from '../../src/base/errors.js';
import { intField, positiveField, splitFields } from './fields.js';
import { lineFormat } from './line-format.js';
import { COMMA, FieldScanner, latin1 } from './scan.js';
import type { IoRequest } from '../types.js';

const NAMES = ['Timestamp', 'Hostname', 'DiskNumber', 'Type', 'Offset', 'Size', 'ResponseTime'] as const;
/** FILETIME values (18 digits) exceed 2^53: split them at 9 digits and subtract the first row's halves. */
const SPLIT = 9;
const READ = latin1('Read');
const WRITE = latin1('Write');

export const msrCsv = lineFormat({
  name: 'msr',
  fields: { size: 'Size', time: 'Timestamp', offset: 'Offset', response: 'ResponseTime' },
  description: 'SNIA MSR Cambridge CSV: Timestamp(100ns),Hostname,Disk,Read|Write,Offset(B),Size(B),ResponseTime(100ns)',
  sniffLine(line) {
    const f = line.split(',');
    if (f.length !== 7) return `expected 7 comma-separated fields, found ${f.length}`;
    if (!/^\d+$/.test(f[0])) return 'Timestamp is not an integer';
    if (!/^(read|write)$/i.test(f[3])) return `Type '${f[3]}' is not Read or Write`;
    return null;
  },
  parser(source) {
    const file = source.file;
    const scan = new FieldScanner(COMMA);
    let hi0 = -1;
    let lo0 = 0;
    const request = (hi: number, lo: number, offset: number, size: number, write: boolean, response: number): IoRequest => {
      if (hi0 < 0) {
        hi0 = hi;
        lo0 = lo;
      }
      return { arrivalNs: ((hi - hi0) * 1e9 + (lo - lo0)) * 100, offset, size, write, responseNs: response * 100 };
    };
    return {
      /** Fast path (plain digits, `Read` or `Write`, no spaces around numbers): the request as `parse` gives it, or null. */
      fast(bytes, from, end) {
        scan.start(bytes, from, end);
        const digits = scan.skip(true, -1); // the Timestamp, split below as `parse` splits it
        const cut = from + Math.max(0, digits - SPLIT);
        const hi = cut > from ? decimal(bytes, from, cut) : 0;
        const lo = decimal(bytes, cut, from + digits);
        if (hi < 0 || lo < 0 || scan.skip(false, -1) < 0 || scan.skip(false, -1) < 0) return null; // Hostname, DiskNumber: not read
        const write = scan.is(WRITE);
        if (!write && !scan.is(READ)) return null;
        const offset = scan.uint();
        const size = scan.uint();
        const response = scan.uint();
        if (offset < 0 || size <= 0 || response < 0 || !scan.done()) return null;
        return request(hi, lo, offset, size, write, response);
      },
      parse(line, lineNo) {
        const f = splitFields(line, ',', 7, file, lineNo, NAMES);
        const stamp = f[0].trim();
        const cut = Math.max(0, stamp.length - SPLIT);
        const hi = cut ? intField(stamp.slice(0, cut), file, lineNo, 'Timestamp') : 0;
        const lo = intField(stamp.slice(cut), file, lineNo, 'Timestamp');
        const type = f[3].trim().toLowerCase();
        if (type !== 'read' && type !== 'write') throw new ParseError(file, lineNo, 'Type', `'${f[3]}' is not Read or Write`);
        const offset = intField(f[4], file, lineNo, 'Offset');
        const size = positiveField(f[5], file, lineNo, 'Size');
        return request(hi, lo, offset, size, type === 'write', intField(f[6], file, lineNo, 'ResponseTime'));
      },
    };
  },
});

/** `bytes[from, to)` as a decimal of digits only, at most 2^53 - 1; -1 for anything else (empty included). */
function decimal(bytes: Uint8Array, from: number, to: number): number {
  let v = 0;
  for (let i = from; i < to; i++) {
    const d = bytes[i] - 48;
    if (d < 0 || d > 9) return -1;
    v = v * 10 + d;
  }
  return from < to && v <= Number.MAX_SAFE_INTEGER ? v : -1;
}
