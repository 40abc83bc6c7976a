/**
 * CloudPhysics vSCSI trace as CSV (libCacheSim's cloudPhysicsIO.csv), header
 * `version,time,op,size,lbn`: time in whole seconds, op the SCSI opcode in
 * hex (`28` READ(10), `2a` WRITE(10)), size in bytes, lbn in 512-byte
 * sectors (shared/traces/cloudphysics-vscsi/PROVENANCE.md). Rows with any
 * other opcode move no data through a buffer we model: they are skipped,
 * with one warning giving their count and the first one's line and opcode.
 */
import { ParseError } from '../../src/base/errors.js';
import { splitFields, uint } from './fields.js';
import { type HeadedRows, headedCsv } from './headed-format.js';
import { COMMA, FieldScanner, NS_PER_S } from './scan.js';
import type { TraceSource } from './trace-source.js';

const HEADER = 'version,time,op,size,lbn';
/** A data row (used only to name a missing header): version 1 and a one- or two-digit hex opcode. */
const ROW_RE = /^\s*1\s*,\s*\d+\s*,\s*[0-9a-f]{1,2}\s*,\s*\d+\s*,\s*\d+\s*$/i;
const NAMES = ['version', 'time', 'op', 'size', 'lbn'] as const;
const SECTOR = 512;
const MAX_LBN = Math.floor(Number.MAX_SAFE_INTEGER / SECTOR);

/**
 * Exact parser (odd spacing, other opcodes, and every error) of a data row:
 * SCSI opcode, time (whole seconds), offset and size (bytes). @throws ParseError
 */
function parseSlow(line: string, file: string, n: number) {
  const f = splitFields(line, ',', 5, file, n, NAMES, false);
  uint(f[0], file, n, 'version');
  const time = uint(f[1], file, n, 'time');
  const op = opcode(f[2], file, n);
  const size = uint(f[3], file, n, 'size');
  const lbn = uint(f[4], file, n, 'lbn');
  if (lbn > MAX_LBN) throw new ParseError(file, n, 'lbn', `'${f[4]}' is too large`);
  return { op, time, offset: lbn * SECTOR, size };
}

/** A SCSI opcode written in hex (one byte). @throws ParseError */
function opcode(text: string, file: string, line: number): number {
  const t = text.trim();
  const v = t.length >= 1 && t.length <= 2 ? parseInt(t, 16) : NaN;
  if (Number.isNaN(v) || !/^[0-9a-f]+$/i.test(t)) throw new ParseError(file, line, 'op', `'${text}' is not a SCSI opcode in hex (28 = READ(10), 2a = WRITE(10))`);
  return v;
}

/** The rows of one file: READ(10) and WRITE(10) as requests, other opcodes counted and skipped. */
function rows(source: TraceSource): HeadedRows {
  const file = source.file;
  const scan = new FieldScanner(COMMA);
  let first: number | undefined;
  let skipped = 0;
  let firstSkip = '';
  return {
    /** One scan of the comma-separated fields in place; null for a line the fast path does not take (blank, odd spacing, another opcode, or an error). */
    fast(bytes, from, end) {
      scan.start(bytes, from, end);
      const version = scan.uint();
      const time = scan.uint();
      const op = scan.scsiReadWrite();
      const size = scan.uint();
      const lbn = scan.uint();
      if (version < 0 || time < 0 || op < 0 || size <= 0 || lbn < 0 || lbn > MAX_LBN || !scan.done()) return null;
      first ??= time;
      return { arrivalNs: (time - first) * NS_PER_S, offset: lbn * SECTOR, size, write: op === 0x2a };
    },
    parse(line, n) {
      if (line.trim() === '') return null;
      const { op, time, offset, size } = parseSlow(line, file, n);
      if (op !== 0x28 && op !== 0x2a) {
        if (skipped++ === 0) firstSkip = `line ${n}, opcode 0x${op.toString(16).padStart(2, '0')}`;
        return null;
      }
      if (size === 0) throw new ParseError(file, n, 'size', 'must be greater than 0');
      first ??= time;
      return { arrivalNs: (time - first) * NS_PER_S, offset, size, write: op === 0x2a };
    },
    end() {
      if (skipped === 0) return 'header line but no data rows';
      source.warn(`${firstSkip}: skipped ${skipped} row(s) whose SCSI opcode is neither READ(10) 0x28 nor WRITE(10) 0x2a (no data buffer to map)`);
      return `no READ(10) or WRITE(10) rows (${skipped} row(s) with other opcodes skipped)`;
    },
  };
}

export const cloudphysicsCsv = headedCsv({
  name: 'cloudphysics-csv',
  description: 'CloudPhysics vSCSI CSV: header version,time(s),op(hex SCSI: 28 read, 2a write),size(B),lbn(sectors)',
  header: HEADER,
  wholeSecondTimestamps: true,
  fields: { size: 'size', time: 'time', offset: 'lbn' },
  // A CloudPhysics row without the header: claimed so the reader can say the header is missing, with its line.
  row: ROW_RE,
  rows,
});
