import { describe, expect, it } from 'vitest';
import { STRATEGIES, getStrategy } from '../../strategies/index.js';
import { runOne } from '../../src/run/run-one.js';
import { SLOT_FREE, SLOT_PADDING } from '../../src/export/run-series.js';
import { DEFAULT_GENERATOR, generateNvme } from '../../workloads/generators/nvme.js';
import { loadWorkload } from '../../workloads/index.js';
import { parseLatency } from '../../workloads/latency-model.js';
import { buildSchedule } from '../../workloads/schedule/build.js';

const latency = parseLatency('20+3000');

/** A busy mixed workload on a small pool, so areas fill, spill and fail. */
function schedule(threads: number, completionCpu: 'same' | 'other') {
  const requests = generateNvme({ bs: '512/10:4k/40:64k/30:200k/20', rw: 'randrw', rwmixread: 60, iodepth: 16, iosPerJob: 400, seed: 11 }, threads, latency);
  return buildSchedule('stress', requests, { threads, segment: 'max', minAlignMask: 0xfff, latency, completionCpu });
}

async function verifyRun(strategy: string, threads: number, completionCpu: 'same' | 'other', pool: { poolSlots: number; maxPoolSlots?: number } = { poolSlots: 1024 }) {
  const s = getStrategy(strategy);
  return runOne({
    strategy: s, strategyRef: strategy, plan: s.plan({ ...pool, rules: 'newest', threads }), schedule: schedule(threads, completionCpu), threads, repeat: 0,
    // 8 workers on 2 cores get longer: each must map at least once while the others hold the cores (and, throttled, the semaphore).
    durationMs: threads >= 8 ? 600 : 300, warmupMs: 100, sampleEvery: 16, sampleIntervalMs: 100, verify: true, barrierTimeoutMs: 20_000,
  });
}

describe('workers sharing one pool, verify mode', () => {
  for (const strategy of STRATEGIES.keys()) {
    for (const threads of [2, 4, 8]) {
      it(`${strategy}, ${threads} workers: every byte intact, no slot twice, io_tlb_used back to 0`, async () => {
        const out = await verifyRun(strategy, threads, 'same');
        expect(out.verify).not.toBeNull();
        expect(out.verify!.checkedBytes).toBeGreaterThan(1_000_000);
        expect(out.verify!.corruptedBytes).toBe(0);
        expect(out.verify!.overlaps).toBe(0);
        expect(out.row.io_tlb_used_after).toBe(0);
        expect(out.row.maps).toBeGreaterThan(0);
        expect(out.workers.every((w) => w.maps > 0)).toBe(true);
        const areas: Record<string, number> = { 'global-lock': 1, 'per-cpu-areas': threads, 'per-numa-pools': threads / 2 };
        if (strategy in areas) expect(out.row.nareas).toBe(areas[strategy]);
      });
    }
  }

  it('cross-CPU completion (unmap on the next CPU) keeps the same invariants', async () => {
    const out = await verifyRun('per-cpu-areas', 4, 'other');
    expect(out.verify!.checkedBytes).toBeGreaterThan(0);
    expect(out.verify!.corruptedBytes).toBe(0);
    expect(out.verify!.overlaps).toBe(0);
    expect(out.row.io_tlb_used_after).toBe(0);
    expect(out.row.unmaps).toBeGreaterThan(0);
  });

  it('dynamic-growth stays intact while pools are added and transient pools come and go', async () => {
    const out = await verifyRun('dynamic-growth', 4, 'same', { poolSlots: 512, maxPoolSlots: 6144 });
    expect(out.verify!.checkedBytes).toBeGreaterThan(0);
    expect(out.verify!.corruptedBytes).toBe(0);
    expect(out.verify!.overlaps).toBe(0);
    expect(out.row.io_tlb_used_after).toBe(0);
    expect(Number(out.row.growths)).toBeGreaterThanOrEqual(1);
    expect(Number(out.row.transient_peak_slots)).toBeGreaterThan(0);
    expect(Number(out.row.io_tlb_nslabs_end)).toBeGreaterThan(512);
  });

  it('a small pool under 8 workers really is contended: failures and area spills happen', async () => {
    const out = await verifyRun('per-cpu-areas', 8, 'same');
    expect(out.row.full_failures).toBeGreaterThan(0);
    expect(out.row.area_fallbacks_per_map).toBeGreaterThan(0);
    expect(out.messages[0]).toMatch(/^swiotlb buffer is full \(sz: \d+ bytes\), total 1024 \(slots\), used \d+ \(slots\)$/);
    // Failed attempts are timed apart from the maps that succeeded.
    expect(out.row.failed_map_p50_ns).toBeGreaterThan(0);
    expect(out.row.map_p50_ns).toBeGreaterThan(0);
    // The pool's picture at its fullest is a copy taken at (within 2% of) the high-water mark.
    const [peak, end] = out.snapshots;
    expect(peak.moment).toBe('peak');
    expect(end.moment).toBe('end');
    expect(peak.used).toBeGreaterThanOrEqual(end.used);
    expect(peak.used).toBeGreaterThanOrEqual(Math.floor(0.9 * out.row.hiwater_slots));
  });
});

describe('iommu-dma bounces (alloc_align_mask = IOVA granule - 1), verify mode', () => {
  const iommuSchedule = async (threads: number, granule: number) => {
    const loaded = await loadWorkload('iommu-untrusted-nvme', { threads, latency, generator: { ...DEFAULT_GENERATOR, iosPerJob: 400, seed: 3 }, iovaGranule: granule });
    return buildSchedule('iommu-untrusted-nvme', loaded.requests, { threads, segment: 'max', minAlignMask: 0xfff, latency, completionCpu: 'same' });
  };
  for (const strategy of STRATEGIES.keys()) {
    it(`${strategy}, 2 workers, 64 KiB granules: every byte intact, io_tlb_used back to 0, padding slots in the pool pictures`, async () => {
      const s = getStrategy(strategy);
      const out = await runOne({
        strategy: s, strategyRef: strategy, plan: s.plan({ poolSlots: 8192, rules: 'newest', threads: 2 }), schedule: await iommuSchedule(2, 65536), threads: 2, repeat: 0,
        durationMs: 300, warmupMs: 100, sampleEvery: 16, sampleIntervalMs: 20, verify: true, barrierTimeoutMs: 20_000,
      });
      expect(out.verify!.checkedBytes).toBeGreaterThan(100_000);
      expect(out.verify!.corruptedBytes).toBe(0);
      expect(out.verify!.overlaps).toBe(0);
      expect(out.row.io_tlb_used_after).toBe(0);
      // Heads that start 2 KiB or more into their page take one pad slot each (pad_slots = offset >> 11).
      const padded = out.snapshots.flatMap((p) => p.pools).some((pool) => Buffer.from(pool.states, 'base64').includes(SLOT_PADDING));
      expect(padded).toBe(true);
    });
  }
});

describe('two devices (virtio-blk-net), verify mode', () => {
  const twoDevices = async (threads: number) => {
    const loaded = await loadWorkload('virtio-blk-net', { threads, latency, generator: { ...DEFAULT_GENERATOR, iosPerJob: 200, seed: 9 } });
    return buildSchedule('virtio-blk-net', loaded.requests, { threads, segment: 'max', minAlignMask: 0, latency, completionCpu: 'same' });
  };
  for (const [strategy, threads] of [2, 4, 8].flatMap((t) => [['per-device-pools', t], ['child-pools', t]] as const)) {
    it(`${strategy}, ${threads} workers: each device in its own pool, every byte intact, io_tlb_used back to 0`, async () => {
      const s = getStrategy(strategy);
      const schedule = await twoDevices(threads);
      const plan = s.plan({ poolSlots: 4096, rules: 'newest', threads, devices: schedule.devices });
      expect(plan.nslabs).toBe(4096);
      const out = await runOne({
        strategy: s, strategyRef: strategy, plan, schedule, threads, repeat: 0,
        durationMs: threads >= 8 ? 600 : 300, warmupMs: 100, sampleEvery: 16, sampleIntervalMs: 20, verify: true, barrierTimeoutMs: 20_000,
      });
      expect(out.verify!.checkedBytes).toBeGreaterThan(100_000);
      expect(out.verify!.corruptedBytes).toBe(0);
      expect(out.verify!.overlaps).toBe(0);
      expect(out.row.io_tlb_used_after).toBe(0);
      // Both restricted pools were used: the NIC's ring buffers fill device 1's.
      const pools = out.snapshots.find((p) => p.moment === 'peak')!.pools;
      expect(pools.map((p) => p.label)).toEqual(['device 0', 'device 1']);
      expect(pools.every((p) => Buffer.from(p.states, 'base64').some((st) => st !== SLOT_FREE))).toBe(true);
    });
  }
});
