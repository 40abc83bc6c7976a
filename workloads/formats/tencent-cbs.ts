/**
 * SNIA Tencent Cloud Block Storage CSV, no header:
 * `Timestamp,Offset,Size,IOType,VolumeID` with Timestamp in Unix whole
 * seconds, Offset and Size in 512-byte sectors, IOType 0 = read, 1 = write
 * (shared/traces/snia-tencent-cbs-sample/PROVENANCE.md). No response time.
 * Arrivals are relative to the first row, so later rows may be negative
 * (the sample's first row is one second after the rest); the schedule sorts.
 */
import { ParseError } from '../../src/base/errors.js';
import { splitFields, uint } from './fields.js';
import { lineFormat } from './line-format.js';
import { relativeArrivals } from './headed-format.js';
import { COMMA, type FieldScanner, NS_PER_S } from './scan.js';
import type { IoRequest } from '../types.js';

const NAMES = ['Timestamp', 'Offset', 'Size', 'IOType', 'VolumeID'] as const;
const SECTOR = 512;
const MAX_SECTOR = Math.floor(Number.MAX_SAFE_INTEGER / SECTOR);

/** Exact parser (spaces around fields, and every error): the request with its arrival in absolute seconds. @throws ParseError */
function parseSlow(line: string, file: string, lineNo: number): IoRequest {
  const f = splitFields(line, ',', 5, file, lineNo, NAMES, false);
  const seconds = uint(f[0], file, lineNo, 'Timestamp');
  const sector = uint(f[1], file, lineNo, 'Offset');
  if (sector > MAX_SECTOR) throw new ParseError(file, lineNo, 'Offset', `'${f[1]}' is too large`);
  const sectors = uint(f[2], file, lineNo, 'Size');
  if (sectors === 0) throw new ParseError(file, lineNo, 'Size', 'must be greater than 0');
  if (sectors > MAX_SECTOR) throw new ParseError(file, lineNo, 'Size', `'${f[2]}' is too large`);
  const type = f[3].trim();
  if (type !== '0' && type !== '1') throw new ParseError(file, lineNo, 'IOType', `'${f[3]}' is not 0 (read) or 1 (write)`);
  uint(f[4], file, lineNo, 'VolumeID');
  return { arrivalNs: seconds, offset: sector * SECTOR, size: sectors * SECTOR, write: type === '1' };
}

/** Fast path (digits and single commas only): the request as {@link parseSlow} gives it, or null for anything else. */
function parseFast(scan: FieldScanner): IoRequest | null {
  const seconds = scan.uint();
  const sector = scan.uint();
  if (seconds < 0 || sector < 0 || sector > MAX_SECTOR) return null;
  const sectors = scan.uint();
  if (sectors <= 0 || sectors > MAX_SECTOR) return null;
  const type = scan.uint();
  const volume = scan.uint();
  if (type < 0 || type > 1 || volume < 0 || !scan.done()) return null;
  return { arrivalNs: seconds, offset: sector * SECTOR, size: sectors * SECTOR, write: type === 1 };
}

/** For detection: null when `line` looks like a Tencent CBS row, else why not. */
function sniffLine(line: string): string | null {
  const f = line.split(',');
  if (f.length !== 5) return `expected 5 comma-separated fields, found ${f.length}`;
  if (!f.every((x) => /^\s*\d+\s*$/.test(x))) return 'not all fields are integers';
  if (f[3].trim() !== '0' && f[3].trim() !== '1') return `IOType '${f[3]}' is not 0 or 1`;
  return null;
}

export const tencentCbsCsv = lineFormat({
  wholeSecondTimestamps: true,
  fields: { size: 'Size', time: 'Timestamp', offset: 'Offset' },
  name: 'tencent',
  description: 'SNIA Tencent CBS CSV: Timestamp(s),Offset(sectors),Size(sectors),IOType(0 read, 1 write),VolumeID',
  sniffLine,
  parser: relativeArrivals(COMMA, NS_PER_S, parseFast, parseSlow), // whole seconds -> ns
});
