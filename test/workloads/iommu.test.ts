/**
 * iommu-dma in front of swiotlb for untrusted devices (workloads/drivers/iommu.ts)
 * and the profiles built on it: which buffers bounce (iova_unaligned():
 * `(phys | size) & (granule - 1)`), with which alloc_align_mask, and what
 * swiotlb_tbl_map_single() then allocates (kernel/dma/swiotlb.c, newest rules:
 * offset = orig & min_align_mask & (alloc_align_mask | 2047), size rounded up
 * to alloc_align_mask + 1, pad_slots = offset >> 11).
 */
import { describe, expect, it } from 'vitest';
import { DmaArena } from '../../src/model/dma-arena.js';
import { allocatePool } from '../../src/model/pool-layout.js';
import { SwiotlbPool } from '../../src/model/pool.js';
import { SLOT_PADDING, SLOT_USED } from '../../src/export/run-series.js';
import { slotStates } from '../../src/run/pool-snapshot.js';
import { bouncedPieces, iovaUnaligned, untrustedBounces } from '../../workloads/drivers/iommu.js';
import { DEFAULT_GENERATOR } from '../../workloads/generators/nvme.js';
import { loadWorkload } from '../../workloads/index.js';
import { parseLatency } from '../../workloads/latency-model.js';
import { buildSchedule } from '../../workloads/schedule/build.js';
import type { IoRequest } from '../../workloads/types.js';

const ctx = (iovaGranule: number) => ({ threads: 2, latency: parseLatency('80+3000'), generator: { ...DEFAULT_GENERATOR, iosPerJob: 2000 }, iovaGranule });
const req = (offset: number, size: number): IoRequest => ({ arrivalNs: 0, offset, size, write: false });

describe('iommu-dma bouncing of an untrusted device', () => {
  it('bounces a buffer exactly when its start or its length is not on a granule', () => {
    expect(iovaUnaligned(0x1_0000, 0x1_0000, 0x1_0000)).toBe(false);
    expect(iovaUnaligned(0x1_0000, 0x1000, 0x1_0000)).toBe(true); // 4 KiB in a 64 KiB granule
    expect(iovaUnaligned(0x1_1000, 0x1_0000, 0x1_0000)).toBe(true); // starts mid-granule
    expect(iovaUnaligned(0x3000, 0x2000, 0x1000)).toBe(false);
    expect(iovaUnaligned(0x3200, 0x2000, 0x1000)).toBe(true); // O_DIRECT buffer at 512 bytes into its page
  });

  it('single maps (iommu_dma_map_phys), 4 KiB granules: page-aligned whole pages stay off swiotlb, the rest bounce whole with alloc_align_mask 0xfff', () => {
    const requests = [req(0, 4096), req(8192, 65536), req(512, 4096), req(0, 1536), req(2048, 2048)];
    const r = untrustedBounces(requests, 4096, 'map-phys', 1);
    expect(r.buffers).toBe(5);
    expect(r.requests.map((x) => [x.offset, x.size, x.allocAlignMask])).toEqual([[512, 4096, 0xfff], [0, 1536, 0xfff], [2048, 2048, 0xfff]]);
  });

  it('with 64 KiB granules lets about one page-aligned 64 KiB buffer in 16 through (its page frame on a granule)', () => {
    const requests = Array.from({ length: 16_000 }, (_, i) => req(i * 65536, 65536));
    const r = untrustedBounces(requests, 65536, 'map-phys', 7);
    const through = r.buffers - r.requests.length;
    // Binomial(16000, 1/16): mean 1000, sd 31; +-6 sd.
    expect(through).toBeGreaterThan(810);
    expect(through).toBeLessThan(1190);
    expect(r.requests.every((x) => x.allocAlignMask === 0xffff)).toBe(true);
  });

  it('dma_iova_link (block requests): only the head up to the first granule boundary and the tail after the last bounce', () => {
    // 16 KiB at 512 bytes into a page, 4 KiB granules: 3584 bytes of head, 512 of tail; the 3 pages between are linked in place.
    expect(bouncedPieces(0x1_0000 + 512, 16384, 4096, 'iova-link')).toEqual([{ at: 0, size: 3584 }, { at: 15872, size: 512 }]);
    // Inside one granule: the whole buffer is the head.
    expect(bouncedPieces(0x1_0000 + 512, 2048, 65536, 'iova-link')).toEqual([{ at: 0, size: 2048 }]);
    // Aligned start, ragged end: a tail only.
    expect(bouncedPieces(0x2_0000, 65536 + 1024, 65536, 'iova-link')).toEqual([{ at: 65536, size: 1024 }]);
    expect(bouncedPieces(0x2_0000, 131072, 65536, 'iova-link')).toEqual([]);
    // The same 16 KiB buffer as a single map bounces whole.
    expect(bouncedPieces(0x1_0000 + 512, 16384, 4096, 'map-phys')).toEqual([{ at: 0, size: 16384 }]);
  });
});

describe('what swiotlb allocates for an iommu-dma bounce', () => {
  const BASE = 0x8000_0000;
  it('rounds a buffer up to whole 64 KiB granules and keeps its 2 KiB-and-up offset as a padding slot', () => {
    const pool = new SwiotlbPool(allocatePool(1024, 1, BASE, { withData: false, arena: new DmaArena() }));
    // NVMe (min_align_mask 0xfff), 64 KiB granule, 4 KiB at 0xA00 into its page:
    // offset = 0xA00 & 0xfff & (0xffff | 0x7ff) = 0xA00; size = ALIGN(4096 + 0xA00, 64 KiB) = 32 slots;
    // pad_slots = 0xA00 >> 11 = 1; the buffer starts 0x200 into the slot after the padding.
    const orig = 0x1_0000_0000 + 0x5000 + 0xa00;
    const tlb = pool.tblMapSingle(0, orig, 4096, 0xffff, 0xfff);
    const first = pool.slotOf(tlb);
    expect((tlb - BASE) % 2048).toBe(0x200);
    expect((first - 1) % 32).toBe(0); // the allocation starts on a 64 KiB granule
    expect(pool.padSlots[first]).toBe(1);
    expect(pool.usedSlots()).toBe(32);
    const states = slotStates(pool);
    expect(states.filter((s) => s === SLOT_PADDING).length).toBe(1);
    expect(states.filter((s) => s === SLOT_USED).length).toBe(31);
    pool.releaseSlots(tlb, 0xfff, 4096);
    expect(pool.usedSlots()).toBe(0);
  });

  it('gives a NIC (no min_align_mask) no padding but the whole granule', () => {
    const pool = new SwiotlbPool(allocatePool(1024, 1, BASE, { withData: false, arena: new DmaArena() }));
    const tlb = pool.tblMapSingle(0, 0x1_0000_0000 + 0x3000, 1536, 0x3fff, 0);
    expect(pool.usedSlots()).toBe(8); // 16 KiB granule
    expect(pool.padSlots[pool.slotOf(tlb)]).toBe(0);
    expect((tlb - BASE) % 16384).toBe(0);
  });
});

describe('iommu-untrusted and noncoherent-kmalloc profiles', () => {
  it('iommu-untrusted-nvme: sub-granule heads and tails with the granule mask, more of them bouncing with a 64 KiB granule', async () => {
    const small = await loadWorkload('iommu-untrusted-nvme', ctx(4096));
    const large = await loadWorkload('iommu-untrusted-nvme', ctx(65536));
    expect(small.requests.every((r) => r.allocAlignMask === 0xfff && r.size < 4096)).toBe(true);
    expect(large.requests.every((r) => r.allocAlignMask === 0xffff && r.size < 65536)).toBe(true);
    // 4 KiB granule, page-sized requests: a head starts mid-page and runs to its end; a tail starts a page.
    expect(small.requests.every((r) => (r.offset % 4096) + r.size === 4096 || r.offset % 4096 === 0)).toBe(true);
    const bytes = (rs: IoRequest[]) => rs.reduce((n, r) => n + r.size, 0);
    expect(bytes(large.requests)).toBeGreaterThan(2 * bytes(small.requests));
    const s = buildSchedule('iommu-untrusted-nvme', small.requests, { threads: 2, segment: 'max', minAlignMask: 0xfff, latency: parseLatency('80+3000'), completionCpu: 'same' });
    expect(new Int32Array(s.allocMask).every((m) => m === 0xfff)).toBe(true);
  });

  it('iommu-untrusted-nic: every RX buffer bounces (1536 bytes fill no granule)', async () => {
    const nic = await loadWorkload('iommu-untrusted-nic', ctx(16384));
    expect(nic.requests.length).toBeGreaterThan(0);
    expect(nic.requests.every((r) => r.allocAlignMask === 0x3fff && r.minAlignMask === 0)).toBe(true);
  });

  it('noncoherent-kmalloc: FROM_DEVICE buffers of the kmalloc sizes that are not cache-line multiples (64-byte line)', async () => {
    const k = await loadWorkload('noncoherent-kmalloc', ctx(4096));
    // kmalloc_size_roundup() with 8-byte minimum alignment: 8, 16, 32, 64, 96, 128, 192; bounce when not a multiple of 64.
    const roundup = (n: number) => [8, 16, 32, 64, 96, 128, 192].find((c) => c >= n)!;
    expect(k.requests.every((r) => !r.write && r.minAlignMask === 0 && roundup(r.size) % 64 !== 0 && r.offset % 8 === 0)).toBe(true);
    expect(new Set(k.requests.map((r) => roundup(r.size)))).toEqual(new Set([8, 16, 32, 96]));
  });
});
