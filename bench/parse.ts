/**
 * `npm run bench:parse`: each trace reader on the largest trace of its format
 * (shipped ones, plus ../shared/traces when present), then on that trace
 * repeated (at least 10 times and to a million records), each in a fresh
 * process: records per second and live heap. Streaming readers keep memory
 * flat as the trace grows. Writes results/parse.json.
 */
import { execFileSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { projectRoot } from '../src/base/paths.js';
import { writeFileAtomic } from '../src/export/result-dir.js';

interface Candidate {
  format: string;
  file: string;
  /** Bytes kept once when repeating (file header); the rest is repeated. */
  headerBytes: (data: Buffer) => number;
}

const none = () => 0;
const firstLine = (data: Buffer) => data.indexOf(0x0a) + 1;
const shared = join(projectRoot(), '..', 'shared', 'traces');
const shipped = join(projectRoot(), 'workloads', 'traces');

const CANDIDATES: Candidate[] = [
  { format: 'msr', file: join(shipped, 'msr-cambridge-hm0-sample.csv'), headerBytes: none },
  { format: 'mqsim', file: join(shipped, 'mqsim-tpcc-small.trace'), headerBytes: none },
  { format: 'mqsim', file: join(shared, 'umass-financial1-head', 'example.ascii'), headerBytes: none },
  { format: 'disksim', file: join(shared, 'msn-fileserver', 'MSN-FS-30s-ms'), headerBytes: none },
  { format: 'tencent', file: join(shared, 'snia-tencent-cbs-sample', 'cloud_storage-sample.csv'), headerBytes: none },
  { format: 'systor17', file: join(shared, 'snia-systor17-sample', 'systor17-traces-sample.csv'), headerBytes: firstLine },
  { format: 'cloudphysics-csv', file: join(shared, 'cloudphysics-vscsi', 'cloudPhysicsIO.csv'), headerBytes: firstLine },
  { format: 'vscsi', file: join(shared, 'cloudphysics-vscsi', 'cloudPhysicsIO.vscsi'), headerBytes: none },
  { format: 'pcap', file: join(shared, 'pcap-ndpi-apps', 'netflix.pcap'), headerBytes: () => 24 },
  { format: 'ftrace', file: join(shared, 'swiotlb-ftrace-excerpts', 'spacemit-k1-sdhci.swiotlb_bounced.txt'), headerBytes: none },
];

interface Measure {
  format: string;
  records: number;
  seconds: number;
  peakRssMiB: number;
  peakHeapMiB: number;
  baseHeapMiB: number;
}

/** Speed run (plain), or memory run (--expose-gc, live heap after collections). */
function measure(file: string, format: string, mode: 'speed' | 'memory'): Measure {
  const child = join(dirname(fileURLToPath(import.meta.url)), 'parse-one.js');
  const args = mode === 'memory' ? ['--expose-gc', child, file, format, 'memory'] : [child, file, format];
  return JSON.parse(execFileSync(process.execPath, args, { encoding: 'utf8' })) as Measure;
}

/** The file with its body repeated `times` (header kept once). */
function repeated(c: Candidate, dir: string, times: number): string {
  const data = readFileSync(c.file);
  const head = c.headerBytes(data);
  const out = join(dir, `x${times}-${c.file.split('/').pop()}`);
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

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'swiotlb-parse-'));
  const rows: Record<string, unknown>[] = [];
  try {
    console.log('format'.padEnd(18) + 'file'.padEnd(34) + 'records'.padStart(10) + 'records/s'.padStart(12) + '  live heap 1x -> Nx (MiB)');
    for (const c of CANDIDATES) {
      if (!existsSync(c.file)) continue;
      let one: Measure;
      try {
        one = measure(c.file, c.format, 'memory');
      } catch (err) {
        console.log(`${c.format.padEnd(18)}${c.file.split('/').pop()!.padEnd(34)} failed: ${(err as Error).message.split('\n')[0]}`);
        continue;
      }
      // Enough copies for a million records, so warm-up does not dominate small traces.
      const times = Math.max(10, Math.ceil(1e6 / Math.max(1, one.records)));
      const tenFile = repeated(c, dir, times);
      const ten = measure(tenFile, c.format, 'memory');
      const speed = measure(tenFile, c.format, 'speed');
      const rate = speed.records / speed.seconds;
      const heap1 = one.peakHeapMiB - one.baseHeapMiB;
      const heap10 = ten.peakHeapMiB - ten.baseHeapMiB;
      console.log(`${c.format.padEnd(18)}${c.file.split('/').pop()!.padEnd(34)}${String(ten.records).padStart(10)}${(rate / 1e6).toFixed(2).padStart(10)} M  ${heap1.toFixed(1).padStart(6)} -> ${heap10.toFixed(1)} (x${times})`);
      rows.push({ format: c.format, file: c.file, bytes: statSync(c.file).size, copies: times, records_1x: one.records, records_nx: ten.records, records_per_s: rate, seconds_nx: speed.seconds, live_heap_mib_1x: heap1, live_heap_mib_nx: heap10, peak_rss_mib_1x: one.peakRssMiB, peak_rss_mib_nx: ten.peakRssMiB });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const out = join(projectRoot(), 'results');
  await mkdir(out, { recursive: true });
  await writeFileAtomic(join(out, 'parse.json'), JSON.stringify({ goal_records_per_s: 2e6, readers: rows }, null, 2) + '\n');
  console.log(`wrote ${join(out, 'parse.json')}`);
}

await main();
