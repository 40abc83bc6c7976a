/**
 * Verify mode's slot claims (src/run/verify-check.ts): a mapping owns the
 * slots swiotlb_tbl_map_single() gave it. With an alloc_align_mask (iommu-dma,
 * newest rules) that is the padding slots before its data and the round-up to
 * whole granules after it, so another mapping handed any of them is an overlap.
 */
import { describe, expect, it } from 'vitest';
import { DMA_TO_DEVICE } from '../../src/model/dma.js';
import { DmaArena } from '../../src/model/dma-arena.js';
import { allocatePool } from '../../src/model/pool-layout.js';
import { SwiotlbPool } from '../../src/model/pool.js';
import { VerifyCheck } from '../../src/run/verify-check.js';

const BASE = 0x8000_0000;
const HOST = 0x1_0000_0000;

function setup(rules: 'newest' | 'v6.6') {
  const pool = new SwiotlbPool(allocatePool(256, 1, BASE, { withData: true, arena: new DmaArena(), rules }));
  const shared = { owners: new SharedArrayBuffer(256 * 4), tags: new SharedArrayBuffer(16 * 4) };
  return { pool, check: new VerifyCheck(shared, 0, pool, new Uint8Array(1 << 20), rules) };
}

describe('verify claims', () => {
  it('an iommu-dma mapping owns its padding and round-up slots: a mapping placed in them is an overlap', () => {
    const { pool, check } = setup('newest');
    // 1 KiB at 0xA00 into its page, min_align_mask 0xfff, 16 KiB granule: offset 0xA00 -> 1 pad slot,
    // ALIGN(1024 + 0xA00, 16 KiB) = 8 slots: the allocation is slots 0-7, the data in slot 1.
    const orig = HOST + 0xa00;
    const tlb = pool.tblMapSingle(0, orig, 1024, 0x3fff, 0xfff);
    expect(pool.slotOf(tlb)).toBe(1);
    check.beforeMap(0, 0, 1024, DMA_TO_DEVICE);
    check.afterMap(0, tlb, 1024, DMA_TO_DEVICE, orig, 0xfff, 0x3fff);
    expect(check.counts.overlaps).toBe(0);
    // A buggy allocator hands slot 0 (the padding) and slot 6 (the round-up) to two dma-direct mappings.
    for (const [m, slot] of [[1, 0], [2, 6]]) {
      check.beforeMap(m, 0, 100, DMA_TO_DEVICE);
      check.afterMap(m, BASE + slot * 2048, 100, DMA_TO_DEVICE, HOST, 0, 0);
    }
    expect(check.counts.overlaps).toBe(2);
  });

  it('with the v6.6 rules (no round-up, sub-slot offset only) claims the data slots alone', () => {
    const { pool, check } = setup('v6.6');
    const orig = HOST + 0xa00;
    const tlb = pool.tblMapSingle(0, orig, 1024, 0x3fff, 0xfff);
    check.beforeMap(0, 0, 1024, DMA_TO_DEVICE);
    check.afterMap(0, tlb, 1024, DMA_TO_DEVICE, orig, 0xfff, 0x3fff);
    check.beforeMap(1, 0, 100, DMA_TO_DEVICE);
    check.afterMap(1, tlb + 2048, 100, DMA_TO_DEVICE, HOST, 0, 0);
    expect(check.counts.overlaps).toBe(0);
    check.beforeUnmap(0, tlb, 1024, DMA_TO_DEVICE, orig, 0xfff, 0x3fff);
    expect(check.counts.overlaps).toBe(0);
  });
});
