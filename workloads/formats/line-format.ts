/**
 * Builds a {@link TraceFormat} for line-oriented text traces from a line
 * sniffer and a line parser: skips an optional header line, streams the
 * rest, checks each request's ranges (workloads/limits.ts), and warns once
 * when rows go back in time (the schedule sorts them).
 */
import { type RequestFields, checkRequest } from '../limits.js';
import type { TraceSource } from './trace-source.js';
import type { IoRequest } from '../types.js';
import { BATCH, type TraceFormat } from './format.js';

/** A per-file line parser: a request, or null to skip the line. @throws ParseError */
export type LineParser = (line: string, lineNo: number) => IoRequest | null;

/** What a fast path returns for a line that its exact parser would skip (with the same side effects, e.g. a warning). */
export const SKIP = false;

/**
 * A fast path over the line `bytes[from, end)` (latin1; read in place, or
 * in the copy its parser's `piece` took of the piece holding the line):
 * the request the exact parser gives for it, {@link SKIP}, or null to leave
 * the line to the exact parser, which then sees it as if there were no fast
 * path (so a fast path changes no state unless it returns a request or SKIP).
 * It never throws and is never given a header line.
 */
export type FastLine = (bytes: Uint8Array, from: number, end: number) => IoRequest | typeof SKIP | null;

/** A per-file parser with a fast path: `fast` first, `parse` for the lines it leaves. */
export interface FastLineParser {
  fast: FastLine;
  parse: LineParser;
  /** Called (unbound) with each piece of whole lines `bytes[start, stop)` before `fast` sees its lines: a fast path that reads a copy takes it here, and then reads only lines of the last piece. */
  piece?: (bytes: Uint8Array, start: number, stop: number) => void;
}

export interface LineFormatSpec {
  name: string;
  /** The format's timestamps are whole seconds (see TraceFormat). */
  wholeSecondTimestamps?: boolean;
  description: string;
  /** A header line to skip (tested on the first non-blank line). */
  header?: RegExp;
  /** Lines to ignore anywhere (comments). */
  comment?: RegExp;
  /** null when a data line looks like this format, else why not. */
  sniffLine(line: string): string | null;
  /** What the format calls the fields of a request, for out-of-range messages (workloads/limits.ts). */
  fields?: RequestFields;
  /** A fresh per-file parser, with or without a fast path. */
  parser(source: TraceSource): LineParser | FastLineParser;
}

/** A {@link TraceFormat} from a line sniffer and a per-file line parser (see the module comment). */
export function lineFormat(spec: LineFormatSpec): TraceFormat {
  return {
    name: spec.name,
    description: spec.description,
    wholeSecondTimestamps: spec.wholeSecondTimestamps,
    sniff(source) {
      if (!source.looksLikeText()) return 'not text';
      let lines = source.headLines(64);
      if (spec.comment) lines = lines.filter((l) => !spec.comment!.test(l));
      if (lines.length === 0) return 'no data lines';
      if (spec.header) {
        if (!spec.header.test(lines[0])) return `no '${spec.header.source}' header line`;
        lines = lines.slice(1);
        if (lines.length === 0) return 'header but no data lines';
      }
      return spec.sniffLine(lines[0]);
    },
    async *read(source) {
      for await (const batch of this.readBatches!(source)) yield* batch;
    },
    async *readBatches(source) {
      const p = spec.parser(source);
      const parse = typeof p === 'function' ? p : p.parse;
      const fast = typeof p === 'function' ? undefined : p.fast;
      const piece = typeof p === 'function' ? undefined : p.piece;
      const { file } = source;
      const { comment, fields } = spec;
      let headerPending = spec.header !== undefined;
      let last = -Infinity;
      let warned = false;
      for await (const cursor of source.lineBytes()) {
        let out: IoRequest[] = [];
        piece?.(cursor.bytes, cursor.from, cursor.stop);
        while (cursor.next()) {
          // The fast path reads the line's bytes in place; the others are made strings.
          let request = fast !== undefined && !headerPending ? fast(cursor.bytes, cursor.from, cursor.end) : null;
          if (request === SKIP) continue;
          const n = cursor.lineNo;
          if (request === null) {
            const line = cursor.line();
            if (line.length === 0 || comment?.test(line) || line.trim() === '') continue;
            if (headerPending) {
              headerPending = false;
              if (spec.header!.test(line)) continue;
            }
            request = parse(line, n);
            if (!request) continue;
          }
          checkRequest(request, file, n, fields);
          if (request.arrivalNs < last && !warned) {
            warned = true;
            source.warn(`line ${n}: rows go back in time (first here); replayed sorted by time`);
          }
          if (request.arrivalNs > last) last = request.arrivalNs;
          if (out.push(request) === BATCH) {
            yield out;
            out = [];
          }
        }
        if (out.length) yield out;
      }
    },
  };
}
