/**
 * Seeded mutations of real inputs of every trace format, for the fuzz test
 * (test/selfbench/fuzz.test.ts) and `npm run fuzz`: the kinds of damage real
 * files get (flipped and cut bytes, missing and extra fields, numbers far out
 * of range or in odd spellings, lines repeated, binary garbage, huge lines)
 * applied to the first records of a shipped trace or test fixture.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { projectRoot } from '../base/paths.js';
import { xorshift32 } from '../stats/prng.js';

/** One format's seed input: real bytes, cut to their first records. */
export interface FuzzSeed {
  format: string;
  /** The file name mutated copies are written under (its extension kept). */
  name: string;
  bytes: Buffer;
  binary: boolean;
}

/** One mutated input. */
export interface FuzzCase {
  format: string;
  /** Which mutation made it, e.g. `huge-number`. */
  mutation: string;
  name: string;
  bytes: Buffer;
}

const root = () => projectRoot();
const read = (...parts: string[]) => {
  const raw = readFileSync(join(root(), ...parts));
  return parts.at(-1)!.endsWith('.gz') ? gunzipSync(raw) : raw;
};
/** The first `n` lines of a text. */
const lines = (buf: Buffer, n: number) => Buffer.from(buf.toString('latin1').split('\n').slice(0, n).join('\n') + '\n', 'latin1');

/** A classic pcap cut after its first `n` whole records (little-endian headers, as the shipped capture). */
function pcapRecords(buf: Buffer, n: number): Buffer {
  let at = 24;
  for (let k = 0; k < n && at + 16 <= buf.length; k++) at += 16 + buf.readUInt32LE(at + 8);
  return buf.subarray(0, Math.min(at, buf.length));
}

/** Every format's seed: the shipped traces first, then fixtures of the other formats. */
export function fuzzSeeds(): FuzzSeed[] {
  const text = (format: string, name: string, bytes: Buffer, n = 40) => ({ format, name, bytes: lines(bytes, n), binary: false });
  return [
    text('msr', 'msr.csv', read('workloads', 'traces', 'msr-cambridge-hm0-sample.csv')),
    text('mqsim', 'tpcc.trace', read('workloads', 'traces', 'mqsim-tpcc-small.trace')),
    text('systor17', 'systor.csv', read('workloads', 'traces', 'systor17-vdi-sample.csv')),
    text('tencent', 'tencent.csv', read('workloads', 'traces', 'tencent-cbs-sample.csv.gz')),
    { format: 'pcap', name: 'smtp.pcap', bytes: pcapRecords(read('workloads', 'traces', 'smtp.pcap'), 20), binary: true },
    text('disksim', 'msn.txt', read('test', 'fixtures', 'traces', 'real', 'msn-fileserver', 'MSN-FS-30s-ms.gz')),
    text('cloudphysics-csv', 'cp.csv', read('test', 'fixtures', 'traces', 'real', 'cloudphysics-vscsi', 'cloudPhysicsIO.csv.gz')),
    { format: 'vscsi', name: 'cp.vscsi', bytes: read('test', 'fixtures', 'traces', 'real', 'cloudphysics-vscsi', 'cloudPhysicsIO.vscsi.gz').subarray(0, 32 * 40), binary: true },
    text('fio-iolog2', 'fio2.log', read('test', 'fixtures', 'formats', 'fio-v2.log')),
    text('fio-iolog3', 'fio3.log', read('test', 'fixtures', 'formats', 'fio-v3.log')),
    text('ftrace', 'bounced.txt', read('test', 'fixtures', 'ftrace', 'bounced.txt')),
    text('swiotlb-dmesg', 'full.dmesg.txt', read('test', 'fixtures', 'ftrace', 'full.dmesg.txt')),
    text('imix-csv', 'imix.csv', read('test', 'fixtures', 'tools', 'imix.csv')),
    text('dma-map-benchmark', 'bench.txt', read('test', 'fixtures', 'tools', 'map-benchmark-sg.txt')),
  ];
}

/** Number spellings far out of range or odd: what a broken writer or a hostile file holds. */
const ODD_NUMBERS = ['18446744073709551616', '4294967296', '2147483648', '9'.repeat(400), '-1', '-0', '1e309', '1e3', '0x10', 'NaN', 'Infinity', '', ' ', '0', '00000000000000000000001', '3.5', '1,5'];

type Mutator = (b: Buffer, r: () => number) => Buffer;
const pick = <T>(items: readonly T[], r: () => number): T => items[Math.floor(r() * items.length)];
const at = (b: Buffer, r: () => number) => Math.floor(r() * Math.max(1, b.length));

/** Text mutations, by name. */
const TEXT: Record<string, Mutator> = {
  'flip-byte': (b, r) => { const c = Buffer.from(b); c[at(c, r)] = Math.floor(r() * 256); return c; },
  'odd-number': (b, r) => {
    const s = b.toString('latin1');
    const numbers = [...s.matchAll(/\d+(\.\d+)?/g)];
    if (numbers.length === 0) return b;
    const m = pick(numbers, r);
    return Buffer.from(s.slice(0, m.index) + pick(ODD_NUMBERS, r) + s.slice(m.index! + m[0].length), 'latin1');
  },
  'drop-field': (b, r) => {
    const ls = b.toString('latin1').split('\n');
    const i = Math.floor(r() * ls.length);
    const sep = ls[i].includes(',') ? ',' : ' ';
    const f = ls[i].split(sep);
    f.splice(Math.floor(r() * f.length), 1);
    ls[i] = f.join(sep);
    return Buffer.from(ls.join('\n'), 'latin1');
  },
  'extra-field': (b, r) => {
    const ls = b.toString('latin1').split('\n');
    const i = Math.floor(r() * ls.length);
    ls[i] += ls[i].includes(',') ? ',7' : ' 7';
    return Buffer.from(ls.join('\n'), 'latin1');
  },
  'repeat-line': (b, r) => {
    const ls = b.toString('latin1').split('\n');
    const i = Math.floor(r() * ls.length);
    ls.splice(i, 0, ...new Array<string>(5000).fill(ls[i]));
    return Buffer.from(ls.join('\n'), 'latin1');
  },
  'swap-lines': (b, r) => {
    const ls = b.toString('latin1').split('\n');
    const i = Math.floor(r() * ls.length);
    const j = Math.floor(r() * ls.length);
    [ls[i], ls[j]] = [ls[j], ls[i]];
    return Buffer.from(ls.join('\n'), 'latin1');
  },
  truncate: (b, r) => b.subarray(0, at(b, r)),
  garbage: (b, r) => { const g = Buffer.alloc(1 + Math.floor(r() * 64)); for (let i = 0; i < g.length; i++) g[i] = Math.floor(r() * 256); const p = at(b, r); return Buffer.concat([b.subarray(0, p), g, b.subarray(p)]); },
  'long-line': (b, r) => { const p = at(b, r); return Buffer.concat([b.subarray(0, p), Buffer.from('7'.repeat(100_000)), b.subarray(p)]); },
  'crlf': (b) => Buffer.from(b.toString('latin1').replace(/\n/g, '\r\n'), 'latin1'),
  'separator': (b, r) => Buffer.from(b.toString('latin1').replace(r() < 0.5 ? /,/g : / /g, r() < 0.5 ? ';' : '\t'), 'latin1'),
  'empty': () => Buffer.alloc(0),
};

/** Binary mutations: bytes flipped, 32-bit fields set to extremes, records cut or repeated. */
const BINARY: Record<string, Mutator> = {
  'flip-byte': TEXT['flip-byte'],
  'u32-extreme': (b, r) => { const c = Buffer.from(b); const p = Math.min(Math.max(0, c.length - 4), at(c, r) & ~3); if (c.length >= 4) c.writeUInt32LE(pick([0, 0xffffffff, 0x80000000, 0x7fffffff, 1], r), p); return c; },
  truncate: TEXT.truncate,
  garbage: TEXT.garbage,
  'repeat-tail': (b, r) => { const p = Math.floor(b.length / 2 + r() * (b.length / 2)); return Buffer.concat([b, ...new Array<Buffer>(200).fill(b.subarray(p))]); },
  'empty': TEXT.empty,
};

/** The formats of the shipped workloads (workloads/traces/). */
export const SHIPPED_FORMATS: readonly string[] = ['msr', 'mqsim', 'systor17', 'tencent', 'pcap'];

/** `perFormat` mutated inputs of every seed (a number, or one per format), reproducible for `seed`. */
export function fuzzCases(perFormat: number | ((format: string) => number), seed: number, seeds: FuzzSeed[] = fuzzSeeds()): FuzzCase[] {
  const r = xorshift32(seed);
  const out: FuzzCase[] = [];
  for (const s of seeds) {
    const ops = s.binary ? BINARY : TEXT;
    const names = Object.keys(ops);
    const n = typeof perFormat === 'number' ? perFormat : perFormat(s.format);
    for (let k = 0; k < n; k++) {
      // One to three mutations stacked.
      let bytes = s.bytes;
      const used: string[] = [];
      for (let n = 1 + Math.floor(r() * 3); n > 0; n--) {
        const name = pick(names, r);
        used.push(name);
        bytes = ops[name](bytes, r);
      }
      out.push({ format: s.format, mutation: used.join('+'), name: s.name, bytes });
    }
  }
  return out;
}
