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
import { ParseError } from '../../src/base/errors.js';
import { fixed, splitFields, uint } from './fields.js';
import { lineFormat } from './line-format.js';
import { relativeArrivals } from './headed-format.js';
import { type FieldScanner, SPACE } from './scan.js';
import type { IoRequest } from '../types.js';

const NAMES = ['ArrivalTime', 'Device', 'StartSector', 'SizeSectors', 'Type'] as const;
const SECTOR = 512;
const NS_PER_MS_DIGITS = 6;
const MAX_SECTOR = Math.floor(Number.MAX_SAFE_INTEGER / SECTOR);

/** Exact parser (odd spacing, and every error): the request with its absolute arrival. @throws ParseError */
function parseSlow(line: string, file: string, lineNo: number): IoRequest {
  const f = splitFields(line, /\s+/, 5, file, lineNo, NAMES);
  const arrivalNs = fixed(f[0], NS_PER_MS_DIGITS, file, lineNo, 'ArrivalTime'); // ms -> ns
  uint(f[1], file, lineNo, 'Device');
  const sector = uint(f[2], file, lineNo, 'StartSector');
  if (sector > MAX_SECTOR) throw new ParseError(file, lineNo, 'StartSector', `'${f[2]}' is too large`);
  const sectors = uint(f[3], file, lineNo, 'SizeSectors');
  if (sectors === 0) throw new ParseError(file, lineNo, 'SizeSectors', 'must be greater than 0');
  if (sectors > MAX_SECTOR) throw new ParseError(file, lineNo, 'SizeSectors', `'${f[3]}' is too large`);
  const type = f[4];
  if (type !== '0' && type !== '1') throw new ParseError(file, lineNo, 'Type', `'${type}' is not 1 (read) or 0 (write)`);
  return { arrivalNs, offset: sector * SECTOR, size: sectors * SECTOR, write: type === '0' };
}

/** Fast path (single spaces, plain digits, at most 6 fraction digits): the request as {@link parseSlow} gives it, or null for anything else. */
function parseFast(scan: FieldScanner): IoRequest | null {
  const arrivalNs = scan.fixed(NS_PER_MS_DIGITS); // ms -> ns
  const device = scan.uint();
  if (arrivalNs < 0 || device < 0) return null;
  const sector = scan.uint();
  const sectors = scan.uint();
  if (sector < 0 || sector > MAX_SECTOR || sectors <= 0 || sectors > MAX_SECTOR) return null;
  const type = scan.uint();
  if (type < 0 || type > 1 || !scan.done()) return null;
  return { arrivalNs, offset: sector * SECTOR, size: sectors * SECTOR, write: type === 0 };
}

/** For detection: null when `line` looks like a DiskSim row, else why not. */
function sniffLine(line: string): string | null {
  const f = line.trim().split(/\s+/);
  if (f.length !== 5) return `expected 5 space-separated fields, found ${f.length}`;
  if (!/^\d+\.\d+$/.test(f[0])) return `arrival '${f[0]}' has no decimal point (milliseconds)`;
  if (!f.slice(1).every((x) => /^\d+$/.test(x))) return 'device, start, size and type are not all integers';
  if (f[4] !== '0' && f[4] !== '1') return `type '${f[4]}' is not 0 or 1`;
  return null;
}

export const disksimAscii = lineFormat({
  fields: { size: 'SizeSectors', time: 'ArrivalTime', offset: 'StartSector' },
  name: 'disksim',
  description: 'DiskSim ASCII (MSN file server): arrival(ms, decimal) device start(sectors) size(sectors) type(1 read, 0 write)',
  sniffLine,
  parser: relativeArrivals(SPACE, 1, parseFast, parseSlow),
});
