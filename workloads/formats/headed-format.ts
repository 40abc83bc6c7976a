/**
 * The skeletons of the line-oriented block-trace readers:
 * - {@link relativeArrivals}, the lineFormat parser that tries the fast path
 *   (scan.ts), falls back to the reader's exact parser and counts time from
 *   the first row;
 * - {@link headedFormat} and {@link headedCsv}, a text trace that must start
 *   with a header line (what lineFormat in line-format.ts is for headerless ones).
 */
import { ParseError } from '../../src/base/errors.js';
import { type RequestFields, checkRequest } from '../limits.js';
import type { IoRequest } from '../types.js';
import { BATCH, type TraceFormat } from './format.js';
import { type FastLine, type FastLineParser, SKIP } from './line-format.js';
import { FieldScanner } from './scan.js';
import type { TraceSource } from './trace-source.js';

/** A reader's exact parser of one line: the request, arrival in the reader's own unit and origin. @throws ParseError */
export type ExactRow = (line: string, file: string, lineNo: number) => IoRequest;
/**
 * A reader's fast path over one line, given a scanner started on it: the
 * request as {@link ExactRow} gives it, or null to leave the line to the
 * exact parser.
 */
export type FastRow = (scan: FieldScanner) => IoRequest | null;

/**
 * The `parser` of a {@link LineFormatSpec} whose arrivals count from the
 * first row: each line goes to `fast` with a scanner over `sep`-separated
 * fields (one scanner per file), and to `exact` when that gives null; the
 * arrival is then made relative to the first row's and multiplied by `toNs`
 * (1 when the readers already give nanoseconds).
 */
export function relativeArrivals(sep: number, toNs: number, fast: FastRow, exact: ExactRow): (source: TraceSource) => FastLineParser {
  return (source) => {
    const file = source.file;
    const scan = new FieldScanner(sep);
    let first: number | undefined;
    const relative = (request: IoRequest): IoRequest => {
      first ??= request.arrivalNs;
      request.arrivalNs = (request.arrivalNs - first) * toNs;
      return request;
    };
    return {
      fast(bytes, from, end) {
        scan.start(bytes, from, end);
        const request = fast(scan);
        return request === null ? null : relative(request);
      },
      parse: (line, lineNo) => relative(exact(line, file, lineNo)),
    };
  };
}

/** One file's data lines, for {@link headedFormat}. */
export interface HeadedRows {
  /** The fast path over the data lines after the header (see {@link FastLine}); `parse` gets the lines it leaves. */
  fast?: FastLine;
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
  /** What the format calls the fields of a request, for out-of-range messages (workloads/limits.ts). */
  fields?: RequestFields;
  /** The format's timestamps are whole seconds (see TraceFormat). */
  wholeSecondTimestamps?: boolean;
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
    wholeSecondTimestamps: spec.wholeSecondTimestamps,
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
      const fast = rows.fast;
      for await (const cursor of source.lineBytes()) {
        let out: IoRequest[] = [];
        while (cursor.next()) {
          // The fast path reads a data line's bytes in place; the others are made strings.
          let request = fast !== undefined && headerLine !== 0 ? fast(cursor.bytes, cursor.from, cursor.end) : null;
          if (request === SKIP) continue;
          const n = cursor.lineNo;
          if (request === null) {
            const line = cursor.line();
            if (line.length === 0) continue;
            if (headerLine === 0) {
              if (line.trim() === '') continue;
              if (!spec.isHeader(line)) throw new ParseError(file, n, 'header', `${spec.missingHeader} (found '${line.slice(0, 60)}')`);
              headerLine = n;
              continue;
            }
            request = rows.parse(line, n);
            if (request === null) continue;
          }
          checkRequest(request, file, n, spec.fields);
          if (request.arrivalNs < last && !warned) {
            warned = true;
            source.warn(`line ${n}: ${spec.unsorted} go back in time (first here); replayed sorted by time`);
          }
          if (request.arrivalNs > last) last = request.arrivalNs;
          count++;
          if (out.push(request) === BATCH) {
            yield out;
            out = [];
          }
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
export function headedCsv({ name, description, header, row, rows, fields, wholeSecondTimestamps }: { name: string; description: string; header: string; row: RegExp; rows: HeadedFormatSpec['rows']; fields?: RequestFields; wholeSecondTimestamps?: boolean }): TraceFormat {
  const names = header.split(',').map((field) => field.replace(/\W/g, '\\$&'));
  const headerRe = new RegExp(`^\\s*${names.join('\\s*,\\s*')}\\s*$`, 'i');
  return headedFormat({
    name,
    description,
    fields,
    wholeSecondTimestamps,
    header,
    missingHeader: `missing header line '${header}'`,
    isHeader: (line) => headerRe.test(line),
    isRow: (line) => row.test(line),
    unsorted: 'rows',
    rows,
  });
}
