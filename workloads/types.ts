/** Shapes shared by trace readers, generators and the replay schedule. */

/** One block I/O request, from a trace or a generator. */
export interface IoRequest {
  /** Submission time, ns from the start of the trace. */
  arrivalNs: number;
  /** Byte offset on the device (its low bits become the buffer's in-page offset). */
  offset: number;
  /** Bytes transferred. */
  size: number;
  /** true for a write (DMA_TO_DEVICE), false for a read (DMA_FROM_DEVICE). */
  write: boolean;
  /** Completion latency from the trace, ns, when it has one. */
  responseNs?: number;
  /** Submitting CPU chosen by a generator; traces leave it to the schedule. */
  cpu?: number;
}

/** A trace file format: recognises and parses one line at a time. */
export interface TraceFormat {
  readonly name: string;
  readonly description: string;
  /** Returns null when `line` looks like this format, else why not. */
  sniff(line: string): string | null;
  /** A fresh per-file parser; returns null for lines to skip (blank, comment). @throws ParseError */
  parser(file: string): (line: string, lineNo: number) => IoRequest | null;
}
