/**
 * MQSim ASCII trace (src/host/ASCII_Trace_Definition.h), space separated, no header:
 * `arrival_ns device start_sector size_sectors type` with 512-byte sectors and
 * type 0 = write, 1 = read. It carries no response time: completions come from
 * the latency model. DiskSim and SSDsim traces share the 5-column shape; they
 * differ in time unit and type coding (see their own formats).
 */
import { ParseError } from '../../src/base/errors.js';
import { intField, positiveField, splitFields } from './fields.js';
import { lineFormat } from './line-format.js';
import { relativeArrivals } from './headed-format.js';
import { type FieldScanner, SPACE } from './scan.js';
import type { IoRequest } from '../types.js';

const NAMES = ['ArrivalTime', 'Device', 'StartSector', 'SizeSectors', 'Type'] as const;
const SECTOR = 512;

/** Exact parser (odd spacing, and every error): the request with its absolute arrival. @throws ParseError */
function parseExact(line: string, file: string, lineNo: number): IoRequest {
  const f = splitFields(line, /\s+/, 5, file, lineNo, NAMES);
  const arrivalNs = intField(f[0], file, lineNo, 'ArrivalTime');
  intField(f[1], file, lineNo, 'Device');
  const type = f[4];
  if (type !== '0' && type !== '1') throw new ParseError(file, lineNo, 'Type', `'${type}' is not 0 (write) or 1 (read)`);
  return {
    arrivalNs,
    offset: intField(f[2], file, lineNo, 'StartSector') * SECTOR,
    size: positiveField(f[3], file, lineNo, 'SizeSectors') * SECTOR,
    write: type === '0',
  };
}

/** Fast path (single spaces, plain digits, type one digit): the request as {@link parseExact} gives it, or null for anything else. */
function parseFast(scan: FieldScanner): IoRequest | null {
  const arrivalNs = scan.uint();
  const device = scan.uint();
  const sector = scan.uint();
  if (arrivalNs < 0 || device < 0 || sector < 0) return null;
  const sectors = scan.uint();
  const type = scan.char(); // exactly `0` or `1`, as the exact parser wants it
  if (sectors <= 0 || (type !== 48 && type !== 49) || !scan.done()) return null;
  return { arrivalNs, offset: sector * SECTOR, size: sectors * SECTOR, write: type === 48 };
}

export const mqsimAscii = lineFormat({
  fields: { size: 'SizeSectors', time: 'ArrivalTime', offset: 'StartSector' },
  name: 'mqsim',
  description: 'MQSim / SSDsim ASCII: arrival(ns) device start(sectors) size(sectors) type(0 write, 1 read)',
  sniffLine(line) {
    const f = line.trim().split(/\s+/);
    if (f.length !== 5) return `expected 5 space-separated fields, found ${f.length}`;
    if (!f.every((x) => /^\d+$/.test(x))) return 'not all fields are integers';
    if (f[4] !== '0' && f[4] !== '1') return `type '${f[4]}' is not 0 or 1`;
    return null;
  },
  parser: relativeArrivals(SPACE, 1, parseFast, parseExact),
});
