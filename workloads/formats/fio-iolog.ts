/**
 * fio I/O logs (`write_iolog` / `read_iolog`), versions 2 and 3, as the fio
 * HOWTO's "Trace file format" section documents them:
 *
 * - first line `fio version 2 iolog` or `fio version 3 iolog`;
 * - v2 lines `filename action` (add, open, close: file bookkeeping) or
 *   `filename action offset length` (read, write, sync, datasync, trim, and
 *   `wait`, which waits `offset` microseconds after the previous wait);
 * - v3 lines put a timestamp first, `timestamp filename action [offset length]`,
 *   relative to the start of the run, and have no `wait`.
 *
 * Offsets and lengths are bytes. The HOWTO gives no unit for the v3
 * timestamp; fio's iolog.c writes it with utime_since_now() and replays the
 * differences as microsecond delays, so it is read as microseconds.
 *
 * read/write become requests; add/open/close are bookkeeping; sync, datasync
 * and trim map no data buffers and are ignored (one warning with their
 * count). Arrivals come from the v3 timestamps, or (v2) from the waits
 * accumulated so far. Several files in one log share the one modelled device.
 */
import { ParseError } from '../../src/base/errors.js';
import { uint } from './fields.js';
import { type HeadedRows, headedFormat } from './headed-format.js';
import { FieldScanner, SPACE, latin1 } from './scan.js';
import type { TraceSource } from './trace-source.js';
import type { TraceFormat } from './format.js';

const NS_PER_US = 1000;
const FILE_ACTIONS = new Set(['add', 'open', 'close']);
/** Actions that move no data: counted and ignored (fio also writes `sync_file_range` for that job option). */
const SYNC_ACTIONS = new Set(['sync', 'datasync', 'trim', 'sync_file_range']);
const ALL_ACTIONS = 'add, open, close, read, write, wait, sync, datasync, trim';

const READ = latin1('read');
const WRITE = latin1('write');
const TAB = 9;

const isAction = (a: string | undefined) => a !== undefined && (a === 'read' || a === 'write' || a === 'wait' || FILE_ACTIONS.has(a) || SYNC_ACTIONS.has(a));

/** Does `line` look like a body line of an iolog of this version (to name a missing header)? */
function looksLikeBody(line: string, version: 2 | 3): boolean {
  const f = line.trim().split(/\s+/);
  const t = version - 2; // fields before the filename
  if (version === 3 && !/^\d+$/.test(f[0])) return false;
  if (!isAction(f[t + 1])) return false;
  if (f.length === t + 2) return FILE_ACTIONS.has(f[t + 1]);
  return f.length === t + 4 && /^\d+$/.test(f[t + 2]) && /^\d+$/.test(f[t + 3]);
}

function fioIolog(version: 2 | 3): TraceFormat {
  const header = `fio version ${version} iolog`;
  const t = version - 2; // fields before the filename: the v3 timestamp
  const names = [...(version === 3 ? ['timestamp'] : []), 'filename', 'action', 'offset', 'length'];
  const shape = `${version === 3 ? 'timestamp ' : ''}filename action [offset length]`;

  /** The lines of one file after the header: read and write as requests, the rest bookkeeping. */
  function rows(source: TraceSource): HeadedRows {
    const file = source.file;
    let waitedUs = 0; // v2: sum of the waits so far
    let ignored = 0;
    let firstIgnored = 0;
    let v3Waits = 0;
    let firstV3Wait = 0;
    const scan = new FieldScanner(SPACE);
    return {
      /** Fast path: a read or write line of single-space-separated fields, digits only, no tab; null for any other line. */
      fast(bytes, from, end) {
        scan.start(bytes, from, end);
        const tsUs = version === 3 ? scan.uint() : 0;
        if (tsUs < 0 || scan.skip(true, TAB) < 0) return null; // the filename: any text but a tab
        const write = scan.is(WRITE);
        if (!write && !scan.is(READ)) return null;
        const offset = scan.uint();
        const size = scan.uint();
        const arrivalNs = (version === 3 ? tsUs : waitedUs) * NS_PER_US;
        if (offset < 0 || size <= 0 || !scan.done() || !Number.isSafeInteger(arrivalNs)) return null;
        return { arrivalNs, offset, size, write };
      },
      parse(raw, n) {
        let f = raw.split(' ');
        if ((f.length !== t + 4 && f.length !== t + 2) || f.includes('') || raw.includes('\t')) {
          f = raw.trim().split(/\s+/);
          if (f.length === 1 && f[0] === '') return null;
        }
        if (f.length !== t + 4 && f.length !== t + 2) {
          throw new ParseError(file, n, names[Math.min(f.length, names.length - 1)], `expected ${t + 2} or ${t + 4} fields (${shape}), found ${f.length}`);
        }
        // Fields are split at single spaces: any other whitespace in one is an error (uint without trimming).
        const tsUs = version === 3 ? uint(f[0], file, n, 'timestamp', false) : 0;
        const action = f[t + 1];
        if (action !== 'read' && action !== 'write') {
          if (FILE_ACTIONS.has(action)) return null;
          if (SYNC_ACTIONS.has(action)) {
            if (ignored++ === 0) firstIgnored = n;
            return null;
          }
          if (action === 'wait') {
            if (f.length !== t + 4) throw new ParseError(file, n, 'offset', `'wait' needs its microseconds in the offset field (${shape})`);
            const us = uint(f[t + 2], file, n, 'offset', false);
            uint(f[t + 3], file, n, 'length', false);
            if (version === 3) {
              // fio ignores wait in v3 logs too (timestamps do the timing).
              if (v3Waits++ === 0) firstV3Wait = n;
            } else waitedUs += us;
            return null;
          }
          throw new ParseError(file, n, 'action', `'${action}' is not one of ${ALL_ACTIONS}`);
        }
        if (f.length !== t + 4) throw new ParseError(file, n, 'offset', `'${action}' needs offset and length (${shape})`);
        const offset = uint(f[t + 2], file, n, 'offset', false);
        const size = uint(f[t + 3], file, n, 'length', false);
        if (size === 0) throw new ParseError(file, n, 'length', 'must be greater than 0');
        const arrivalNs = (version === 3 ? tsUs : waitedUs) * NS_PER_US;
        if (!Number.isSafeInteger(arrivalNs)) throw new ParseError(file, n, version === 3 ? 'timestamp' : 'offset', 'time is too large');
        return { arrivalNs, offset, size, write: action === 'write' };
      },
      end() {
        if (ignored > 0) source.warn(`line ${firstIgnored}: ignored ${ignored} sync/datasync/trim action(s): they map no data buffers`);
        if (v3Waits > 0) source.warn(`line ${firstV3Wait}: ignored ${v3Waits} 'wait' action(s): version 3 logs time I/O by their timestamps (fio ignores them too)`);
        return 'no read or write actions after the header line';
      },
    };
  }

  return headedFormat({
    name: `fio-iolog${version}`,
    description: `fio iolog v${version}: '${header}' then ${shape} (bytes${version === 3 ? ', timestamp us' : ', wait us'})`,
    header,
    missingHeader: `missing '${header}' header line`,
    isHeader: (line) => line.trim().startsWith(header), // fio itself compares only this prefix
    otherFormat(line) {
      const first = line.trim();
      return /^fio version \d+ iolog/.test(first) ? `'${first}' is another iolog version` : null;
    },
    // An iolog body without its header: claimed so the reader can say the header is missing, with its line.
    isRow: (line) => looksLikeBody(line, version),
    unsorted: 'timestamps',
    rows,
    fields: { size: 'length', offset: 'offset', time: version === 3 ? 'timestamp' : 'wait' },
  });
}

export const fioIolog2 = fioIolog(2);
export const fioIolog3 = fioIolog(3);
