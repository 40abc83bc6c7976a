/**
 * SNIA Tencent Cloud Block Storage CSV, no header:
 * `Timestamp,Offset,Size,IOType,VolumeID` with Timestamp in Unix whole
 * seconds, Offset and Size in 512-byte sectors, IOType 0 = read, 1 = write
 * (shared/traces/snia-tencent-cbs-sample/PROVENANCE.md). No response time.
 * Arrivals are relative to the first row, so later rows may be negative
 * (the sample's first row is one second after the rest); the schedule sorts.
 */
import { ParseError } from '../src/errors.js';
import { lineFormat } from './line-format.js';

const NAMES = ['Timestamp', 'Offset', 'Size', 'IOType', 'VolumeID'] as const;
const SECTOR = 512;
const NS_PER_S = 1e9;

/** Non-negative decimal integer (char loop, no regex). @throws ParseError */
function uint(text: string, file: string, line: number, field: string): number {
  let v = 0;
  for (let i = 0; i < text.length; i++) {
    const d = text.charCodeAt(i) - 48;
    if (d < 0 || d > 9) {
      if (text.trim() !== text) return uint(text.trim(), file, line, field);
      throw new ParseError(file, line, field, text[0] === '-' ? `'${text}' is negative` : `'${text}' is not a non-negative integer`);
    }
    v = v * 10 + d;
  }
  if (text.length === 0) throw new ParseError(file, line, field, 'is empty');
  if (!Number.isSafeInteger(v)) throw new ParseError(file, line, field, `'${text}' is too large`);
  return v;
}

export const tencentCbsCsv = lineFormat({
  name: 'tencent',
  description: 'SNIA Tencent CBS CSV: Timestamp(s),Offset(sectors),Size(sectors),IOType(0 read, 1 write),VolumeID',
  sniffLine(line) {
    const f = line.split(',');
    if (f.length !== 5) return `expected 5 comma-separated fields, found ${f.length}`;
    if (!f.every((x) => /^\s*\d+\s*$/.test(x))) return 'not all fields are integers';
    if (f[3].trim() !== '0' && f[3].trim() !== '1') return `IOType '${f[3]}' is not 0 or 1`;
    return null;
  },
  parser(source) {
    const file = source.file;
    let first: number | undefined;
    return (line, lineNo) => {
      const f = line.split(',');
      if (f.length !== 5) {
        throw new ParseError(file, lineNo, NAMES[Math.min(f.length, 4)], `expected 5 fields (${NAMES.join(', ')}), found ${f.length}`);
      }
      const seconds = uint(f[0], file, lineNo, 'Timestamp');
      first ??= seconds;
      const offset = uint(f[1], file, lineNo, 'Offset') * SECTOR;
      if (!Number.isSafeInteger(offset)) throw new ParseError(file, lineNo, 'Offset', `'${f[1]}' is too large`);
      const sectors = uint(f[2], file, lineNo, 'Size');
      if (sectors === 0) throw new ParseError(file, lineNo, 'Size', 'must be greater than 0');
      const type = f[3].length === 1 ? f[3] : f[3].trim();
      if (type !== '0' && type !== '1') throw new ParseError(file, lineNo, 'IOType', `'${f[3]}' is not 0 (read) or 1 (write)`);
      uint(f[4], file, lineNo, 'VolumeID');
      return { arrivalNs: (seconds - first) * NS_PER_S, offset, size: sectors * SECTOR, write: type === '1' };
    };
  },
});
