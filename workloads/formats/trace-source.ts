/**
 * A trace file opened for streaming: text lines or binary chunks, gunzipped
 * transparently (gzip magic 1f 8b), plus the first bytes and lines for format
 * detection, and a warning channel (each warning names file and line).
 */
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { createGunzip, gunzipSync } from 'node:zlib';
import { InputError, ParseError } from '../../src/base/errors.js';

/** Longest line a text trace may have, characters: 1 MiB (real trace lines are under 200). */
const MAX_LINE_CHARS = 1 << 20;
/** Bytes read for format detection. */
const HEAD_BYTES = 64 * 1024;

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

  /** Decompressed binary chunks. @throws InputError on a gzip error. */
  async *chunks(): AsyncGenerator<Buffer> {
    try {
      for await (const chunk of this.stream()) yield chunk as Buffer;
    } catch (err) {
      throw new InputError(`${this.file}: read error: ${(err as Error).message}`);
    }
  }

  /**
   * The lines in batches (one per read chunk), for readers that parse many
   * lines per await: `first` is the 1-based number of `lines[0]`. Text is read
   * as latin1 (traces are ASCII), a trailing CR is dropped.
   * @throws InputError on a gzip error.
   */
  async *lineBatches(): AsyncGenerator<{ first: number; lines: string[] }> {
    let rest = '';
    let next = 1;
    try {
      for await (const chunk of this.stream()) {
        const text = rest + (chunk as Buffer).toString('latin1');
        const lines: string[] = [];
        let pos = 0;
        for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', pos)) {
          lines.push(text.charCodeAt(nl - 1) === 13 ? text.slice(pos, nl - 1) : text.slice(pos, nl));
          pos = nl + 1;
        }
        rest = text.slice(pos);
        if (rest.length > MAX_LINE_CHARS) throw new ParseError(this.file, next + lines.length, 'line', `longer than ${MAX_LINE_CHARS / 2 ** 20} MiB without a line break: not a text trace`);
        if (lines.length) {
          yield { first: next, lines };
          next += lines.length;
        }
      }
    } catch (err) {
      if (err instanceof InputError) throw err;
      throw new InputError(`${this.file}: read error after line ${next - 1}: ${(err as Error).message}`);
    }
    if (rest !== '') yield { first: next, lines: [rest.endsWith('\r') ? rest.slice(0, -1) : rest] };
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
