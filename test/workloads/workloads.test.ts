import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { maxMappingSize } from '../../src/model/constants.js';
import { DMA_ATTR_MAY_BLOCK, DMA_FROM_DEVICE, DMA_TO_DEVICE } from '../../src/model/dma.js';
import { InputError, ParseError } from '../../src/base/errors.js';
import { detectFormat, readTrace } from '../../workloads/formats/index.js';
import { loadWorkload } from '../../workloads/index.js';
import { TraceSource } from '../../workloads/formats/trace-source.js';
import { parseLatency } from '../../workloads/latency-model.js';
import { generateNvme } from '../../workloads/generators/nvme.js';
import { splitRequest } from '../../workloads/drivers/nvme.js';
import { buildSchedule } from '../../workloads/schedule/build.js';
import { HOST_BASE } from '../../workloads/schedule/host-memory.js';
import { FIXTURES, tempDir } from '../helpers.js';
import { writeFileSync } from 'node:fs';

const latency = parseLatency('80+3000');
const traces = join(FIXTURES, 'traces');

describe('trace readers', () => {
  it('reads MSR Cambridge CSV with its units (FILETIME ticks, bytes)', async () => {
    const file = join(traces, 'msr-small.csv');
    expect(detectFormat(await TraceSource.open(file)).name).toBe('msr');
    const r = (await readTrace(file)).requests;
    expect(r).toHaveLength(3);
    expect(r[0]).toEqual({ arrivalNs: 0, offset: 9056014336, size: 2048, write: true, responseNs: 283300 });
    expect(r[1]).toMatchObject({ arrivalNs: 21500, offset: 11855351809, size: 512, write: false, responseNs: 261700 });
    expect(r[2].arrivalNs).toBe(100_021_500);
  });

  it('reads MQSim ASCII with 512-byte sectors and 0 = write', async () => {
    const file = join(traces, 'mqsim-small.trace');
    expect(detectFormat(await TraceSource.open(file)).name).toBe('mqsim');
    const r = (await readTrace(file)).requests;
    expect(r).toEqual([
      { arrivalNs: 0, offset: 51200, size: 8192, write: true },
      { arrivalNs: 1000, offset: 4608, size: 4096, write: false },
    ]);
  });

  it('loads both shipped traces by name', async () => {
    const ctx = { threads: 2, latency, generator: { bs: '4k', rw: 'randread', rwmixread: 70, iodepth: 4, iosPerJob: 10, seed: 1 } };
    expect((await loadWorkload('msr-hm0', ctx)).requests).toHaveLength(1000);
    expect((await loadWorkload('tpcc', ctx)).requests).toHaveLength(6999);
  });

  it.each([
    ['msr-short.csv', '128166385295514663,hm,0,Write,1,2048,1\n128166385295514663,hm,0,Write,9056014336,2048\n', /msr-short\.csv:2: field 'ResponseTime': expected 7 fields/],
    ['msr-type.csv', '128166385295514663,hm,0,Write,1,2048,1\n128166385295514663,hm,0,Trim,1,2048,1\n', /msr-type\.csv:2: field 'Type': 'Trim' is not Read or Write/],
    ['msr-size.csv', '128166385295514663,hm,0,Write,1,2048,1\n128166385295514663,hm,0,Read,1,0,1\n', /msr-size\.csv:2: field 'Size': must be greater than 0/],
    ['msr-nan.csv', '128166385295514663,hm,0,Write,1,2048,1\n128166385295514663,hm,0,Read,x1,512,1\n', /msr-nan\.csv:2: field 'Offset': 'x1' is not a non-negative integer/],
    ['mq-type.trace', '1000 4 100 16 0\n2000 3 9 8 7\n', /mq-type\.trace:2: field 'Type'/],
  ])('%s fails naming file, line and field', async (name, text, message) => {
    const file = join(tempDir('trace'), name);
    writeFileSync(file, text);
    await expect(readTrace(file)).rejects.toThrow(ParseError);
    await expect(readTrace(file)).rejects.toThrow(message);
  });

  it('says which formats were tried for an unknown file, and rejects empty ones', async () => {
    const dir = tempDir('trace');
    writeFileSync(join(dir, 'x.txt'), 'hello world\n');
    const source = await TraceSource.open(join(dir, 'x.txt'));
    expect(() => detectFormat(source)).toThrow(/matches no trace format \(tried msr: .*; mqsim: .*\)/);
    writeFileSync(join(dir, 'empty.txt'), '');
    await expect(readTrace(join(dir, 'empty.txt'))).rejects.toThrow(InputError);
  });
});

describe('NVMe request splitting', () => {
  it('max: chunks of at most swiotlb_max_mapping_size (252 KiB with 0xfff)', () => {
    expect(maxMappingSize(0xfff)).toBe(252 * 1024);
    expect(maxMappingSize(0)).toBe(256 * 1024);
    expect(splitRequest(0, 600_000, 'max', 0xfff).map((c) => c.size)).toEqual([258048, 258048, 83904]);
  });

  it('page: the first chunk ends at the page boundary, then whole pages', () => {
    expect(splitRequest(0x200, 10_000, 'page', 0xfff)).toEqual([
      { at: 0, size: 3584 }, { at: 3584, size: 4096 }, { at: 7680, size: 2320 },
    ]);
  });
});

describe('replay schedule', () => {
  it('maps at arrival, unmaps at completion, on the submitting CPU, in time order', async () => {
    const requests = (await readTrace(join(traces, 'msr-small.csv'))).requests;
    const s = buildSchedule('t', requests, { threads: 2, segment: 'max', minAlignMask: 0xfff, latency, completionCpu: 'same' });
    expect(s.mappings).toBe(5); // 1 + 1 + 3 chunks of the 600000-byte write
    expect(s.facts.splitRequests).toBe(1);
    const orig = new Float64Array(s.orig);
    const size = new Int32Array(s.size);
    const dir = new Int32Array(s.dir);
    expect(Array.from(dir)).toEqual([DMA_TO_DEVICE, DMA_FROM_DEVICE, DMA_TO_DEVICE, DMA_TO_DEVICE, DMA_TO_DEVICE]);
    // Block I/O may sleep: DMA_ATTR_MAY_BLOCK, on a split request's first mapping only (the RFC throttles a scatterlist by its first entry).
    expect(Array.from(new Int32Array(s.attrs))).toEqual([DMA_ATTR_MAY_BLOCK, DMA_ATTR_MAY_BLOCK, DMA_ATTR_MAY_BLOCK, 0, 0]);
    // The buffer's in-page offset comes from the device offset.
    expect((orig[1] - HOST_BASE) % 4096).toBe(11855351809 % 4096);
    const cpu0 = Array.from(new Int32Array(s.events[0]));
    const cpu1 = Array.from(new Int32Array(s.events[1]));
    expect(cpu0).toEqual([0 << 1, (0 << 1) | 1, 2 << 1, 3 << 1, 4 << 1, (2 << 1) | 1, (3 << 1) | 1, (4 << 1) | 1]);
    expect(cpu1).toEqual([1 << 1, (1 << 1) | 1]);
    expect(size[2] + size[3] + size[4]).toBe(600000);
  });

  it('never gives two mappings that are live at once the same host bytes', () => {
    const requests = generateNvme({ bs: '4k/40:64k/40:200k/20', rw: 'randrw', rwmixread: 50, iodepth: 8, iosPerJob: 300, seed: 3 }, 3, latency);
    const s = buildSchedule('g', requests, { threads: 3, segment: 'page', minAlignMask: 0xfff, latency, completionCpu: 'same' });
    const orig = new Float64Array(s.orig);
    const size = new Int32Array(s.size);
    let reused = 0;
    let overlaps = 0;
    // Same-CPU completion: each CPU's list holds every event of its mappings, in the global order.
    for (let cpu = 0; cpu < 3; cpu++) {
      const live = new Set<number>();
      const seen = new Set<number>();
      for (const e of new Int32Array(s.events[cpu])) {
        const m = e >> 1;
        if ((e & 1) === 1) {
          live.delete(m);
          continue;
        }
        for (const other of live) if (!(orig[m] + size[m] <= orig[other] || orig[other] + size[other] <= orig[m])) overlaps++;
        if (seen.has(orig[m] - (orig[m] % 4096))) reused++;
        seen.add(orig[m] - (orig[m] % 4096));
        live.add(m);
      }
    }
    expect(overlaps).toBe(0);
    expect(reused).toBeGreaterThan(0); // regions really are recycled
  });

  it('gives a CPU with no requests an empty event list (not a phantom map)', () => {
    const s = buildSchedule('one-cpu', [{ arrivalNs: 0, offset: 0, size: 4096, write: true, cpu: 0 }], { threads: 3, segment: 'max', minAlignMask: 0xfff, latency, completionCpu: 'same' });
    expect(s.events.map((e) => new Int32Array(e).length)).toEqual([2, 0, 0]);
  });

  it('numbers the users of each host region 0..uses-1 for the cross-CPU hand-off', () => {
    const requests = generateNvme({ bs: '4k/50:64k/50', rw: 'randrw', rwmixread: 50, iodepth: 4, iosPerJob: 200, seed: 5 }, 2, latency);
    const s = buildSchedule('g', requests, { threads: 2, segment: 'max', minAlignMask: 0xfff, latency, completionCpu: 'other' });
    expect(s.crossCpu).toBe(true);
    const region = new Int32Array(s.region);
    const seq = new Int32Array(s.regionSeq);
    const uses = new Int32Array(s.regionUses);
    const seqs = new Map<number, number[]>();
    for (let m = 0; m < s.mappings; m++) seqs.set(region[m], [...(seqs.get(region[m]) ?? []), seq[m]]);
    for (const [r, list] of seqs) expect(list.sort((a, b) => a - b)).toEqual(Array.from({ length: uses[r] }, (_, i) => i));
    // Unmaps run on the next CPU.
    const mapCpu = new Int32Array(s.mapCpu);
    for (const e of new Int32Array(s.events[1])) if ((e & 1) === 1) expect(mapCpu[e >> 1]).toBe(0);
  });

  it('the generator is deterministic per seed and keeps iodepth in flight per job', () => {
    const params = { bs: '4k', rw: 'randread', rwmixread: 70, iodepth: 4, iosPerJob: 40, seed: 9 };
    const a = generateNvme(params, 2, latency);
    expect(generateNvme(params, 2, latency)).toEqual(a);
    expect(generateNvme({ ...params, seed: 10 }, 2, latency)).not.toEqual(a);
    expect(a.filter((r) => r.cpu === 0 && r.arrivalNs === 0)).toHaveLength(4);
    expect(a.every((r) => !r.write && r.size === 4096 && r.offset % 4096 === 0)).toBe(true);
  });
});
