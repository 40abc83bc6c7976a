import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DMA_FROM_DEVICE } from '../../src/model/dma.js';
import { readTrace } from '../../workloads/formats/index.js';
import { WORKLOADS, loadWorkload } from '../../workloads/index.js';
import { parseLatency } from '../../workloads/latency-model.js';
import { buildSchedule } from '../../workloads/schedule/build.js';
import { FIXTURES, runCli } from '../helpers.js';

const tools = join(FIXTURES, 'tools');

describe('kernel tools and IMIX files as workloads', () => {
  it('replays a dma_map_benchmark command: granule pages per round, held -x ns, in scatter-gather mode one page each', async () => {
    const t = await readTrace(join(tools, 'map-benchmark-sg.txt'));
    expect(t.format).toBe('dma-map-benchmark');
    expect(t.requests[0]).toEqual({ arrivalNs: 0, responseNs: 1000, offset: 0, size: 16384, write: false, dir: DMA_FROM_DEVICE, minAlignMask: 0, mayBlock: false, segments: 4 });
    expect(t.requests[1].arrivalNs).toBe(1001);
    expect(t.warnings.join()).toMatch(/the original ran 2 threads for 5 s; it reported: average map latency\(us\):1\.2 standard deviation:0\.4/);
    const s = buildSchedule('bench', t.requests.slice(0, 2), { threads: 2, segment: 'max', minAlignMask: 0xfff, latency: parseLatency('1'), completionCpu: 'same' });
    expect([...new Int32Array(s.size)]).toEqual([4096, 4096, 4096, 4096, 4096, 4096, 4096, 4096]);
    // One round per CPU: each CPU maps its 4 pages together.
    expect(new Int32Array(s.events[0]).length).toBe(8);
  });

  it('replays the first IMIX profile as received frames, saying which others it ignored', async () => {
    const t = await readTrace(join(tools, 'imix.csv'));
    expect(t.format).toBe('imix-csv');
    const sizes = new Map<number, number>();
    for (const r of t.requests) sizes.set(r.size, (sizes.get(r.size) ?? 0) + 1);
    expect([...sizes.keys()].sort((a, b) => a - b)).toEqual([60, 590, 1514]);
    expect(Math.abs(sizes.get(60)! / t.requests.length - 7 / 12)).toBeLessThan(0.02);
    expect(t.requests.every((r) => r.network === 'rx')).toBe(true);
    expect(t.warnings.join()).toMatch(/profile 'three_sizes' replayed; other ignored/);
  });

  it('refuses a debugfs reading with what it holds', async () => {
    await expect(readTrace(join(tools, 'debugfs.txt'))).rejects.toThrow(/a swiotlb debugfs reading \(io_tlb_nslabs 32768, io_tlb_used 512\), not a trace/);
  });
});

describe('named workloads', () => {
  const ctx = { threads: 2, latency: parseLatency('80+3000'), generator: { bs: '4k', rw: 'randread', rwmixread: 70, iodepth: 4, iosPerJob: 64, seed: 1 } };

  it.each([...WORKLOADS.keys()])('%s loads and builds a schedule', async (name) => {
    const t = await loadWorkload(name, ctx);
    expect(t.requests.length).toBeGreaterThan(0);
    const s = buildSchedule(name, t.requests, { threads: 2, segment: 'max', minAlignMask: 0xfff, latency: ctx.latency, completionCpu: 'same' });
    expect(s.facts.mappings).toBeGreaterThan(0);
    expect(s.facts.toDevicePct + s.facts.fromDevicePct + s.facts.bidirectionalPct).toBeCloseTo(100, 6);
  });

  it('--list --verbose states each workload\'s direction mix, sizes and bytes in flight', () => {
    const r = runCli('bench', ['--list', '--verbose']);
    expect(r.code).toBe(0);
    const facts = r.stdout.split('\n').filter((l) => /at 1 thread: \d+ mappings/.test(l));
    expect(facts).toHaveLength(WORKLOADS.size);
    for (const line of facts) expect(line).toMatch(/% (TO_DEVICE|FROM_DEVICE|BIDIRECTIONAL).*mapping size p50 .* in flight mean .*, peak /);
  });
});
