import { describe, expect, it } from 'vitest';
import { DMA_BIDIRECTIONAL, DMA_ATTR_NO_WARN, DMA_ATTR_SKIP_CPU_SYNC, DMA_FROM_DEVICE, DMA_TO_DEVICE, DmaDirectionError, DmaMapper, type DmaDirection, fullMessage } from '../../src/model/dma.js';
import { SwiotlbPool } from '../../src/model/pool.js';
import { allocatePool } from '../../src/model/pool-layout.js';

const HOST = 0x1_0000_0000;
const dev = { name: 'nvme0', minAlignMask: 0xfff };

function setup(nslabs = 256) {
  const pool = new SwiotlbPool(allocatePool(nslabs, 1, 0x8000_0000));
  const host = { bytes: new Uint8Array(1 << 20), base: HOST };
  return { pool, host, dma: new DmaMapper(pool, host, 0) };
}

const ORIG = HOST + 0x3000 + 0x1a0;
const SIZE = 5000;

function fillHost(host: { bytes: Uint8Array }, value: number) {
  host.bytes.fill(value, ORIG - HOST, ORIG - HOST + SIZE);
}
const hostAt = (host: { bytes: Uint8Array }) => host.bytes.subarray(ORIG - HOST, ORIG - HOST + SIZE);

describe('copy directions (model section 6 table)', () => {
  it.each([DMA_TO_DEVICE, DMA_FROM_DEVICE, DMA_BIDIRECTIONAL] as DmaDirection[])('map copies original -> bounce for direction %i', (dir) => {
    const { pool, host, dma } = setup();
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
    const { pool, host, dma } = setup();
    fillHost(host, 0x11);
    const tlb = dma.map(dev, ORIG, SIZE, dir);
    pool.deviceAccess(tlb, SIZE).fill(0x22); // the device writes
    dma.unmap(dev, tlb, SIZE, dir);
    expect(hostAt(host).every((b) => b === (copies ? 0x22 : 0x11))).toBe(true);
    expect(pool.usedSlots()).toBe(0);
  });

  it('DMA_ATTR_SKIP_CPU_SYNC suppresses the unmap copy but still frees', () => {
    const { pool, host, dma } = setup();
    fillHost(host, 0x11);
    const tlb = dma.map(dev, ORIG, SIZE, DMA_FROM_DEVICE, DMA_ATTR_SKIP_CPU_SYNC);
    pool.deviceAccess(tlb, SIZE).fill(0x22);
    dma.unmap(dev, tlb, SIZE, DMA_FROM_DEVICE, DMA_ATTR_SKIP_CPU_SYNC);
    expect(hostAt(host).every((b) => b === 0x11)).toBe(true);
    expect(pool.usedSlots()).toBe(0);
  });

  it('sync_for_device copies original -> bounce only for TO_DEVICE and BIDIRECTIONAL', () => {
    for (const [dir, copies] of [[DMA_TO_DEVICE, true], [DMA_BIDIRECTIONAL, true], [DMA_FROM_DEVICE, false]] as [DmaDirection, boolean][]) {
      const { pool, host, dma } = setup();
      fillHost(host, 0x11);
      const tlb = dma.map(dev, ORIG, SIZE, dir);
      fillHost(host, 0x33);
      dma.syncForDevice(dev, tlb, SIZE, dir);
      expect(pool.deviceAccess(tlb, SIZE).every((b) => b === (copies ? 0x33 : 0x11))).toBe(true);
    }
  });

  it('sync_for_cpu copies bounce -> original only for FROM_DEVICE and BIDIRECTIONAL, and works on a partial range', () => {
    for (const [dir, copies] of [[DMA_FROM_DEVICE, true], [DMA_BIDIRECTIONAL, true], [DMA_TO_DEVICE, false]] as [DmaDirection, boolean][]) {
      const { pool, host, dma } = setup();
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
    const { dma } = setup();
    const tlb = dma.map(dev, ORIG, SIZE, DMA_BIDIRECTIONAL);
    expect(() => dma.syncForCpu(dev, tlb, SIZE, 3 as DmaDirection)).toThrow(DmaDirectionError);
    expect(() => dma.syncForDevice(dev, tlb, SIZE, 3 as DmaDirection)).toThrow(DmaDirectionError);
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
    // sz is the padded size (mapping + in-slot offset); NO_WARN suppressed the second message.
    expect(dma.messages).toEqual([fullMessage(100_000, 128, 96)]);
    expect(dma.messages[0]).toBe('swiotlb buffer is full (sz: 100000 bytes), total 128 (slots), used 96 (slots)');
  });
});
