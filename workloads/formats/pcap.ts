/**
 * Classic libpcap files (not pcapng): magic a1b2c3d4 (microsecond) or
 * a1b23c4d (nanosecond) timestamps, in either byte order. Each frame becomes a
 * network frame of its original (wire) length, RX or TX by direction, with
 * the capture's inter-arrival times kept.
 *
 * Direction: Linux "cooked" captures (linktype 113) say it (packet type 4 =
 * outgoing). For Ethernet (1) the capturing host is taken to be the MAC
 * address seen in most of the first 256 frames; frames it sent are TX. Raw IP
 * (101, 228, 229) does the same with IP source addresses. The flow hash
 * (for RSS queue choice) covers IPv4/IPv6 addresses and TCP/UDP ports.
 *
 * No well-kept npm package reads classic pcap today (pcap-parser 0.2.1 dates
 * from 2013), so this is a small streaming reader.
 */
import { ParseError } from '../../src/base/errors.js';
import type { TraceSource } from './trace-source.js';
import type { IoRequest } from '../types.js';
import type { TraceFormat } from './format.js';

const GLOBAL_HEADER = 24;
const RECORD_HEADER = 16;
/** Frames examined to decide which address is the capturing host. */
const DIRECTION_SAMPLE = 256;
const LINKTYPE_ETHERNET = 1;
const LINKTYPE_RAW = 101;
const LINKTYPE_LINUX_SLL = 113;
const LINKTYPE_IPV4 = 228;
const LINKTYPE_IPV6 = 229;

interface PcapHeader {
  little: boolean;
  nanos: boolean;
  linktype: number;
}

function parseGlobalHeader(b: Buffer): PcapHeader | string {
  if (b.length < GLOBAL_HEADER) return 'shorter than a pcap global header';
  const le = b.readUInt32LE(0);
  const little = le === 0xa1b2c3d4 || le === 0xa1b23c4d;
  const be = b.readUInt32BE(0);
  if (!little && be !== 0xa1b2c3d4 && be !== 0xa1b23c4d) return `magic 0x${be.toString(16).padStart(8, '0')} is not a classic pcap magic`;
  const magic = little ? le : be;
  const major = little ? b.readUInt16LE(4) : b.readUInt16BE(4);
  if (major !== 2) return `pcap version ${major} (expected 2)`;
  return { little, nanos: magic === 0xa1b23c4d, linktype: little ? b.readUInt32LE(20) : b.readUInt32BE(20) };
}

/** A frame's source/destination keys (for direction) and flow hash, from its bytes. */
function frameKeys(frame: Buffer, linktype: number): { src: string; dst: string; flow: number; outgoing?: boolean } {
  let ip = 0;
  let outgoing: boolean | undefined;
  let src = '';
  let dst = '';
  if (linktype === LINKTYPE_ETHERNET && frame.length >= 14) {
    dst = frame.toString('hex', 0, 6);
    src = frame.toString('hex', 6, 12);
    let type = frame.readUInt16BE(12);
    ip = 14;
    if (type === 0x8100 && frame.length >= 18) {
      type = frame.readUInt16BE(16);
      ip = 18;
    }
    if (type !== 0x0800 && type !== 0x86dd) return { src, dst, flow: 0 };
  } else if (linktype === LINKTYPE_LINUX_SLL && frame.length >= 16) {
    outgoing = frame.readUInt16BE(0) === 4;
    ip = 16;
  } else if (linktype !== LINKTYPE_RAW && linktype !== LINKTYPE_IPV4 && linktype !== LINKTYPE_IPV6) {
    return { src, dst, flow: 0 };
  }
  const version = frame.length > ip ? frame[ip] >> 4 : 0;
  let flowBytes = '';
  let l4 = -1;
  let proto = 0;
  if (version === 4 && frame.length >= ip + 20) {
    const ihl = (frame[ip] & 0xf) * 4;
    proto = frame[ip + 9];
    const a = frame.toString('hex', ip + 12, ip + 16);
    const b = frame.toString('hex', ip + 16, ip + 20);
    if (!src) [src, dst] = [a, b];
    flowBytes = a + b;
    l4 = ip + ihl;
  } else if (version === 6 && frame.length >= ip + 40) {
    proto = frame[ip + 6];
    const a = frame.toString('hex', ip + 8, ip + 24);
    const b = frame.toString('hex', ip + 24, ip + 40);
    if (!src) [src, dst] = [a, b];
    flowBytes = a + b;
    l4 = ip + 40;
  }
  if ((proto === 6 || proto === 17) && l4 > 0 && frame.length >= l4 + 4) flowBytes += frame.toString('hex', l4, l4 + 4);
  let h = 0x811c9dc5;
  for (let i = 0; i < flowBytes.length; i++) h = Math.imul(h ^ flowBytes.charCodeAt(i), 0x01000193);
  return { src, dst, flow: h >>> 0, outgoing };
}

/** '0'-'9', 'a'-'f': the characters of a byte's hex, which frameKeys hashes. */
const HEX_CHARS = Buffer.from('0123456789abcdef', 'latin1');

/**
 * What {@link frameKeys} gives for a frame once the capturing host is known,
 * read straight from the bytes without strings (the hex that frameKeys
 * hashes is hashed digit by digit): the flow hash and whether the host sent it.
 */
class FrameFacts {
  flow = 0;
  tx = false;
  /** The host's address bytes (frameKeys' hex key decoded), or null when there is none. */
  constructor(private readonly host: Uint8Array | null) {}

  /** Read the frame `b[f, f + len)` of a capture of `linktype` into {@link flow} and {@link tx}. */
  read(b: Buffer, f: number, len: number, linktype: number): void {
    let ip = 0;
    let src = -1; // index of the source key (-1: none) and its length
    let srcLen = 0;
    let outgoing = -1; // -1: not said; else 0 or 1
    this.flow = 0;
    if (linktype === LINKTYPE_ETHERNET && len >= 14) {
      src = f + 6;
      srcLen = 6;
      let type = b.readUInt16BE(f + 12);
      ip = 14;
      if (type === 0x8100 && len >= 18) {
        type = b.readUInt16BE(f + 16);
        ip = 18;
      }
      if (type !== 0x0800 && type !== 0x86dd) return this.direction(b, src, srcLen, outgoing);
    } else if (linktype === LINKTYPE_LINUX_SLL && len >= 16) {
      outgoing = b.readUInt16BE(f) === 4 ? 1 : 0;
      ip = 16;
    } else if (linktype !== LINKTYPE_RAW && linktype !== LINKTYPE_IPV4 && linktype !== LINKTYPE_IPV6) {
      return this.direction(b, src, srcLen, outgoing);
    }
    const version = len > ip ? b[f + ip] >> 4 : 0;
    let h = 0x811c9dc5;
    let l4 = -1;
    let proto = 0;
    if (version === 4 && len >= ip + 20) {
      proto = b[f + ip + 9];
      if (src < 0) {
        src = f + ip + 12;
        srcLen = 4;
      }
      h = hashHex(h, b, f + ip + 12, f + ip + 20);
      l4 = ip + (b[f + ip] & 0xf) * 4;
    } else if (version === 6 && len >= ip + 40) {
      proto = b[f + ip + 6];
      if (src < 0) {
        src = f + ip + 8;
        srcLen = 16;
      }
      h = hashHex(h, b, f + ip + 8, f + ip + 40);
      l4 = ip + 40;
    }
    if ((proto === 6 || proto === 17) && l4 > 0 && len >= l4 + 4) h = hashHex(h, b, f + l4, f + l4 + 4);
    this.flow = h >>> 0;
    this.direction(b, src, srcLen, outgoing);
  }

  /** tx: as the frame says (`outgoing` 0 or 1), else whether its source key is the host's. */
  private direction(b: Buffer, src: number, srcLen: number, outgoing: number): void {
    const host = this.host;
    let tx = outgoing === 1;
    if (outgoing < 0) {
      tx = host !== null && src >= 0 && srcLen === host.length;
      for (let k = 0; tx && k < srcLen; k++) tx = b[src + k] === host![k];
    }
    this.tx = tx;
  }
}

/** FNV-1a over the lower-case hex of `b[from, to)`, continuing from `h`, as frameKeys hashes its hex string. */
function hashHex(h: number, b: Buffer, from: number, to: number): number {
  for (let i = from; i < to; i++) {
    h = Math.imul(h ^ HEX_CHARS[b[i] >> 4], 0x01000193);
    h = Math.imul(h ^ HEX_CHARS[b[i] & 15], 0x01000193);
  }
  return h;
}

export const pcapFormat: TraceFormat = {
  name: 'pcap',
  description: 'classic libpcap capture (us or ns timestamps, either byte order): each frame an RX or TX network mapping',
  sniff(source: TraceSource) {
    const h = parseGlobalHeader(source.head);
    return typeof h === 'string' ? h : null;
  },
  async *read(source: TraceSource): AsyncGenerator<IoRequest> {
    for await (const batch of pcapFormat.readBatches!(source)) yield* batch;
  },
  async *readBatches(source: TraceSource): AsyncGenerator<IoRequest[]> {
    const file = source.file;
    /** Bytes of a record (or of the global header) that the last chunk cut: a copy, as chunks are reused. */
    let rest: Buffer = Buffer.alloc(0);
    let offset = 0; // byte offset in the file of rest[0]
    let header: PcapHeader | undefined;
    let record = 0;
    let t0: number | undefined;
    let pending: (IoRequest & { src: string; dst: string; outgoing?: boolean })[] = [];
    let host: string | null | undefined; // undefined until decided
    let facts: FrameFacts | undefined; // once decided: the frames after the sample, read without strings
    const counts = new Map<string, number>();
    const decide = () => {
      let best = '';
      let most = 0;
      for (const [k, n] of counts) if (n > most) [best, most] = [k, n];
      host = best || null;
      facts = new FrameFacts(host === null ? null : Buffer.from(host, 'hex'));
    };
    const finish = (f: IoRequest & { src: string; dst: string; outgoing?: boolean }): IoRequest => {
      const tx = f.outgoing ?? (host !== null && f.src === host);
      return { arrivalNs: f.arrivalNs, offset: 0, size: f.size, write: tx, network: tx ? 'tx' : 'rx', flow: f.flow, minAlignMask: 0 };
    };
    /** The whole records of `buf` from `at` (buf[0] at file offset `base`) into `out`: where the first incomplete one starts. @throws ParseError */
    const records = (buf: Buffer, at: number, base: number, out: IoRequest[]): number => {
      const { little, nanos, linktype } = header!;
      while (buf.length - at >= RECORD_HEADER) {
        const sec = little ? buf.readUInt32LE(at) : buf.readUInt32BE(at);
        const frac = little ? buf.readUInt32LE(at + 4) : buf.readUInt32BE(at + 4);
        const incl = little ? buf.readUInt32LE(at + 8) : buf.readUInt32BE(at + 8);
        const orig = little ? buf.readUInt32LE(at + 12) : buf.readUInt32BE(at + 12);
        record++;
        if (incl > 262_144 || orig === 0 || orig > 262_144) {
          throw new ParseError(file, record, incl > 262_144 ? 'incl_len' : 'orig_len', `${incl > 262_144 ? incl : orig} is not a plausible frame length (record at byte offset ${base + at})`);
        }
        if (buf.length - at - RECORD_HEADER < incl) {
          record--;
          break;
        }
        const ns = sec * 1e9 + (nanos ? frac : frac * 1000);
        t0 ??= ns;
        if (facts) {
          facts.read(buf, at + RECORD_HEADER, incl, linktype);
          const tx = facts.tx;
          out.push({ arrivalNs: ns - t0, offset: 0, size: orig, write: tx, network: tx ? 'tx' : 'rx', flow: facts.flow, minAlignMask: 0 });
          at += RECORD_HEADER + incl;
          continue;
        }
        // The first frames: their addresses are counted to decide which is the capturing host.
        const keys = frameKeys(buf.subarray(at + RECORD_HEADER, at + RECORD_HEADER + incl), linktype);
        const f = { arrivalNs: ns - t0, offset: 0, size: orig, write: false, flow: keys.flow, src: keys.src, dst: keys.dst, outgoing: keys.outgoing };
        at += RECORD_HEADER + incl;
        for (const k of [keys.src, keys.dst]) if (k) counts.set(k, (counts.get(k) ?? 0) + 1);
        pending.push(f);
        if (pending.length >= DIRECTION_SAMPLE) {
          decide();
          for (const p of pending) out.push(finish(p));
          pending = [];
        }
      }
      return at;
    };
    for await (const chunk of source.chunks()) {
      const out: IoRequest[] = [];
      let at = 0; // in chunk
      if (!header) {
        rest = Buffer.concat([rest, chunk]);
        if (rest.length < GLOBAL_HEADER) continue;
        const h = parseGlobalHeader(rest);
        if (typeof h === 'string') throw new ParseError(file, 0, 'magic', `${h} (byte offset 0)`);
        header = h;
        at = GLOBAL_HEADER - (rest.length - chunk.length); // the chunk's first byte after the global header
        offset = GLOBAL_HEADER;
        rest = Buffer.alloc(0);
      } else if (rest.length > 0) {
        // The record the last chunk cut, completed with as few of this chunk's bytes as it needs (not a copy of the chunk).
        const r = rest.length;
        const head = r >= RECORD_HEADER ? rest : Buffer.concat([rest, chunk.subarray(0, RECORD_HEADER - r)]);
        let want = RECORD_HEADER - r; // bytes of this chunk it needs: the header's, then the frame's
        if (head.length >= RECORD_HEADER) {
          const incl = header.little ? head.readUInt32LE(8) : head.readUInt32BE(8);
          if (incl <= 262_144) want = RECORD_HEADER + incl - r;
        }
        const piece = Buffer.concat([rest, chunk.subarray(0, Math.max(0, Math.min(want, chunk.length)))]);
        const done = records(piece, 0, offset, out);
        if (done < piece.length || want > chunk.length) {
          rest = Buffer.concat([rest, chunk]); // still cut (the chunk ended first)
          if (out.length > 0) yield out;
          continue;
        }
        offset += done;
        at = want;
        rest = Buffer.alloc(0);
      }
      const stop = records(chunk, at, offset - at, out);
      offset += stop - at;
      rest = Buffer.from(chunk.subarray(stop));
      if (out.length > 0) yield out;
    }
    if (!header) throw new ParseError(file, 0, 'header', `file ends inside the pcap global header (${rest.length} bytes)`);
    if (rest.length > 0) throw new ParseError(file, record + 1, 'record', `truncated record at byte offset ${offset} (${rest.length} bytes left)`);
    if (host === undefined) {
      decide();
      if (pending.length > 0) yield pending.map(finish);
    }
  },
};
