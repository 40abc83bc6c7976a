/**
 * The block-trace readers on real traces copied into the repository
 * (test/fixtures/traces/real/, each folder with its PROVENANCE.md; files over
 * 1 MB stored gzipped, and the Tencent CBS sample is the shipped
 * workloads/traces/tencent-cbs-sample.csv.gz), detected from content, no format
 * given: each file's format, row count and first requests against the units in
 * its PROVENANCE.md; gzip; vSCSI segments; and the fio iolog v2/v3 fixtures
 * request by request.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../../src/base/paths.js';
import { detectFormat, readTrace } from '../../workloads/formats/index.js';
import { TraceSource } from '../../workloads/formats/trace-source.js';
import type { IoRequest } from '../../workloads/types.js';
import { vscsiBinary } from '../../workloads/formats/vscsi.js';
import { FIXTURES, tempDir } from '../helpers.js';

const real = (file: string) => join(FIXTURES, 'traces', 'real', file);
/** The same 50,000 rows (byte for byte, once gunzipped) as the SNIA Tencent CBS sample's cloud_storage-sample.csv. */
const SHIPPED = join(projectRoot(), 'workloads', 'traces');
const TENCENT = join(SHIPPED, 'tencent-cbs-sample.csv.gz');
/** The SYSTOR'17 traces sample, shipped as the systor17-vdi workload (byte-identical to shared/traces' copy). */
const SYSTOR = join(SHIPPED, 'systor17-vdi-sample.csv');
/** A trace's plain bytes, un-gzipping the copies stored gzipped. */
const plainBytes = (file: string) => (file.endsWith('.gz') ? gunzipSync(readFileSync(file)) : readFileSync(file));

describe('real block traces (test/fixtures/traces/real), detected from content', () => {
  it('MSN file server (DiskSim ASCII, ms with a decimal point): disksim, 149,999 requests', async () => {
    const t = await readTrace(real('msn-fileserver/MSN-FS-30s-ms.gz'));
    expect(t.format).toBe('disksim');
    expect(t.requests).toHaveLength(149_999);
    expect(t.warnings).toEqual([]); // monotonic
    // `0.000 5 174224064 16 1`: offset 174224064 sectors * 512 = 89202720768 B, 16 * 512 = 8192 B, type 1 = read.
    expect(t.requests[0]).toEqual({ arrivalNs: 0, offset: 89_202_720_768, size: 8192, write: false });
    // `0.221 5 162947904 16 1`: 0.221 ms = 221000 ns; 162947904 * 512 = 83429326848.
    expect(t.requests[1]).toEqual({ arrivalNs: 221_000, offset: 83_429_326_848, size: 8192, write: false });
    expect(t.requests.filter((r) => !r.write)).toHaveLength(130_483);
  });

  it('UMass Financial1 (SSDsim ASCII = MQSim layout): mqsim, 10,000 requests', async () => {
    const t = await readTrace(real('umass-financial1-head/example.ascii'));
    expect(t.format).toBe('mqsim');
    expect(t.requests).toHaveLength(10_000);
    // `0 0 303567 7 0`: 303567 * 512 = 155426304 B, 7 * 512 = 3584 B, op 0 = write.
    expect(t.requests[0]).toEqual({ arrivalNs: 0, offset: 155_426_304, size: 3584, write: true });
    // third line `26214000 0 303574 7 0`: arrival already in ns.
    expect(t.requests[2]).toEqual({ arrivalNs: 26_214_000, offset: 303_574 * 512, size: 3584, write: true });
    expect(t.requests.filter((r) => r.write)).toHaveLength(5922);
  });

  it('Tencent CBS CSV: tencent, 50,000 requests, sectors, 1 = write, arrivals relative to the first row', async () => {
    const t = await readTrace(TENCENT);
    expect(t.format).toBe('tencent');
    expect(t.requests).toHaveLength(50_000);
    // `1538323200,4247200,128,1,1058`: 4247200 * 512 = 2174566400 B, 128 * 512 = 65536 B, IOType 1 = write.
    expect(t.requests[0]).toEqual({ arrivalNs: 0, offset: 2_174_566_400, size: 65_536, write: true });
    // `1538323199,13896880,128,0,1063`: (1538323199 - 1538323200) s = -1e9 ns; 13896880 * 512 = 7115202560; read.
    expect(t.requests[1]).toEqual({ arrivalNs: -1e9, offset: 7_115_202_560, size: 65_536, write: false });
    expect(t.requests.filter((r) => r.write)).toHaveLength(25_479);
    // The sample is not time-ordered (PROVENANCE: 144 inversions): a warning, not an error.
    expect(t.warnings).toEqual([expect.stringMatching(/tencent-cbs-sample\.csv\.gz: line 2: rows go back in time/)]);
  });

  it('SYSTOR\'17 traces-sample: systor17, 999 requests with response times', async () => {
    const t = await readTrace(SYSTOR);
    expect(t.format).toBe('systor17');
    expect(t.requests).toHaveLength(999);
    // `1456095145.133076000,0.000806000,R,0,899056122368,131072`: bytes as given, 0.000806 s = 806000 ns.
    expect(t.requests[0]).toEqual({ arrivalNs: 0, offset: 899_056_122_368, size: 131_072, write: false, responseNs: 806_000 });
    // `1456095145.126285000,0.008044000,R,...`: .126285000 - .133076000 s = -6791000 ns (unsorted rows).
    expect(t.requests[1]).toEqual({ arrivalNs: -6_791_000, offset: 4_256_049_987_072, size: 122_880, write: false, responseNs: 8_044_000 });
    expect(t.requests.filter((r) => !r.write)).toHaveLength(826);
    expect(t.warnings).toEqual([expect.stringMatching(/line 3: rows go back in time/)]);
  });

  it('SYSTOR\'17 additional-sample: systor17, 999 requests', async () => {
    const t = await readTrace(real('snia-systor17-sample/systor17-additional-sample.csv'));
    expect(t.format).toBe('systor17');
    expect(t.requests).toHaveLength(999);
    // `1455591804.310701000,0.006475000,R,0,203468398592,32768` then `1455591804.318699000,...`: +7998000 ns.
    expect(t.requests[0]).toEqual({ arrivalNs: 0, offset: 203_468_398_592, size: 32_768, write: false, responseNs: 6_475_000 });
    expect(t.requests[1].arrivalNs).toBe(7_998_000);
    expect(t.requests.filter((r) => r.write)).toHaveLength(299);
  });

  it('CloudPhysics CSV: cloudphysics-csv, 113,872 requests (all READ(10)/WRITE(10): none skipped)', async () => {
    const t = await readTrace(real('cloudphysics-vscsi/cloudPhysicsIO.csv.gz'));
    expect(t.format).toBe('cloudphysics-csv');
    expect(t.requests).toHaveLength(113_872);
    expect(t.warnings).toEqual([]);
    // `1,5633898,2a,512,42932745`: lbn 42932745 * 512 = 21981565440 B, 512 B, 0x2a = WRITE(10).
    expect(t.requests[0]).toEqual({ arrivalNs: 0, offset: 21_981_565_440, size: 512, write: true });
    expect(t.requests.filter((r) => r.write)).toHaveLength(66_898);
    // Last row: 7200 whole seconds after the first (5641098 - 5633898).
    expect(t.requests.at(-1)!.arrivalNs).toBe(7200e9);
  });

  it('CloudPhysics vSCSI binary: vscsi, 113,872 requests with µs times and scatter-gather segments', async () => {
    const t = await readTrace(real('cloudphysics-vscsi/cloudPhysicsIO.vscsi.gz'));
    expect(t.format).toBe('vscsi');
    expect(t.requests).toHaveLength(113_872);
    expect(t.warnings).toEqual([]);
    // record 0: len 512, nSG 1, cmd 0x2a, lbn 42932745 (* 512 = 21981565440), ts 5633898368802 µs.
    expect(t.requests[0]).toEqual({ arrivalNs: 0, offset: 21_981_565_440, size: 512, write: true, segments: 1 });
    // record 1: ts 5633898611441 µs: (5633898611441 - 5633898368802) * 1000 = 242639000 ns.
    expect(t.requests[1]).toEqual({ arrivalNs: 242_639_000, offset: 21_981_565_952, size: 512, write: true, segments: 1 });
    // Span 7,200.09 s: last ts 5641098458687 µs.
    expect(t.requests.at(-1)!.arrivalNs).toBe((5_641_098_458_687 - 5_633_898_368_802) * 1000);
    // nSG per PROVENANCE: 16 x38,350, 17 x11,178, max 17.
    const segs = t.requests.map((r) => r.segments!);
    expect(segs.filter((s) => s === 16)).toHaveLength(38_350);
    expect(segs.filter((s) => s === 17)).toHaveLength(11_178);
    expect(Math.max(...segs)).toBe(17);
  });

  it('the CSV and binary CloudPhysics files are the same requests (CSV time = floor(ts / 1e6))', async () => {
    const csv = (await readTrace(real('cloudphysics-vscsi/cloudPhysicsIO.csv.gz'))).requests;
    const bin = (await readTrace(real('cloudphysics-vscsi/cloudPhysicsIO.vscsi.gz'))).requests;
    expect(bin.map((r) => [r.offset, r.size, r.write])).toEqual(csv.map((r) => [r.offset, r.size, r.write]));
    const t0 = 5_633_898_368_802; // first ts (µs); the CSV's first time is floor(t0 / 1e6) = 5633898 s
    const binSeconds = bin.map((r) => Math.floor((t0 + r.arrivalNs / 1000) / 1e6) - 5_633_898);
    expect(binSeconds).toEqual(csv.map((r) => r.arrivalNs / 1e9));
  });

  it('vSCSI records cut across read chunks (any chunk sizes) decode the same', async () => {
    const file = real('cloudphysics-vscsi/cloudPhysicsIO.vscsi.gz');
    const bytes = plainBytes(file).subarray(0, 32 * 5000);
    const sizes = [1, 7, 31, 32, 33, 45, 64, 100, 4099];
    const warnings: string[] = [];
    // Just what the reader uses of a TraceSource, with chunks of awkward sizes.
    const source = {
      file,
      warn: (m: string) => warnings.push(m),
      async *chunks() {
        for (let at = 0, k = 0; at < bytes.length; k++) {
          const n = sizes[k % sizes.length];
          yield bytes.subarray(at, at + n);
          at += n;
        }
      },
    } as unknown as TraceSource;
    const chunked: IoRequest[] = [];
    for await (const r of vscsiBinary.read(source)) chunked.push(r);
    const whole = (await readTrace(file)).requests.slice(0, 5000);
    expect(chunked).toEqual(whole);
    expect(warnings).toEqual([]);
  });

  it('read() yields the same requests as readBatches() for every new format', async () => {
    const files = [
      real('msn-fileserver/MSN-FS-30s-ms.gz'), TENCENT, SYSTOR,
      real('cloudphysics-vscsi/cloudPhysicsIO.csv.gz'), real('cloudphysics-vscsi/cloudPhysicsIO.vscsi.gz'), join(FIXTURES, 'formats', 'fio-v2.log'), join(FIXTURES, 'formats', 'fio-v3.log'),
    ];
    for (const file of files) {
      const source = await TraceSource.open(file);
      const format = detectFormat(source);
      const one: IoRequest[] = [];
      for await (const r of format.read(source)) one.push(r);
      const t = await readTrace(file);
      expect(one, file).toEqual(t.requests);
      expect(source.warnings).toEqual(t.warnings);
    }
  });

  it('reads a gzipped copy to the same requests (text and binary)', async () => {
    const dir = tempDir('formats-gz');
    // The plain bytes (un-gzipped first where the fixture is stored gzipped) as a plain file and as a gzipped copy.
    for (const [name, file] of [['systor.csv', SYSTOR], ['cp.vscsi', real('cloudphysics-vscsi/cloudPhysicsIO.vscsi.gz')], ['msn', real('msn-fileserver/MSN-FS-30s-ms.gz')]]) {
      const bytes = plainBytes(file);
      const flat = join(dir, name);
      const gz = join(dir, `${name}.gz`);
      writeFileSync(flat, bytes);
      writeFileSync(gz, gzipSync(bytes));
      const plain = await readTrace(flat);
      const zipped = await readTrace(gz);
      expect(zipped.format).toBe(plain.format);
      expect(zipped.requests).toEqual(plain.requests);
      // The fixture as stored (plain, or gzip -9 -n) decodes the same too.
      expect((await readTrace(file)).requests).toEqual(plain.requests);
    }
    rmSync(dir, { recursive: true, force: true }); // ~8 MB of plain copies
  });
});

describe('fio iolog fixtures', () => {
  const dir = join(FIXTURES, 'formats');

  it('v2: waits (µs since the previous wait) give the arrivals; add/open/close/sync/trim make no requests', async () => {
    const file = join(dir, 'fio-v2.log');
    expect(detectFormat(await TraceSource.open(file)).name).toBe('fio-iolog2');
    const t = await readTrace(file);
    expect(t.format).toBe('fio-iolog2');
    expect(t.requests).toEqual([
      { arrivalNs: 0, offset: 0, size: 4096, write: false },
      { arrivalNs: 0, offset: 1_048_576, size: 8192, write: true },
      { arrivalNs: 250_000, offset: 4096, size: 4096, write: false }, // after `wait 250`
      { arrivalNs: 1_250_000, offset: 2_097_664, size: 131_072, write: true }, // after `wait 1000` more
    ]);
    expect(t.warnings).toEqual([expect.stringMatching(/fio-v2\.log: line 8: ignored 2 sync\/datasync\/trim action\(s\)/)]);
  });

  it('v3: timestamps (µs from the start of the run) give the arrivals', async () => {
    const file = join(dir, 'fio-v3.log');
    const t = await readTrace(file);
    expect(t.format).toBe('fio-iolog3');
    expect(t.requests).toEqual([
      { arrivalNs: 878_000, offset: 0, size: 16_384, write: true },
      { arrivalNs: 888_000, offset: 16_384, size: 4096, write: false },
      { arrivalNs: 10_001_677_000, offset: 520, size: 512, write: true },
    ]);
    expect(t.warnings).toEqual([expect.stringMatching(/line 6: ignored 1 sync\/datasync\/trim action\(s\)/)]);
  });

  it('v2 and v3 are told apart by the header and each refuses the other', async () => {
    const v3 = await TraceSource.open(join(dir, 'fio-v3.log'));
    expect(detectFormat(v3).name).toBe('fio-iolog3');
    await expect(readTrace(join(dir, 'fio-v3.log'), 'fio-iolog2')).rejects.toThrow(/fio-v3\.log:1: field 'header': missing 'fio version 2 iolog' header line/);
  });
});
