/**
 * `npm run bench:parse`: each trace reader on the largest in-repository trace
 * of its format (shipped workloads and the real traces of the test fixtures),
 * then on that trace repeated (at least 10 times and to a million records),
 * each in a fresh process (bench/parse-one.ts): records per second and live
 * heap. Streaming readers keep memory flat as the trace grows.
 */
import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { builtFile, projectRoot } from '../base/paths.js';

/** One reader's input. */
interface Candidate {
  format: string;
  file: string;
  /** Bytes kept once when repeating (file header); the rest is repeated. */
  headerBytes: (data: Buffer) => number;
}

const none = () => 0;
const firstLine = (data: Buffer) => data.indexOf(0x0a) + 1;
/** The `#` lines that open an ftrace file: the tracer writes them once, however long the trace. */
const commentHeader = (data: Buffer) => {
  let at = 0;
  while (data[at] === 0x23 /* # */) at = data.indexOf(0x0a, at) + 1;
  return at;
};
const shipped = (file: string) => join(projectRoot(), 'workloads', 'traces', file);
const fixture = (file: string) => join(projectRoot(), 'test', 'fixtures', file);

/** The largest trace of each format inside the repository. */
const CANDIDATES: Candidate[] = [
  { format: 'msr', file: shipped('msr-cambridge-hm0-sample.csv'), headerBytes: none },
  { format: 'mqsim', file: shipped('mqsim-tpcc-small.trace'), headerBytes: none },
  { format: 'mqsim', file: fixture('traces/real/umass-financial1-head/example.ascii'), headerBytes: none },
  { format: 'disksim', file: fixture('traces/real/msn-fileserver/MSN-FS-30s-ms.gz'), headerBytes: none },
  { format: 'tencent', file: shipped('tencent-cbs-sample.csv.gz'), headerBytes: none },
  { format: 'systor17', file: shipped('systor17-vdi-sample.csv'), headerBytes: firstLine },
  { format: 'cloudphysics-csv', file: fixture('traces/real/cloudphysics-vscsi/cloudPhysicsIO.csv.gz'), headerBytes: firstLine },
  { format: 'vscsi', file: fixture('traces/real/cloudphysics-vscsi/cloudPhysicsIO.vscsi.gz'), headerBytes: none },
  { format: 'pcap', file: shipped('smtp.pcap'), headerBytes: () => 24 },
  { format: 'ftrace', file: fixture('ftrace/bounced.txt'), headerBytes: commentHeader },
  { format: 'fio-iolog2', file: fixture('formats/fio-randrw-v2.log'), headerBytes: firstLine },
  { format: 'fio-iolog3', file: fixture('formats/fio-randrw-v3.log'), headerBytes: firstLine },
];

/** The format names bench:parse measures (for `--format`). */
export const PARSE_FORMATS: readonly string[] = [...new Set(CANDIDATES.map((c) => c.format))];

/** What one child process measured. */
interface Measure {
  format: string;
  records: number;
  seconds: number;
  peakRssMiB: number;
  peakHeapMiB: number;
  baseHeapMiB: number;
}

/** One reader's figures: records/s on the repeated trace and live heap at 1x and Nx. */
export interface ParseRow {
  format: string;
  file: string;
  bytes: number;
  copies: number;
  records_1x: number;
  records_nx: number;
  records_per_s: number;
  seconds_nx: number;
  live_heap_mib_1x: number;
  live_heap_mib_nx: number;
  peak_rss_mib_1x: number;
  peak_rss_mib_nx: number;
}

/** Speed run (plain), or memory run (--expose-gc, live heap after collections), in a child process. */
function measure(file: string, format: string, mode: 'speed' | 'memory'): Measure {
  const child = builtFile('bench', 'parse-one.js');
  const args = mode === 'memory' ? ['--expose-gc', child, file, format, 'memory'] : [child, file, format];
  return JSON.parse(execFileSync(process.execPath, args, { encoding: 'utf8' })) as Measure;
}

/** The file's (un-gzipped) bytes with the body repeated `times` (header kept once), written into `dir`. */
function repeated(c: Candidate, dir: string, times: number): string {
  const raw = readFileSync(c.file);
  const data = c.file.endsWith('.gz') ? gunzipSync(raw) : raw;
  const head = c.headerBytes(data);
  const out = join(dir, `x${times}-${basename(c.file).replace(/\.gz$/, '')}`);
  const fd = openSync(out, 'w');
  writeSync(fd, data.subarray(0, head));
  const body = data.subarray(head);
  const needsNewline = body.length && body[body.length - 1] !== 0x0a && c.format !== 'vscsi' && c.format !== 'pcap';
  for (let i = 0; i < times; i++) {
    writeSync(fd, body);
    if (needsNewline) writeSync(fd, '\n');
  }
  closeSync(fd);
  return out;
}

/** Measure every reader, or those of the `only` formats; `log` gets one line each (or why it failed). */
export function runParseBench(log: (line: string) => void, only?: readonly string[]): ParseRow[] {
  const dir = mkdtempSync(join(tmpdir(), 'swiotlb-parse-'));
  const rows: ParseRow[] = [];
  try {
    log('format'.padEnd(18) + 'file'.padEnd(34) + 'records'.padStart(10) + 'records/s'.padStart(12) + '  live heap 1x -> Nx (MiB)');
    for (const c of CANDIDATES) {
      if (only && !only.includes(c.format)) continue;
      const name = basename(c.file);
      let one: Measure;
      try {
        one = measure(c.file, c.format, 'memory');
      } catch (err) {
        log(`${c.format.padEnd(18)}${name.padEnd(34)} failed: ${(err as Error).message.split('\n')[0]}`);
        continue;
      }
      // Enough copies for a million records, so warm-up does not dominate small traces.
      const times = Math.max(10, Math.ceil(1e6 / Math.max(1, one.records)));
      const nFile = repeated(c, dir, times);
      const n = measure(nFile, c.format, 'memory');
      const speed = measure(nFile, c.format, 'speed');
      const rate = speed.records / speed.seconds;
      const heap1 = one.peakHeapMiB - one.baseHeapMiB;
      const heapN = n.peakHeapMiB - n.baseHeapMiB;
      log(`${c.format.padEnd(18)}${name.padEnd(34)}${String(n.records).padStart(10)}${(rate / 1e6).toFixed(2).padStart(10)} M  ${heap1.toFixed(1).padStart(6)} -> ${heapN.toFixed(1)} (x${times})`);
      rows.push({
        format: c.format, file: c.file, bytes: statSync(c.file).size, copies: times, records_1x: one.records, records_nx: n.records, records_per_s: rate,
        seconds_nx: speed.seconds, live_heap_mib_1x: heap1, live_heap_mib_nx: heapN, peak_rss_mib_1x: one.peakRssMiB, peak_rss_mib_nx: n.peakRssMiB,
      });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}
