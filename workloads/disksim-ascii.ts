/**
 * DiskSim-style ASCII trace, space separated, no header:
 * `arrival_ms device start_sector size_sectors type` with the arrival in
 * milliseconds with a decimal point (`0.221`), 512-byte sectors and type
 * 1 = read, 0 = write (the MSN file server trace,
 * shared/traces/msn-fileserver/PROVENANCE.md). It carries no response time.
 *
 * Detection requires the decimal point in the first field, so MQSim/SSDsim
 * files (integer nanoseconds, same five columns) are not taken for it.
 */
import { ParseError } from '../src/errors.js';
import { lineFormat } from './line-format.js';

const NAMES = ['ArrivalTime', 'Device', 'StartSector', 'SizeSectors', 'Type'] as const;
const SECTOR = 512;
const NS_PER_MS_DIGITS = 6;

/** Non-negative decimal integer (char loop, no regex). @throws ParseError */
function uint(text: string, file: string, line: number, field: string): number {
  let v = 0;
  for (let i = 0; i < text.length; i++) {
    const d = text.charCodeAt(i) - 48;
    if (d < 0 || d > 9) throw new ParseError(file, line, field, text[0] === '-' ? `'${text}' is negative` : `'${text}' is not a non-negative integer`);
    v = v * 10 + d;
  }
  if (text.length === 0) throw new ParseError(file, line, field, 'is empty');
  if (!Number.isSafeInteger(v)) throw new ParseError(file, line, field, `'${text}' is too large`);
  return v;
}

/**
 * A non-negative decimal (`12`, `0.221`) as an integer count of 10^-digits
 * units, exact (no float rounding): `fixed('0.221', 6)` = 221000. Digits past
 * `digits` are rounded half up. @throws ParseError
 */
function fixed(text: string, digits: number, file: string, line: number, field: string): number {
  let v = 0;
  let scale = -1; // digits seen after the point; -1 before it
  let roundUp = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 46 /* . */ && scale < 0 && i > 0) {
      scale = 0;
      continue;
    }
    const d = c - 48;
    if (d < 0 || d > 9) throw new ParseError(file, line, field, text[0] === '-' ? `'${text}' is negative` : `'${text}' is not a non-negative decimal number`);
    if (scale < 0) v = v * 10 + d;
    else if (scale < digits) {
      v = v * 10 + d;
      scale++;
    } else if (scale++ === digits) roundUp = d >= 5;
  }
  if (text.length === 0 || scale === 0) throw new ParseError(file, line, field, `'${text}' is not a non-negative decimal number`);
  for (let s = Math.max(scale, 0); s < digits; s++) v *= 10;
  if (roundUp) v++;
  if (!Number.isSafeInteger(v)) throw new ParseError(file, line, field, `'${text}' is too large`);
  return v;
}

export const disksimAscii = lineFormat({
  name: 'disksim',
  description: 'DiskSim ASCII (MSN file server): arrival(ms, decimal) device start(sectors) size(sectors) type(1 read, 0 write)',
  sniffLine(line) {
    const f = line.trim().split(/\s+/);
    if (f.length !== 5) return `expected 5 space-separated fields, found ${f.length}`;
    if (!/^\d+\.\d+$/.test(f[0])) return `arrival '${f[0]}' has no decimal point (milliseconds)`;
    if (!f.slice(1).every((x) => /^\d+$/.test(x))) return 'device, start, size and type are not all integers';
    if (f[4] !== '0' && f[4] !== '1') return `type '${f[4]}' is not 0 or 1`;
    return null;
  },
  parser(source) {
    const file = source.file;
    let first: number | undefined;
    return (line, lineNo) => {
      let f = line.split(' ');
      if (f.length !== 5) f = line.trim().split(/\s+/);
      if (f.length !== 5) {
        throw new ParseError(file, lineNo, NAMES[Math.min(f.length, 4)], `expected 5 fields (${NAMES.join(', ')}), found ${f.length}`);
      }
      const arrival = fixed(f[0], NS_PER_MS_DIGITS, file, lineNo, 'ArrivalTime'); // ms -> ns
      first ??= arrival;
      uint(f[1], file, lineNo, 'Device');
      const offset = uint(f[2], file, lineNo, 'StartSector') * SECTOR;
      if (!Number.isSafeInteger(offset)) throw new ParseError(file, lineNo, 'StartSector', `'${f[2]}' is too large`);
      const sectors = uint(f[3], file, lineNo, 'SizeSectors');
      if (sectors === 0) throw new ParseError(file, lineNo, 'SizeSectors', 'must be greater than 0');
      const type = f[4];
      if (type !== '0' && type !== '1') throw new ParseError(file, lineNo, 'Type', `'${type}' is not 1 (read) or 0 (write)`);
      return { arrivalNs: arrival - first, offset, size: sectors * SECTOR, write: type === '0' };
    };
  },
});
