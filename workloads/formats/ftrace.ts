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
import { type FastLineParser, SKIP, lineFormat } from './line-format.js';
import type { TraceSource } from './trace-source.js';
import { COMMENT, EVENT, FtraceScanner } from './wasm/ftrace-scan.js';
import type { IoRequest } from '../types.js';

const EVENT_LINE = /^\s*(.+?)-(\d+)\s+\[(\d+)\]\s+(?:\S+\s+)?(\d+\.\d+):\s+swiotlb_bounced:\s+(.*)$/;
const FIELDS = /dev_name:\s*(\S+)\s+dma_mask=([0-9a-f]+)\s+dev_addr=([0-9a-f]+)\s+size=(\d+)\s+(FORCE|NORMAL|NO_FORCE)\b/i;

export const ftraceFormat = lineFormat({
  fields: { size: 'size', time: 'timestamp', cpu: 'CPU', offset: 'dev_addr' },
  name: 'ftrace',
  description: 'ftrace text with swiotlb_bounced events: each a map of that size on that CPU, lifetimes from --latency',
  comment: /^\s*#/,
  sniffLine(line) {
    return line.includes('swiotlb_bounced:') ? null : 'no swiotlb_bounced event';
  },
  parser: ftraceParser,
});

/**
 * The per-file parser of an ftrace text: the WebAssembly fast path
 * (wasm/ftrace-scan.wat) on each piece of lines, the regular expressions for
 * the lines it leaves. Exported for the test that holds the two to the same
 * reading.
 */
export function ftraceParser(source: TraceSource): FastLineParser {
  const file = source.file;
  let t0: number | undefined;
  let skipped = 0;
  const event: MakeEvent = (ns, cpu, offset, size, forced) => {
    t0 ??= ns;
    return { arrivalNs: ns - t0, offset, size, write: false, dir: DMA_BIDIRECTIONAL, cpu, minAlignMask: 0, mayBlock: false, forced };
  };
  const scan = new FtraceScanner();
  const fields = scan.fields;
  return {
    piece: (b, start, stop) => scan.piece(b, start, stop),
    // Lines of other events are SKIP once `parse` has warned about the first one (the same side effects).
    fast(_b, from, end) {
      const r = scan.bounced(from, end);
      if (r === EVENT) return event(fields.seconds * 1e9 + fields.fractionNs, fields.cpu, fields.offset, fields.size, fields.forced);
      if (r === COMMENT) return SKIP;
      if (skipped === 0 || scan.namesBounced(from, end)) return null;
      skipped++;
      return SKIP;
    },
    parse(line, lineNo) {
      // EVENT_LINE needs 'swiotlb_bounced:', so a line without it is skipped before the costly match.
      if (!line.includes('swiotlb_bounced')) {
        if (++skipped === 1) source.warn(`line ${lineNo}: lines that are not swiotlb_bounced events are skipped`);
        return null;
      }
      const m = EVENT_LINE.exec(line);
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
}

/** Builds the request of an event from its values: ns is Number(seconds) * 1e9 + fraction ns, as `parse` computes it. */
type MakeEvent = (ns: number, cpu: number, offset: number, size: number, forced: boolean) => IoRequest;

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
