/**
 * Shared pieces of the line-oriented block-trace readers (cloudphysics-csv,
 * systor17, tencent, disksim, mqsim, fio iologs):
 *
 * - {@link FieldScanner}, the fast path: one pass over a line's characters,
 *   no substrings, no regexes, no exceptions;
 * - {@link relativeArrivals}, the lineFormat parser that tries the fast path,
 *   falls back to the reader's exact parser and counts time from the first row;
 * - {@link headedFormat}, the skeleton of a text trace that must start with a
 *   header line (what lineFormat in line-format.ts is for headerless ones).
 *
 * Every scan method reads the field that starts at the cursor and ends at the
 * separator or the end of the line, moves the cursor past the separator, and
 * returns the value. For anything unusual (an empty field, spaces, signs, a
 * value too large to be exact, more fraction digits than asked for) it
 * returns {@link BAD} instead, and the cursor is then left anywhere: the
 * reader sends such a line to its exact parser (workloads/fields.ts), which
 * accepts the odd but valid spellings and raises the ParseError for the
 * rest. The fast path never raises and never accepts a line that the exact
 * parser would reject or read differently.
 *
 *     const scan = new FieldScanner(COMMA); // one per parser
 *     scan.start(line);
 *     const a = scan.uint();
 *     const b = scan.uint();
 *     if (a < 0 || b < 0 || !scan.done()) exactParser(line);
 */
import { ParseError } from '../../src/base/errors.js';
import type { TraceSource } from './trace-source.js';
import type { IoRequest } from '../types.js';
import type { TraceFormat } from './format.js';

/**
 * What a scan method returns for a field it does not take (every value it
 * takes is >= 0). The methods write it, and Number.MAX_SAFE_INTEGER, as
 * literals (-1, 9007199254740991): a module constant costs a load and a
 * hole check per use, and bytecode that counts against V8's inlining budget.
 */
export const BAD = -1;
/** Field separators (character codes). */
export const COMMA = 44;
export const SPACE = 32;

/** Nanoseconds per second. */
export const NS_PER_S = 1e9;

/**
 * A cursor over one line's separated fields (see the module comment). Make
 * one per parser (per file): every instance has the same fields in the same
 * order, so the readers' call sites stay monomorphic and V8 inlines the
 * methods, keeping the cursor in a field as fast as a module variable once
 * optimized.
 */
export class FieldScanner {
  /** The line being scanned. */
  line = '';
  /** Index of the next field's first character; `line.length + 1` once the last field is taken. */
  at = 0;
  /** Nanoseconds (0 to 999,999,999) of the last {@link seconds} that did not return BAD. */
  ns = 0;
  /** Character code that ends a field ({@link COMMA}, {@link SPACE}). */
  readonly sep: number;

  constructor(sep: number) {
    this.sep = sep;
  }

  /** Scan `line` from its first field. */
  start(line: string): void {
    this.line = line;
    this.at = 0;
  }

  /** True when the fields taken so far are the whole line: none missing, none left over. */
  done(): boolean {
    return this.at === this.line.length + 1;
  }

  /**
   * An unsigned decimal integer: digits only, at most Number.MAX_SAFE_INTEGER.
   * @returns its value, or BAD (empty, any non-digit including spaces and signs, too large).
   */
  uint(): number {
    const { line, sep, at: from } = this;
    const n = line.length;
    let i = from;
    let v = 0;
    for (; i < n; i++) {
      const c = line.charCodeAt(i);
      if (c === sep) break;
      if (c < 48 || c > 57) return -1;
      v = v * 10 + (c - 48);
    }
    if (i === from || v > 9007199254740991) return -1;
    this.at = i + 1;
    return v;
  }

  /**
   * A non-negative decimal with at most `digits` fraction digits (`12`,
   * `0.221`), as an integer count of 10^-digits units: with digits = 6,
   * `0.221` (ms) gives 221000 (ns). Exact, no float rounding.
   * @returns that count, or BAD (empty, a leading or trailing point, more
   * than `digits` fraction digits, any other character, too large).
   */
  fixed(digits: number): number {
    const { line, sep, at: from } = this;
    const n = line.length;
    let i = from;
    let v = 0;
    let frac = -1; // fraction digits seen; -1 before the point
    for (; i < n; i++) {
      const c = line.charCodeAt(i);
      if (c === sep) break;
      if (c === 46 /* . */ && frac < 0 && i > from) {
        frac = 0;
        continue;
      }
      if (c < 48 || c > 57 || frac >= digits) return -1;
      v = v * 10 + (c - 48);
      if (frac >= 0) frac++;
    }
    if (i === from || frac === 0) return -1;
    for (let k = Math.max(frac, 0); k < digits; k++) v *= 10;
    if (v > 9007199254740991) return -1;
    this.at = i + 1;
    return v;
  }

  /**
   * Seconds as `whole` or `whole.fraction` with 1 to 9 fraction digits
   * (`1456095145.133076000`, `0.5`, `12`), split so that epoch times stay
   * exact: the fraction's nanoseconds are left in {@link ns}.
   * @returns the whole seconds, or BAD (empty, a point with no digit after
   * it, more than 9 fraction digits, any other character, too large); on
   * BAD, {@link ns} keeps its previous value.
   */
  seconds(): number {
    const { line, sep, at: from } = this;
    const n = line.length;
    let i = from;
    let s = 0;
    for (; i < n; i++) {
      const c = line.charCodeAt(i);
      if (c === 46 /* . */ || c === sep) break;
      if (c < 48 || c > 57) return -1;
      s = s * 10 + (c - 48);
    }
    if (i === from || s > 9007199254740991) return -1;
    let ns = 0;
    let digits = 0;
    if (line.charCodeAt(i) === 46) {
      for (i++; i < n; i++) {
        const c = line.charCodeAt(i);
        if (c === sep) break;
        if (c < 48 || c > 57 || digits === 9) return -1;
        ns = ns * 10 + (c - 48);
        digits++;
      }
      if (digits === 0) return -1;
    }
    for (; digits < 9; digits++) ns *= 10;
    this.ns = ns;
    this.at = i + 1;
    return s;
  }

  /**
   * A one-character field (an I/O type letter such as `R` or `W`).
   * @returns its character code, or BAD (empty, or longer than one character).
   */
  char(): number {
    const line = this.line;
    const i = this.at;
    const c = line.charCodeAt(i);
    if (i >= line.length || c === this.sep || (i + 1 < line.length && line.charCodeAt(i + 1) !== this.sep)) return -1;
    this.at = i + 2;
    return c;
  }

  /**
   * A SCSI opcode in lower-case hex when it is READ(10) `28` or WRITE(10) `2a`.
   * @returns 0x28 or 0x2a, or BAD for any other spelling or opcode (which the
   * exact parser reads, so that the reader can skip the row with its warning).
   */
  scsiReadWrite(): number {
    const line = this.line;
    const i = this.at;
    if (line.charCodeAt(i) !== 50 /* 2 */ || (i + 2 !== line.length && line.charCodeAt(i + 2) !== this.sep)) return -1;
    const c = line.charCodeAt(i + 1);
    const op = c === 56 /* 8 */ ? 0x28 : c === 97 /* a */ ? 0x2a : -1;
    if (op !== -1) this.at = i + 3;
    return op;
  }
}

/** A reader's exact parser of one line: the request, arrival in the reader's own unit and origin. @throws ParseError */
export type ExactRow = (line: string, file: string, lineNo: number) => IoRequest;
/** A reader's fast path over one line: the request as {@link ExactRow} gives it, or null to leave the line to the exact parser. */
export type FastRow = (scan: FieldScanner, line: string) => IoRequest | null;

/**
 * The `parser` of a {@link LineFormatSpec} whose arrivals count from the
 * first row: each line goes to `fast` with a scanner over `sep`-separated
 * fields (one scanner per file), and to `exact` when that gives null; the
 * arrival is then made relative to the first row's and multiplied by `toNs`
 * (1 when the readers already give nanoseconds).
 */
export function relativeArrivals(sep: number, toNs: number, fast: FastRow, exact: ExactRow): (source: TraceSource) => (line: string, lineNo: number) => IoRequest {
  return (source) => {
    const file = source.file;
    const scan = new FieldScanner(sep);
    let first: number | undefined;
    return (line, lineNo) => {
      const request = fast(scan, line) ?? exact(line, file, lineNo);
      first ??= request.arrivalNs;
      request.arrivalNs = (request.arrivalNs - first) * toNs;
      return request;
    };
  };
}

/** One file's data lines, for {@link headedFormat}. */
export interface HeadedRows {
  /** The request of a data line, or null to skip it (never called for empty lines). @throws ParseError */
  parse(line: string, lineNo: number): IoRequest | null;
  /** After the last line: give the file's summary warnings, and return what to say if it had no requests. */
  end(): string;
}

/** A text trace format whose first non-blank line must be a header line. */
export interface HeadedFormatSpec {
  name: string;
  description: string;
  /** The header line as messages quote it. */
  header: string;
  /** How a missing header is said: `missing header line '<header>'`, with `: the file has no lines` or ` (found '<line>')` after it. */
  missingHeader: string;
  /** Is this non-blank line the header? */
  isHeader(line: string): boolean;
  /** For sniffing a file whose first line is not the header: why it is another format, or null to go on to {@link isRow}. */
  otherFormat?(line: string): string | null;
  /** For sniffing: is this first line a data row (then the file is claimed, so that reading it names the missing header)? */
  isRow(line: string): boolean;
  /** What the warning says goes back in time: `rows`, `timestamps`. */
  unsorted: string;
  /** A fresh reader of one file's data lines. */
  rows(source: TraceSource): HeadedRows;
}

/**
 * Builds a {@link TraceFormat} for a text trace with a header line: sniffs
 * the header (or a headerless data row, to name the missing header), skips
 * blank lines, requires the header before the data, streams the data lines
 * through `spec.rows`, and warns once when requests go back in time (the
 * schedule sorts them). @throws ParseError for a missing header or no data
 */
export function headedFormat(spec: HeadedFormatSpec): TraceFormat {
  const format: TraceFormat = {
    name: spec.name,
    description: spec.description,
    sniff(source) {
      if (!source.looksLikeText()) return 'not text';
      const lines = source.headLines(8);
      if (lines.length === 0) return 'no lines';
      const first = lines[0];
      if (spec.isHeader(first)) return null;
      const other = spec.otherFormat?.(first);
      if (other) return other;
      return spec.isRow(first) ? null : `no '${spec.header}' header line`;
    },
    async *read(source) {
      for await (const batch of format.readBatches!(source)) yield* batch;
    },
    async *readBatches(source) {
      const file = source.file;
      const rows = spec.rows(source);
      let headerLine = 0;
      let count = 0;
      let last = -Infinity;
      let warned = false;
      for await (const batch of source.lineBatches()) {
        const out: IoRequest[] = [];
        for (let i = 0; i < batch.lines.length; i++) {
          const line = batch.lines[i];
          if (line.length === 0) continue;
          const n = batch.first + i;
          if (headerLine === 0) {
            if (line.trim() === '') continue;
            if (!spec.isHeader(line)) throw new ParseError(file, n, 'header', `${spec.missingHeader} (found '${line.slice(0, 60)}')`);
            headerLine = n;
            continue;
          }
          const request = rows.parse(line, n);
          if (request === null) continue;
          if (request.arrivalNs < last && !warned) {
            warned = true;
            source.warn(`line ${n}: ${spec.unsorted} go back in time (first here); replayed sorted by time`);
          }
          if (request.arrivalNs > last) last = request.arrivalNs;
          count++;
          out.push(request);
        }
        if (out.length > 0) yield out;
      }
      const empty = rows.end();
      if (headerLine === 0) throw new ParseError(file, 1, 'header', `${spec.missingHeader}: the file has no lines`);
      if (count === 0) throw new ParseError(file, headerLine, 'header', empty);
    },
  };
  return format;
}

/**
 * {@link headedFormat} for a CSV trace: the header line is `header`'s
 * comma-separated names (any letter case, spaces around them allowed), a
 * first line matching `row` is a data row with the header missing, and
 * `rows` reads the data rows.
 */
export function headedCsv({ name, description, header, row, rows }: { name: string; description: string; header: string; row: RegExp; rows: HeadedFormatSpec['rows'] }): TraceFormat {
  const names = header.split(',').map((field) => field.replace(/\W/g, '\\$&'));
  const headerRe = new RegExp(`^\\s*${names.join('\\s*,\\s*')}\\s*$`, 'i');
  return headedFormat({
    name,
    description,
    header,
    missingHeader: `missing header line '${header}'`,
    isHeader: (line) => headerRe.test(line),
    isRow: (line) => row.test(line),
    unsorted: 'rows',
    rows,
  });
}
