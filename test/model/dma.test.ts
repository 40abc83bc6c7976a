import { describe, expect, it } from 'vitest';
import { DMA_BIDIRECTIONAL, DMA_ATTR_NO_WARN, DMA_ATTR_SKIP_CPU_SYNC, DMA_FROM_DEVICE, DMA_TO_DEVICE, DmaDirectionError, DmaMapper, type DmaDirection, fullMessage } from '../../src/model/dma.js';
import type { KernelRules } from '../../src/model/constants.js';
import { DmaArena } from '../../src/model/dma-arena.js';
import { SwiotlbPool } from '../../src/model/pool.js';
import { allocatePool } from '../../src/model/pool-layout.js';
import { hostMemory } from '../../src/model/strategy.js';
import { RATELIMIT_BURST, RATELIMIT_INTERVAL_MS, RATELIMIT_SILENT, Ratelimit, allocateRatelimit, printsOf, suppressedOf } from '../../src/model/ratelimit.js';

const HOST = 0x1_0000_0000;
const dev = { name: 'nvme0', minAlignMask: 0xfff };

/** Where the host buffers live: in the pool's WebAssembly memory (the harness: one call maps and copies) or in a plain typed array. */
type HostPlacement = 'shared memory' | 'typed array';

function setup(nslabs = 256, rules: KernelRules = 'newest', placement: HostPlacement = 'shared memory') {
  const arena = new DmaArena();
  const pool = new SwiotlbPool(allocatePool(nslabs, 1, 0x8000_0000, { rules, arena }));
  const region = arena.region(1 << 20, 4096);
  const host = placement === 'typed array' ? hostMemory(new Uint8Array(1 << 20), HOST) : hostMemory(new Uint8Array(arena.buffer, region.offset, region.bytes), HOST, arena.memory);
  return { pool, host, dma: new DmaMapper(pool, host, 0) };
}

const ORIG = HOST + 0x3000 + 0x1a0;
const SIZE = 5000;

function fillHost(host: { bytes: Uint8Array }, value: number) {
  host.bytes.fill(value, ORIG - HOST, ORIG - HOST + SIZE);
}
const hostAt = (host: { bytes: Uint8Array }) => host.bytes.subarray(ORIG - HOST, ORIG - HOST + SIZE);

describe.each(['shared memory', 'typed array'] as HostPlacement[])('copy directions (model section 6 table), host in a %s', (placement) => {
  it.each([DMA_TO_DEVICE, DMA_FROM_DEVICE, DMA_BIDIRECTIONAL] as DmaDirection[])('map copies original -> bounce for direction %i', (dir) => {
    const { pool, host, dma } = setup(256, 'newest', placement);
    fillHost(host, 0x66);
    const tlb = dma.map(dev, ORIG, SIZE, dir);
    expect(tlb).toBeGreaterThan(0);
    expect(tlb & 0xfff).toBe(ORIG & 0xfff);
    expect(pool.deviceAccess(tlb, SIZE).every((b) => b === 0x66)).toBe(true);
  });

  it.each([
    [DMA_TO_DEVICE, false],
    [DMA_FROM_DEVICE, true],
    [DMA_BIDIRECTIONAL, true],
  ] as [DmaDirection, boolean][])('unmap of direction %i copies bounce -> original: %s', (dir, copies) => {
    const { pool, host, dma } = setup(256, 'newest', placement);
    fillHost(host, 0x11);
    const tlb = dma.map(dev, ORIG, SIZE, dir);
    pool.deviceAccess(tlb, SIZE).fill(0x22); // the device writes
    dma.unmap(dev, tlb, SIZE, dir);
    expect(hostAt(host).every((b) => b === (copies ? 0x22 : 0x11))).toBe(true);
    expect(pool.usedSlots()).toBe(0);
  });

  // swiotlb_tbl_map_single() calls swiotlb_bounce(..., DMA_TO_DEVICE) whatever the attrs: a device that writes only
  // part of the buffer must not expose stale bounce bytes ("swiotlb: rework 'fix info leak with DMA_FROM_DEVICE'").
  it('a map with DMA_ATTR_SKIP_CPU_SYNC still copies original -> bounce', () => {
    const { pool, host, dma } = setup(256, 'newest', placement);
    fillHost(host, 0x5a);
    const tlb = dma.map(dev, ORIG, SIZE, DMA_FROM_DEVICE, DMA_ATTR_SKIP_CPU_SYNC);
    expect(pool.deviceAccess(tlb, SIZE).every((b) => b === 0x5a)).toBe(true);
  });

  it('DMA_ATTR_SKIP_CPU_SYNC suppresses the unmap copy but still frees', () => {
    const { pool, host, dma } = setup(256, 'newest', placement);
    fillHost(host, 0x11);
    const tlb = dma.map(dev, ORIG, SIZE, DMA_FROM_DEVICE, DMA_ATTR_SKIP_CPU_SYNC);
    pool.deviceAccess(tlb, SIZE).fill(0x22);
    dma.unmap(dev, tlb, SIZE, DMA_FROM_DEVICE, DMA_ATTR_SKIP_CPU_SYNC);
    expect(hostAt(host).every((b) => b === 0x11)).toBe(true);
    expect(pool.usedSlots()).toBe(0);
  });

  it('sync_for_device copies original -> bounce only for TO_DEVICE and BIDIRECTIONAL', () => {
    for (const [dir, copies] of [[DMA_TO_DEVICE, true], [DMA_BIDIRECTIONAL, true], [DMA_FROM_DEVICE, false]] as [DmaDirection, boolean][]) {
      const { pool, host, dma } = setup(256, 'newest', placement);
      fillHost(host, 0x11);
      const tlb = dma.map(dev, ORIG, SIZE, dir);
      fillHost(host, 0x33);
      dma.syncForDevice(dev, tlb, SIZE, dir);
      expect(pool.deviceAccess(tlb, SIZE).every((b) => b === (copies ? 0x33 : 0x11))).toBe(true);
    }
  });

  it('sync_for_cpu copies bounce -> original only for FROM_DEVICE and BIDIRECTIONAL, and works on a partial range', () => {
    for (const [dir, copies] of [[DMA_FROM_DEVICE, true], [DMA_BIDIRECTIONAL, true], [DMA_TO_DEVICE, false]] as [DmaDirection, boolean][]) {
      const { pool, host, dma } = setup(256, 'newest', placement);
      fillHost(host, 0x11);
      const tlb = dma.map(dev, ORIG, SIZE, dir);
      pool.deviceAccess(tlb, SIZE).fill(0x44);
      // A partial sync from 3000 bytes in: only those bytes come back.
      dma.syncForCpu(dev, tlb + 3000, SIZE - 3000, dir);
      const bytes = hostAt(host);
      expect(bytes.subarray(0, 3000).every((b) => b === 0x11)).toBe(true);
      expect(bytes.subarray(3000).every((b) => b === (copies ? 0x44 : 0x11))).toBe(true);
    }
  });

  it('rejects directions the kernel would BUG_ON', () => {
    const { dma } = setup(256, 'newest', placement);
    const tlb = dma.map(dev, ORIG, SIZE, DMA_BIDIRECTIONAL);
    expect(() => dma.syncForCpu(dev, tlb, SIZE, 3 as DmaDirection)).toThrow(DmaDirectionError);
    expect(() => dma.syncForDevice(dev, tlb, SIZE, 3 as DmaDirection)).toThrow(DmaDirectionError);
    expect(() => dma.unmap(dev, tlb, SIZE, 3 as DmaDirection)).toThrow(DmaDirectionError);
  });
});

describe('a full pool', () => {
  it('returns DMA_MAPPING_ERROR, counts the failure by size and renders the kernel message', () => {
    const { dma } = setup(128);
    const tlbs = [dma.map(dev, HOST, 128 * 1024, DMA_TO_DEVICE), dma.map(dev, HOST + 0x40000, 64 * 1024, DMA_TO_DEVICE)];
    expect(tlbs.every((t) => t > 0)).toBe(true);
    expect(dma.map(dev, HOST + 0x80000, 100_000, DMA_TO_DEVICE)).toBe(-1);
    expect(dma.map(dev, HOST + 0x80000 + 0x200, 100_000, DMA_TO_DEVICE, DMA_ATTR_NO_WARN)).toBe(-1);
    expect(dma.failures).toBe(2);
    expect(dma.failuresBySize.get(100_000)).toBe(2);
    // NO_WARN suppressed the second message.
    expect(dma.messages.map((m) => m.text)).toEqual([fullMessage(100_000, 128, 96)]);
    expect(dma.messages[0].text).toBe('swiotlb buffer is full (sz: 100000 bytes), total 128 (slots), used 96 (slots)');
  });

  // swiotlb_tbl_map_single(): the newest kernel prints `size` = ALIGN(mapping_size + offset, ...), the offset being
  // orig & min_align_mask & 0x7ff here (0x234); v6.6 prints alloc_size, the mapping size alone.
  it.each([['newest', 100_000 + 0x234], ['v6.6', 100_000]] as const)('%s rules: sz of an original with in-slot offset 0x234 is %i', (rules, sz) => {
    const { dma } = setup(128, rules);
    expect(dma.map(dev, HOST, 200 * 1024, DMA_TO_DEVICE)).toBeGreaterThan(0); // 100 of the 128 slots
    expect(dma.map(dev, HOST + 0x80000 + 0x234, 100_000, DMA_TO_DEVICE)).toBe(-1);
    expect(dma.messages.map((m) => m.text)).toEqual([fullMessage(sz, 128, 100)]);
  });
});

describe('"buffer is full" rate limit (dev_warn_ratelimited: 10 per 5 s per call site, all CPUs)', () => {
  it('lets 10 messages through in a window, counts the rest, and reports them when the next window opens', () => {
    let now = 1000;
    const shared = allocateRatelimit();
    const cpu0 = new Ratelimit(shared, () => now);
    const cpu1 = new Ratelimit(shared, () => now);
    const printed = Array.from({ length: 15 }, (_, i) => printsOf((i % 2 ? cpu1 : cpu0).check()));
    expect(RATELIMIT_BURST).toBe(10);
    expect(printed.filter(Boolean)).toHaveLength(10);
    expect(printed.slice(0, 10).every(Boolean)).toBe(true);
    now += RATELIMIT_INTERVAL_MS; // the window is 5 s from its first call: still open at exactly 5 s
    expect(cpu0.check()).toBe(RATELIMIT_SILENT); // no print, nothing to report
    now += 1;
    const reopened = cpu1.check();
    expect([printsOf(reopened), suppressedOf(reopened)]).toEqual([true, 6]);
  });

  it('a mapper prints at most 10 messages in one window however many maps fail', () => {
    const { dma } = setup(128);
    dma.map(dev, HOST, 256 * 1024 - 0x1000, DMA_TO_DEVICE);
    for (let i = 0; i < 12; i++) dma.map(dev, HOST + 0x80000, 100_000, DMA_TO_DEVICE);
    expect(dma.messages).toHaveLength(10);
    expect(dma.failures).toBe(12);
  });
});
