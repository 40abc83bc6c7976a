/**
 * CloudPhysics vSCSI v1 binary trace (libCacheSim's cloudPhysicsIO.vscsi):
 * 32-byte little-endian records
 *
 *   @0 u32 sn   @4 u32 len (bytes)   @8 u32 nSG   @12 u16 cmd (SCSI opcode)
 *   @14 u16 ver (0x0100)   @16 u64 lbn (512-byte sectors)   @24 u64 ts (µs)
 *
 * (shared/traces/cloudphysics-vscsi/PROVENANCE.md). Each request carries its
 * scatter-gather count, yielded as `segments` (the schedule maps it as that
 * many mappings). Read in chunks with partial records carried across chunk
 * boundaries; a trailing partial record is an error naming its byte offset.
 * Records with opcodes other than READ(10)/WRITE(10) are skipped, with one
 * warning. Arrivals are relative to the first record.
 */
import { ParseError } from '../../src/base/errors.js';
import type { TraceSource } from './trace-source.js';
import type { IoRequest } from '../types.js';
import { MAX_REQUEST_BYTES } from '../limits.js';
import { BATCH, type TraceFormat } from './format.js';

const RECORD = 32;
const VERSION_1 = 0x0100;
/** Most scatter-gather segments a request may have (each becomes a mapping): the SCSI layer's sg limits are far below. */
const MAX_SEGMENTS = 65_535;
const READ_10 = 0x28;
const WRITE_10 = 0x2a;
const SECTOR = 512;
const NS_PER_US = 1000;
const TWO_32 = 2 ** 32;
/** Largest high word of a u64 that still gives a safe integer. */
const MAX_HIGH = 2 ** 21 - 1;

const hex = (v: number, digits: number) => `0x${v.toString(16).padStart(digits, '0')}`;

/** Reads records in order and keeps the little state the stream needs. */
class VscsiDecoder {
  /** Records decoded so far (the next one's index). */
  index = 0;
  private first = 0;
  private last = -Infinity;
  private yielded = 0;
  private warned = false;
  skipped = 0;
  firstSkip = '';

  constructor(private readonly source: TraceSource) {}

  /** The request of the record at `buf[at..at+32)`, or null when it is skipped. @throws ParseError */
  decode(buf: Buffer, at: number): IoRequest | null {
    const n = ++this.index;
    const ver = buf.readUInt16LE(at + 14);
    if (ver !== VERSION_1) throw this.error(n, 'ver', `${hex(ver, 4)} is not ${hex(VERSION_1, 4)} (vSCSI v1) in the ${where(n)}`);
    const cmd = buf.readUInt16LE(at + 12);
    if (cmd !== READ_10 && cmd !== WRITE_10) {
      if (this.skipped++ === 0) this.firstSkip = `record ${n} (byte offset ${(n - 1) * RECORD}), opcode ${hex(cmd, 2)}`;
      return null;
    }
    const len = buf.readUInt32LE(at + 4);
    if (len === 0) throw this.error(n, 'len', `must be greater than 0 (${where(n)})`);
    if (len > MAX_REQUEST_BYTES) throw this.error(n, 'len', `${len} bytes is out of range: a request is at most ${MAX_REQUEST_BYTES} bytes (1 GiB) (${where(n)})`);
    const nsg = buf.readUInt32LE(at + 8);
    if (nsg === 0) throw this.error(n, 'nSG', `must be greater than 0 (${where(n)})`);
    if (nsg > MAX_SEGMENTS || nsg > len) throw this.error(n, 'nSG', `${nsg} scatter-gather segments is out of range: 1 to ${MAX_SEGMENTS}, and at most one per byte (len ${len}) (${where(n)})`);
    const lbnHigh = buf.readUInt32LE(at + 20);
    const offset = (lbnHigh * TWO_32 + buf.readUInt32LE(at + 16)) * SECTOR;
    if (lbnHigh > MAX_HIGH || !Number.isSafeInteger(offset)) throw this.error(n, 'lbn', `too large (${where(n)})`);
    const tsHigh = buf.readUInt32LE(at + 28);
    if (tsHigh > MAX_HIGH) throw this.error(n, 'ts', `too large (${where(n)})`);
    const ts = tsHigh * TWO_32 + buf.readUInt32LE(at + 24);
    if (this.yielded++ === 0) this.first = ts;
    const arrivalNs = (ts - this.first) * NS_PER_US;
    if (arrivalNs < this.last && !this.warned) {
      this.warned = true;
      this.source.warn(`record ${n}: timestamps go back in time (first here); replayed sorted by time`);
    }
    if (arrivalNs > this.last) this.last = arrivalNs;
    return { arrivalNs, offset, size: len, write: cmd === WRITE_10, segments: nsg };
  }

  /** The error of record `n`'s `field` (kept out of {@link decode}, whose every record would otherwise pay for the message). */
  private error(n: number, field: string, detail: string): ParseError {
    return new ParseError(this.source.file, n, field, detail);
  }
}

/** Where record `n` (1-based) is, for messages. */
const where = (n: number) => `record at byte offset ${(n - 1) * RECORD}`;

export const vscsiBinary: TraceFormat = {
  name: 'vscsi',
  description: 'CloudPhysics vSCSI v1 binary: 32-byte LE records sn,len(B),nSG,cmd(0x28 read, 0x2a write),ver,lbn(sectors),ts(us)',
  sniff(source) {
    if (source.looksLikeText()) return 'text, not binary vSCSI records';
    const h = source.head;
    if (h.length < RECORD) return `shorter than one ${RECORD}-byte vSCSI record`;
    const ver = h.readUInt16LE(14);
    if (ver !== VERSION_1) return `first record's version is ${hex(ver, 4)}, not 0x0100`;
    const cmd = h.readUInt16LE(12);
    if (cmd !== READ_10 && cmd !== WRITE_10) return `first record's opcode ${hex(cmd, 2)} is not READ(10) or WRITE(10)`;
    return null;
  },
  async *read(source) {
    for await (const batch of vscsiBinary.readBatches!(source)) yield* batch;
  },
  async *readBatches(source) {
    const decoder = new VscsiDecoder(source);
    /** Bytes of a record cut by a chunk boundary. */
    let carry: Buffer | null = null;
    for await (const chunk of source.chunks()) {
      let out: IoRequest[] = [];
      let at = 0;
      if (carry) {
        const need = RECORD - carry.length;
        if (chunk.length < need) {
          carry = Buffer.concat([carry, chunk]);
          continue;
        }
        const record = Buffer.concat([carry, chunk.subarray(0, need)]);
        carry = null;
        at = need;
        const r = decoder.decode(record, 0);
        if (r) out.push(r);
      }
      const end = at + Math.floor((chunk.length - at) / RECORD) * RECORD;
      for (; at < end; at += RECORD) {
        const r = decoder.decode(chunk, at);
        if (r && out.push(r) === BATCH) {
          yield out;
          out = [];
        }
      }
      if (at < chunk.length) carry = Buffer.from(chunk.subarray(at)); // a copy: the chunk's buffer is reused
      if (out.length > 0) yield out;
    }
    const file = source.file;
    if (decoder.skipped > 0) {
      source.warn(`${decoder.firstSkip}: skipped ${decoder.skipped} record(s) whose SCSI opcode is neither READ(10) 0x28 nor WRITE(10) 0x2a (no data buffer to map)`);
    }
    if (carry) {
      const n = decoder.index + 1;
      throw new ParseError(file, n, 'record', `truncated record at byte offset ${decoder.index * RECORD}: ${carry.length} of ${RECORD} bytes`);
    }
    if (decoder.index === 0) throw new ParseError(file, 1, 'record', 'no records at byte offset 0 (empty file)');
  },
};
