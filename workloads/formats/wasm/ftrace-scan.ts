/**
 * The ftrace reader's fast path in WebAssembly (ftrace-scan.wat beside this
 * file): a piece of the trace (whole lines) is copied into the module's
 * memory once, then each line is read there. On the repeated bench:parse
 * trace (140-byte events) it reads 1.2 to 1.5x as many lines a second as
 * the JavaScript byte loop it replaced (docs/self-benchmarks.md).
 */
import { FTRACE_SCAN_WASM_BASE64 } from './ftrace-scan-bytes.js';

/** Where the lines start in the module's memory (below: the results of the last line). */
const LINE_BASE = 64;
/** Bytes past a piece's end that the module may read (its word compares load up to 8 bytes at once). */
const SLACK = 16;
const PAGE = 65536;

interface Exports {
  memory: WebAssembly.Memory;
  bounced(from: number, end: number): number;
  names_bounced(from: number, end: number): number;
}

let compiled: WebAssembly.Module | undefined;

/** What `bounced` found on an event line. */
export interface BouncedFields {
  /** Whole seconds of the timestamp. */
  seconds: number;
  /** Its first 9 fraction digits, zero-padded (ns). */
  fractionNs: number;
  cpu: number;
  /** Bytes. */
  size: number;
  /** dev_addr's in-page offset (its last 3 hex digits; 0 for an all-ones address), bytes. */
  offset: number;
  forced: boolean;
}

/** One reader's scanner: its own instance and memory. */
export class FtraceScanner {
  private readonly x: Exports;
  private bytes!: Uint8Array;
  private f64!: Float64Array;
  private i32!: Int32Array;
  /** Index in the caller's buffer of the piece's first byte (the module holds it at LINE_BASE). */
  private base = 0;
  /** The piece, as indexes of the caller's buffer: lines outside it are not in the module's memory. */
  private start = 0;
  private stop = 0;
  /** The last event's fields (valid after `bounced` returned EVENT). */
  readonly fields: BouncedFields = { seconds: 0, fractionNs: 0, cpu: 0, size: 0, offset: 0, forced: false };

  constructor() {
    compiled ??= new WebAssembly.Module(Buffer.from(FTRACE_SCAN_WASM_BASE64, 'base64'));
    this.x = new WebAssembly.Instance(compiled, {}).exports as unknown as Exports;
    this.viewMemory();
  }

  /** The views of the module's memory (made again after it grows: growing detaches the old buffer). */
  private viewMemory(): void {
    const buffer = this.x.memory.buffer;
    this.bytes = new Uint8Array(buffer);
    this.f64 = new Float64Array(buffer, 0, 3);
    this.i32 = new Int32Array(buffer, 24, 3);
  }

  /** Copy `b[start, stop)` (whole lines) in; later calls take indexes of `b`. */
  piece(b: Uint8Array, start: number, stop: number): void {
    const need = LINE_BASE + stop - start + SLACK;
    if (need > this.bytes.length) {
      this.x.memory.grow(Math.ceil((need - this.bytes.length) / PAGE));
      this.viewMemory();
    }
    this.bytes.set(b.subarray(start, stop), LINE_BASE);
    this.bytes.fill(0, LINE_BASE + stop - start, LINE_BASE + stop - start + SLACK);
    this.base = start - LINE_BASE;
    this.start = start;
    this.stop = stop;
  }

  /** The line `b[from, end)` of the current piece: EVENT (its fields in `fields`), COMMENT, or NOT_PLAIN (for the exact parser, also for a line outside the piece). */
  bounced(from: number, end: number): number {
    if (from < this.start || end > this.stop) return NOT_PLAIN;
    const r = this.x.bounced(from - this.base, end - this.base);
    if (r === EVENT) {
      const f = this.fields;
      f.seconds = this.f64[0];
      f.cpu = this.f64[1];
      f.size = this.f64[2];
      f.fractionNs = this.i32[0];
      f.offset = this.i32[1];
      f.forced = this.i32[2] === 1;
    }
    return r;
  }

  /** Does the line `b[from, end)` contain "swiotlb_bounced" anywhere (String.includes)? */
  namesBounced(from: number, end: number): boolean {
    if (from < this.start || end > this.stop) throw new RangeError(`line [${from}, ${end}) is outside the piece [${this.start}, ${this.stop})`);
    return this.x.names_bounced(from - this.base, end - this.base) === 1;
  }
}

/** `bounced` results. */
export const NOT_PLAIN = 0;
export const EVENT = 1;
export const COMMENT = 2;
