/**
 * Builds a {@link TraceFormat} for line-oriented text traces from a line
 * sniffer and a line parser: skips an optional header line, streams the
 * rest, checks each request's ranges (workloads/limits.ts), and warns once
 * when rows go back in time (the schedule sorts them).
 */
import { type RequestFields, checkRequest } from '../limits.js';
import type { TraceSource } from './trace-source.js';
import type { IoRequest } from '../types.js';
import type { TraceFormat } from './format.js';

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
  /** A fresh per-file parser: a request, or null to skip the line. @throws ParseError */
  parser(source: TraceSource): (line: string, lineNo: number) => IoRequest | null;
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
      const parse = spec.parser(source);
      const comment = spec.comment;
      let headerPending = spec.header !== undefined;
      let last = -Infinity;
      let warned = false;
      for await (const { first, lines } of source.lineBatches()) {
        const out: IoRequest[] = [];
        for (let i = 0; i < lines.length; i++) {
          const line = lines[i];
          if (line.length === 0 || comment?.test(line) || line.trim() === '') continue;
          if (headerPending) {
            headerPending = false;
            if (spec.header!.test(line)) continue;
          }
          const request = parse(line, first + i);
          if (!request) continue;
          checkRequest(request, source.file, first + i, spec.fields);
          if (request.arrivalNs < last && !warned) {
            warned = true;
            source.warn(`line ${first + i}: rows go back in time (first here); replayed sorted by time`);
          }
          if (request.arrivalNs > last) last = request.arrivalNs;
          out.push(request);
        }
        if (out.length) yield out;
      }
    },
  };
}
