/**
 * A trace file opened for streaming: text lines or binary chunks, gunzipped
 * transparently (gzip magic 1f 8b), plus the first bytes and lines for format
 * detection, and a warning channel (each warning names file and line).
 */
import { closeSync, createReadStream, openSync, readSync } from 'node:fs';
import { open } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { createGunzip, gunzipSync } from 'node:zlib';
import { InputError, ParseError } from '../../src/base/errors.js';

/** Longest line a text trace may have, characters: 1 MiB (real trace lines are under 200). */
const MAX_LINE_CHARS = 1 << 20;
/** Bytes read for format detection. */
const HEAD_BYTES = 64 * 1024;
/**
 * Bytes per read of an uncompressed file by the readers (see {@link TraceSource.chunks}):
 * a read stream's default, and a buffer that stays in the CPU's cache (256
 * KiB read pcap a quarter slower here). Not over MAX_LINE_CHARS, so that
 * every line before an over-long one is still read first.
 */
const READ_BYTES = 64 * 1024;

export class TraceSource {
  /** Warnings raised while reading (shown once each, kept in summary.json). */
  readonly warnings: string[] = [];

  private constructor(readonly file: string, readonly gzip: boolean, readonly head: Buffer) {}

  /** Open `file` and read its head. @throws InputError when it cannot be read. */
  static async open(file: string): Promise<TraceSource> {
    let raw: Buffer;
    try {
      const fh = await open(file, 'r');
      try {
        const buf = Buffer.alloc(HEAD_BYTES);
        const { bytesRead } = await fh.read(buf, 0, HEAD_BYTES, 0);
        raw = buf.subarray(0, bytesRead);
      } finally {
        await fh.close();
      }
    } catch (err) {
      throw new InputError(`${file}: cannot read: ${(err as Error).message}`);
    }
    const gzip = raw.length >= 2 && raw[0] === 0x1f && raw[1] === 0x8b;
    let head = raw;
    if (gzip) {
      try {
        head = gunzipSync(raw, { finishFlush: 2 /* Z_SYNC_FLUSH: a truncated head is fine */ });
      } catch (err) {
        throw new InputError(`${file}: byte offset 0: gzip data is corrupt: ${(err as Error).message}`);
      }
    }
    return new TraceSource(file, gzip, head);
  }

  /** The first complete lines of the head (for text-format detection), without blank lines. */
  headLines(max = 20): string[] {
    const text = this.head.toString('latin1');
    const lines = text.split(/\r?\n/);
    if (this.head.length === HEAD_BYTES) lines.pop(); // the last one may be cut
    return lines.filter((l) => l.trim() !== '').slice(0, max);
  }

  /** True when the head looks like text (no NUL bytes, mostly printable). */
  looksLikeText(): boolean {
    const h = this.head.subarray(0, 4096);
    let odd = 0;
    for (const b of h) {
      if (b === 0) return false;
      if (b < 9 || (b > 13 && b < 32)) odd++;
    }
    return odd <= h.length / 100;
  }

  /** The decompressed byte stream. */
  stream(): Readable {
    const s = createReadStream(this.file);
    if (!this.gzip) return s;
    const z = createGunzip();
    s.on('error', (err) => z.destroy(err));
    return s.pipe(z);
  }

  /**
   * Decompressed binary chunks. The next chunk may overwrite this one's
   * bytes (one buffer is reused): copy what must outlive it.
   * @throws InputError on a read or gzip error.
   */
  async *chunks(): AsyncGenerator<Buffer> {
    try {
      for await (const chunk of this.gzip ? this.stream() : this.plainChunks()) yield chunk as Buffer;
    } catch (err) {
      throw new InputError(`${this.file}: read error: ${(err as Error).message}`);
    }
  }

  /**
   * An uncompressed file's bytes, READ_BYTES at a time into one reused
   * buffer, read synchronously: several times faster than a read stream,
   * with its round trips through the thread pool and a new buffer per chunk
   * (a quarter of the time for ftrace's 234 MB here); nothing else runs
   * while a trace loads.
   * @throws Error from the file system
   */
  private async *plainChunks(): AsyncGenerator<Buffer> {
    const fd = openSync(this.file, 'r');
    try {
      const buf = Buffer.allocUnsafeSlow(READ_BYTES);
      for (;;) {
        const n = readSync(fd, buf, 0, READ_BYTES, null);
        if (n === 0) return;
        yield n === READ_BYTES ? buf : buf.subarray(0, n);
      }
    } finally {
      closeSync(fd);
    }
  }

  /**
   * The bytes in pieces of whole lines (one per read chunk, plus one for a
   * line that two chunks share), walked with the {@link LineCursor} this
   * yields (one object, reused): a reader scans each line's bytes in place
   * (latin1: traces are ASCII) and makes a string only of a line it needs
   * as one. A trailing CR is left out of each line. Walk every line of a
   * piece before the next (lines left are skipped).
   * @throws InputError on a gzip error; ParseError for a line over 1 MiB.
   */
  async *lineBytes(): AsyncGenerator<LineCursor> {
    const cursor = new LineCursor();
    /** Bytes of the line the last chunk cut (a copy: the chunk's buffer is reused). */
    let rest: Buffer | null = null;
    let next = 1;
    try {
      // A gzipped file keeps the stream's chunks: where its corruption is found (the line in the error) depends on them.
      for await (const data of this.gzip ? this.stream() : this.plainChunks()) {
        const chunk = data as Buffer;
        const stop = chunk.lastIndexOf(0x0a) + 1;
        const restLength = stop === 0 ? (rest?.length ?? 0) + chunk.length : chunk.length - stop;
        if (restLength > MAX_LINE_CHARS) throw new ParseError(this.file, next + countLines(chunk, stop), 'line', `longer than ${MAX_LINE_CHARS / 2 ** 20} MiB without a line break: not a text trace`);
        if (stop === 0) {
          rest = rest ? Buffer.concat([rest, chunk]) : Buffer.from(chunk);
          continue;
        }
        let at = 0;
        if (rest) {
          at = chunk.indexOf(0x0a) + 1;
          const line = Buffer.concat([rest, chunk.subarray(0, at)]);
          rest = null;
          cursor.reset(line, 0, line.length, next);
          yield cursor;
          while (cursor.next()); // lines a reader left unwalked still count
          next = cursor.lineNo + 1;
        }
        if (at < stop) {
          cursor.reset(chunk, at, stop, next);
          yield cursor;
          while (cursor.next());
          next = cursor.lineNo + 1;
        }
        if (stop < chunk.length) rest = Buffer.from(chunk.subarray(stop));
      }
    } catch (err) {
      if (err instanceof InputError) throw err;
      throw new InputError(`${this.file}: read error after line ${next - 1}: ${(err as Error).message}`);
    }
    if (rest) {
      cursor.reset(rest, 0, rest.length, next);
      yield cursor;
    }
  }

  /**
   * The lines in batches (one per read chunk), for readers that parse many
   * lines per await: `first` is the 1-based number of `lines[0]`. As
   * {@link lineBytes}, with each line made a string.
   * @throws InputError on a gzip error; ParseError for a line over 1 MiB.
   */
  async *lineBatches(): AsyncGenerator<{ first: number; lines: string[] }> {
    for await (const cursor of this.lineBytes()) {
      const first = cursor.lineNo + 1;
      const lines: string[] = [];
      while (cursor.next()) lines.push(cursor.line());
      yield { first, lines };
    }
  }

  /** `[lineNo, line]` for every line (1-based). @throws InputError on a gzip error. */
  async *lines(): AsyncGenerator<[number, string]> {
    for await (const { first, lines } of this.lineBatches()) {
      for (let i = 0; i < lines.length; i++) yield [first + i, lines[i]];
    }
  }

  /** Record a warning once (same text twice is kept once). */
  warn(message: string): void {
    const text = `${this.file}: ${message}`;
    if (!this.warnings.includes(text)) this.warnings.push(text);
  }
}

/** Line breaks in `buf` before `stop` (only for the over-long-line error). */
function countLines(buf: Buffer, stop: number): number {
  let n = 0;
  for (let nl = buf.indexOf(0x0a); nl >= 0 && nl < stop; nl = buf.indexOf(0x0a, nl + 1)) n++;
  return n;
}

/**
 * A walk over the whole lines of one piece of a file ({@link TraceSource.lineBytes}):
 * after each {@link next} that returns true, the current line is
 * `bytes[from, end)` (line break and a CR before it left out), numbered `lineNo`.
 */
export class LineCursor {
  /** The bytes holding the piece (a chunk of the file): its lines are `bytes[start, stop)`. */
  bytes: Buffer = Buffer.alloc(0);
  /** Index of the current line's first byte. */
  from = 0;
  /** Index just past the current line's last byte. */
  end = 0;
  /** 1-based number of the current line (the one before the piece's first until {@link next}). */
  lineNo = 0;
  private pieceEnd = 0;
  private pos = 0;

  /** Index just past the piece's last line (its lines are `bytes[from after reset, stop)`). */
  get stop(): number {
    return this.pieceEnd;
  }

  /** Start a piece: its lines are `bytes[start, stop)`, the first numbered `first`. */
  reset(bytes: Buffer, start: number, stop: number, first: number): void {
    this.bytes = bytes;
    this.pieceEnd = stop;
    this.pos = start;
    this.from = this.end = start;
    this.lineNo = first - 1;
  }

  /** Move to the next line: false when the piece has no more. */
  next(): boolean {
    const pos = this.pos;
    if (pos >= this.pieceEnd) return false;
    const bytes = this.bytes;
    let nl = bytes.indexOf(0x0a, pos);
    if (nl < 0 || nl >= this.pieceEnd) nl = this.pieceEnd; // the file's last line, without a line break
    this.from = pos;
    this.end = nl > pos && bytes[nl - 1] === 13 ? nl - 1 : nl;
    this.pos = nl + 1;
    this.lineNo++;
    return true;
  }

  /** The current line as a string (latin1). */
  line(): string {
    return this.bytes.toString('latin1', this.from, this.end);
  }
}
