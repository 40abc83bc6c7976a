/**
 * SNIA MSR Cambridge CSV (no header):
 * `Timestamp,Hostname,DiskNumber,Type,Offset,Size,ResponseTime`.
 * Timestamp is Windows FILETIME (100 ns ticks), Offset and Size bytes,
 * ResponseTime 100 ns ticks (shared/traces/snia-msr-cambridge-hm-sample/PROVENANCE.md).
 */
import { ParseError } from '../../src/base/errors.js';
import { intField, positiveField, splitFields } from './fields.js';
import { lineFormat } from './line-format.js';

const NAMES = ['Timestamp', 'Hostname', 'DiskNumber', 'Type', 'Offset', 'Size', 'ResponseTime'] as const;
/** FILETIME values (18 digits) exceed 2^53: split them at 9 digits and subtract the first row's halves. */
const SPLIT = 9;

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
    let hi0 = -1;
    let lo0 = 0;
    return (line, lineNo) => {
      const f = splitFields(line, ',', 7, file, lineNo, NAMES);
      const stamp = f[0].trim();
      const cut = Math.max(0, stamp.length - SPLIT);
      const hi = cut ? intField(stamp.slice(0, cut), file, lineNo, 'Timestamp') : 0;
      const lo = intField(stamp.slice(cut), file, lineNo, 'Timestamp');
      if (hi0 < 0) {
        hi0 = hi;
        lo0 = lo;
      }
      const type = f[3].trim().toLowerCase();
      if (type !== 'read' && type !== 'write') throw new ParseError(file, lineNo, 'Type', `'${f[3]}' is not Read or Write`);
      return {
        arrivalNs: ((hi - hi0) * 1e9 + (lo - lo0)) * 100,
        offset: intField(f[4], file, lineNo, 'Offset'),
        size: positiveField(f[5], file, lineNo, 'Size'),
        write: type === 'write',
        responseNs: intField(f[6], file, lineNo, 'ResponseTime') * 100,
      };
    };
  },
});
