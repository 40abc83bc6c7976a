/**
 * swiotlb's own evidence (docs/model.md, "Tracepoints and log messages"):
 * - `ftrace`: text from /sys/kernel/tracing/trace with `swiotlb_bounced`
 *   events, `TASK-PID [CPU] FLAGS SECONDS: swiotlb_bounced: dev_name: NAME
 *   dma_mask=HEX dev_addr=HEX size=N FORCE|NORMAL`. Each event becomes a map
 *   of `size` bytes on that CPU, with the in-page offset of `dev_addr` (the
 *   original buffer), DMA_BIDIRECTIONAL (the tracepoint records no
 *   direction), no min_align_mask, FORCE/NORMAL kept; the tracepoint has no
 *   unmap, so lifetimes come from the latency model. Other events and `#`
 *   comment lines are skipped.
 * - `swiotlb-dmesg`: kernel log lines "swiotlb buffer is full (sz: N bytes),
 *   total T (slots), used U (slots)": each is a map attempt of N bytes (the
 *   padded size the kernel printed), one microsecond apart unless the line
 *   carries a `[seconds]` timestamp.
 */
import { ParseError } from '../../src/base/errors.js';
import { DMA_BIDIRECTIONAL } from '../../src/model/dma.js';
import { type FastLine, SKIP, lineFormat } from './line-format.js';
import { latin1 } from './scan.js';
import type { IoRequest } from '../types.js';

const EVENT = /^\s*(.+?)-(\d+)\s+\[(\d+)\]\s+(?:\S+\s+)?(\d+\.\d+):\s+swiotlb_bounced:\s+(.*)$/;
const FIELDS = /dev_name:\s*(\S+)\s+dma_mask=([0-9a-f]+)\s+dev_addr=([0-9a-f]+)\s+size=(\d+)\s+(FORCE|NORMAL|NO_FORCE)\b/i;

export const ftraceFormat = lineFormat({
  fields: { size: 'size', time: 'timestamp', cpu: 'CPU', offset: 'dev_addr' },
  name: 'ftrace',
  description: 'ftrace text with swiotlb_bounced events: each a map of that size on that CPU, lifetimes from --latency',
  comment: /^\s*#/,
  sniffLine(line) {
    return line.includes('swiotlb_bounced:') ? null : 'no swiotlb_bounced event';
  },
  parser(source) {
    const file = source.file;
    let t0: number | undefined;
    let skipped = 0;
    const event: MakeEvent = (ns, cpu, offset, size, forced) => {
      t0 ??= ns;
      return { arrivalNs: ns - t0, offset, size, write: false, dir: DMA_BIDIRECTIONAL, cpu, minAlignMask: 0, mayBlock: false, forced };
    };
    const bounced = fastEvent(event);
    return {
      // Lines of other events are SKIP once `parse` has warned about the first one (the same side effects).
      fast(b, from, end) {
        const r = bounced(b, from, end);
        if (r !== null || skipped === 0 || contains(b, from, end, BOUNCED_WORD)) return r;
        skipped++;
        return SKIP;
      },
      parse(line, lineNo) {
        // EVENT needs 'swiotlb_bounced:', so a line without it is skipped before the costly match.
        if (!line.includes('swiotlb_bounced')) {
          if (++skipped === 1) source.warn(`line ${lineNo}: lines that are not swiotlb_bounced events are skipped`);
          return null;
        }
        const m = EVENT.exec(line);
        if (!m) throw new ParseError(file, lineNo, 'event', 'swiotlb_bounced line without TASK-PID [CPU] ... SECONDS: prefix');
        const f = FIELDS.exec(m[5]);
        if (!f) throw new ParseError(file, lineNo, 'size', `expected 'dev_name: NAME dma_mask=HEX dev_addr=HEX size=N FORCE|NORMAL', got '${m[5].slice(0, 80)}'`);
        const size = Number(f[4]);
        if (size <= 0) throw new ParseError(file, lineNo, 'size', 'must be greater than 0');
        const seconds = m[4].split('.');
        const ns = Number(seconds[0]) * 1e9 + Number(seconds[1].padEnd(9, '0').slice(0, 9));
        // dev_addr is the original buffer's address; all ones means "not known" (e.g. MMIO).
        const addrLow = f[3].length >= 16 && /^f+$/i.test(f[3]) ? 0 : parseInt(f[3].slice(-3), 16);
        return event(ns, Number(m[3]), addrLow, size, f[5].toUpperCase() === 'FORCE');
      },
    };
  },
});

/** Builds the request of an event from its values: ns is Number(seconds) * 1e9 + fraction ns, as `parse` computes it. */
type MakeEvent = (ns: number, cpu: number, offset: number, size: number, forced: boolean) => IoRequest;

/**
 * The ftrace fast path: `#` comments (SKIP) and events in the plain shape,
 * `  TASK-PID [CPU] FLAGS SECONDS: swiotlb_bounced: dev_name: NAME
 * dma_mask=HEX dev_addr=HEX size=N MODE` with spaces only between fields,
 * lower-case keys, an upper-case MODE ending the line, and at most 15
 * digits in each number (exact as doubles). It reads them as EVENT and
 * FIELDS do: the task ends at the first `-` followed by a digit (no earlier
 * end can match), and FLAGS is present when the token after it is the
 * timestamp, as EVENT's greedy optional group decides. Anything else is null.
 * One function of plain loops: with helpers V8 ran it half as fast.
 */
function fastEvent(make: MakeEvent): FastLine {
  return (b, from, end) => {
    let i = from;
    let c = 0;
    while (i < end && b[i] === 32) i++;
    if (i === end) return null;
    if (b[i] === 35 /* # */) return SKIP; // `^\s*#`: a comment
    if (isSpace(b[i])) return null;
    // TASK: one character or more, to the first '-' followed by a digit; no CR (regex '.').
    for (i++; ; i++) {
      if (i + 1 >= end) return null;
      c = b[i];
      if (c === 13) return null;
      if (c === 45 /* - */ && b[i + 1] >= 48 && b[i + 1] <= 57) break;
    }
    // -PID, spaces, [CPU]
    for (i++; i < end && b[i] >= 48 && b[i] <= 57; i++);
    let s = i;
    while (i < end && b[i] === 32) i++;
    if (i === s || i === end || b[i] !== 91 /* [ */) return null;
    let cpu = 0;
    for (s = ++i; i < end && (c = b[i]) >= 48 && c <= 57; i++) cpu = cpu * 10 + c - 48;
    if (i === s || i - s > 15 || i === end || b[i] !== 93 /* ] */) return null;
    // Two tokens: FLAGS then SECONDS:, or SECONDS: then swiotlb_bounced:.
    s = ++i;
    while (i < end && b[i] === 32) i++;
    const t1 = i;
    while (i < end && !isSpace(b[i])) i++;
    const e1 = i;
    while (i < end && b[i] === 32) i++;
    const t2 = i;
    while (i < end && !isSpace(b[i])) i++;
    const e2 = i;
    if (t1 === s || e1 === t1 || t2 === e1 || e2 === t2) return null;
    while (i < end && b[i] === 32) i++;
    let stamp = t2;
    let stampEnd = e2;
    let event = i;
    if (event === e2 || !isStamp(b, t2, e2) || !has(b, event, end, BOUNCED)) {
      if (!isStamp(b, t1, e1) || e2 !== t2 + BOUNCED.length - 1 || !has(b, t2, end, BOUNCED)) return null;
      stamp = t1;
      stampEnd = e1;
      event = t2;
    }
    let sec = 0;
    for (i = stamp; (c = b[i]) !== 46 /* . */; i++) sec = sec * 10 + c - 48;
    if (i - stamp > 15) return null;
    let frac = 0; // the first 9 fraction digits, zero-padded
    for (let k = i + 1; k < i + 10; k++) frac = frac * 10 + (k < stampEnd - 1 ? b[k] - 48 : 0);
    // dev_name: NAME dma_mask=HEX dev_addr=HEX size=N MODE, MODE ending the line.
    i = event + BOUNCED.length;
    while (i < end && b[i] === 32) i++;
    if (!has(b, i, end, DEV_NAME)) return null;
    i += DEV_NAME.length;
    while (i < end && b[i] === 32) i++;
    for (s = i; i < end && !isSpace(b[i]); i++);
    if (i === s) return null;
    for (s = i; i < end && b[i] === 32; i++);
    if (i === s || !has(b, i, end, DMA_MASK)) return null;
    for (s = i += DMA_MASK.length; i < end && isHex(b[i]); i++);
    if (i === s) return null;
    for (s = i; i < end && b[i] === 32; i++);
    if (i === s || !has(b, i, end, DEV_ADDR)) return null;
    const addr = (i += DEV_ADDR.length);
    while (i < end && isHex(b[i])) i++;
    const addrEnd = i;
    while (i < end && b[i] === 32) i++;
    if (addrEnd === addr || i === addrEnd || !has(b, i, end, SIZE)) return null;
    let size = 0;
    for (s = i += SIZE.length; i < end && (c = b[i]) >= 48 && c <= 57; i++) size = size * 10 + c - 48;
    if (i === s || i - s > 15 || size === 0) return null;
    for (s = i; i < end && b[i] === 32; i++);
    const forced = end - i === FORCE.length && has(b, i, end, FORCE);
    if (i === s || (!forced && !(end - i === NORMAL.length && has(b, i, end, NORMAL)) && !(end - i === NO_FORCE.length && has(b, i, end, NO_FORCE)))) return null;
    return make(sec * 1e9 + frac, cpu, addrLow(b, addr, addrEnd), size, forced);
  };
}

/** The event name with the space after it, and the literal words of the fields. */
const BOUNCED = latin1('swiotlb_bounced: ');
const DEV_NAME = latin1('dev_name:');
const DMA_MASK = latin1('dma_mask=');
const DEV_ADDR = latin1('dev_addr=');
const SIZE = latin1('size=');
const BOUNCED_WORD = latin1('swiotlb_bounced');
const FORCE = latin1('FORCE');
const NORMAL = latin1('NORMAL');
const NO_FORCE = latin1('NO_FORCE');

/** JavaScript's whitespace (\s, trim) among latin1 characters. */
const isSpace = (c: number) => c === 32 || (c >= 9 && c <= 13) || c === 160;
/** A hex digit, either case. */
const isHex = (c: number) => (c >= 48 && c <= 57) || ((c | 0x20) >= 97 && (c | 0x20) <= 102);
/** Does `b[at, end)` start with `word`? */
function has(b: Uint8Array, at: number, end: number, word: Uint8Array): boolean {
  const n = word.length;
  if (at + n > end) return false;
  for (let k = 0; k < n; k++) if (b[at + k] !== word[k]) return false;
  return true;
}
/** Does `b[from, end)` contain `word` anywhere (as `String.includes`)? */
function contains(b: Uint8Array, from: number, end: number, word: Uint8Array): boolean {
  const first = word[0];
  for (let i = from; i + word.length <= end; i++) if (b[i] === first && has(b, i, end, word)) return true;
  return false;
}
/** Is the token `b[from, to)` `\d+\.\d+:`? */
function isStamp(b: Uint8Array, from: number, to: number): boolean {
  let i = from;
  while (i < to && b[i] >= 48 && b[i] <= 57) i++;
  if (i === from || i + 2 >= to || b[i] !== 46 /* . */) return false;
  for (i++; i < to - 1; i++) if (b[i] < 48 || b[i] > 57) return false;
  return b[to - 1] === 58 /* : */;
}
/** A dev_addr's in-page offset as `parse` takes it: 0 for an all-ones address of 16 or more digits, else its last 3 hex digits. */
function addrLow(b: Uint8Array, from: number, to: number): number {
  let ones = to - from >= 16;
  for (let i = from; ones && i < to; i++) ones = (b[i] | 0x20) === 102;
  if (ones) return 0;
  let v = 0;
  for (let i = Math.max(from, to - 3); i < to; i++) {
    const c = b[i] | 0x20;
    v = v * 16 + (c <= 57 ? c - 48 : c - 87);
  }
  return v;
}

const FULL = /swiotlb buffer is full \(sz: (\d+) bytes\), total (\d+) \(slots\), used (\d+) \(slots\)/;
const STAMP = /^\s*\[\s*(\d+)\.(\d+)\]/;

export const swiotlbDmesgFormat = lineFormat({
  fields: { size: 'sz', time: 'timestamp' },
  name: 'swiotlb-dmesg',
  description: 'kernel log "swiotlb buffer is full (sz: N bytes)" lines: each a map attempt of N bytes',
  sniffLine(line) {
    return FULL.test(line) ? null : "no 'swiotlb buffer is full' message";
  },
  parser(source) {
    let n = 0;
    let t0: number | undefined;
    return (line, lineNo) => {
      const m = FULL.exec(line);
      if (!m) {
        source.warn(`line ${lineNo}: lines without 'swiotlb buffer is full' are skipped`);
        return null;
      }
      const size = Number(m[1]);
      if (size <= 0) throw new ParseError(source.file, lineNo, 'sz', 'must be greater than 0');
      const stamp = STAMP.exec(line);
      const ns = stamp ? Number(stamp[1]) * 1e9 + Number(stamp[2].padEnd(9, '0').slice(0, 9)) : n * 1000;
      t0 ??= ns;
      n++;
      return { arrivalNs: ns - t0, offset: 0, size, write: false, dir: DMA_BIDIRECTIONAL, minAlignMask: 0, mayBlock: false };
    };
  },
});
