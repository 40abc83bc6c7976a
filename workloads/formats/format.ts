/** What every trace reader implements (one file each in this folder; registered in index.ts). */
import type { IoRequest } from '../types.js';
import type { TraceSource } from './trace-source.js';

/** Most requests a reader's readBatches yields at once: bounds the live memory of a batch (about 100 KiB) whatever the chunk size. */
export const BATCH = 1024;

/** A trace file format: recognises a file from its head and streams its requests. */
export interface TraceFormat {
  /** Short name for `--format` and messages. */
  readonly name: string;
  /** Its timestamps are whole seconds, so one second's requests arrive at one instant (workloads/whole-seconds.ts). */
  readonly wholeSecondTimestamps?: boolean;
  readonly description: string;
  /** Returns null when the file's head looks like this format, else why not (one short clause). */
  sniff(source: TraceSource): string | null;
  /**
   * Stream the requests in file order; memory stays bounded (no whole-file
   * buffers). Recoverable oddities go to `source.warn`.
   * @throws ParseError naming file, line (or byte offset) and field.
   */
  read(source: TraceSource): AsyncGenerator<IoRequest>;
  /** The same requests in batches (one await per batch instead of per request): optional, faster. */
  readBatches?(source: TraceSource): AsyncGenerator<IoRequest[]>;
}
