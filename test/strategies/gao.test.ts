/**
 * Chao Gao's 2022 proposals as strategies. cache-friendly-areas against the
 * rules of his RFC v2 (2022-07-18): free slots on a list per area, initially
 * ascending; a map takes the first listed slot that starts an aligned run of
 * free slots inside one 128-slot segment; a release puts its slots back at
 * the head, lowest first, with no merge. bitmap-areas (v1 1/3) keeps the
 * kernel's next-fit search with a bit test (pool-ops.wat's bits mode), which
 * fits exactly where the kernel's `list[] >= nslots` does, so it must choose
 * the kernel's slots.
 * Expected values come from those rules and the kernel's alignment rules,
 * checked on every map of random streams by an independent model.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mapStream } from './map-stream.js';
import { DmaArena } from '../../src/model/dma-arena.js';
import type { KernelRules } from '../../src/model/constants.js';
import type { BounceAllocator, Strategy } from '../../src/model/strategy.js';
import { bitmapAreas } from '../../strategies/bitmap-areas.js';
import { cacheFriendlyAreas } from '../../strategies/cache-friendly-areas.js';
import { perCpuAreas } from '../../strategies/per-cpu-areas.js';

const HOST = 0x1_0000_0000;

function freshOf(strategy: Strategy, nslabs: number, threads: number, rules: KernelRules = 'newest') {
  const plan = strategy.plan({ poolSlots: nslabs, rules, threads });
  const state = strategy.create(plan, new DmaArena());
  return { plan, pool: strategy.attach(state) as BounceAllocator & { start: number; nslabs: number; list: Int32Array } };
}
const fresh = (nslabs: number, threads: number) => freshOf(cacheFriendlyAreas, nslabs, threads);

const stream = mapStream(6000, [4096, 8192, 65536], 120);

describe('cache-friendly-areas', () => {
  it('takes the lowest slots of a fresh area, then reuses the buffer freed last', () => {
    const { pool } = fresh(1024, 1);
    const slot = (tlb: number) => pool.slotOf(tlb);
    const a = pool.tblMapSingle(0, HOST, 4096, 0, 0); // 2 slots
    const b = pool.tblMapSingle(0, HOST, 2048, 0, 0); // 1 slot
    expect([slot(a), slot(b)]).toEqual([0, 2]);
    pool.releaseSlots(a, 0, 4096);
    // Next-fit would go on at slot 3; the freed, cache-hot slots 0-1 are at the head.
    const c = pool.tblMapSingle(0, HOST, 2048, 0, 0);
    expect(slot(c)).toBe(0);
    const d = pool.tblMapSingle(0, HOST, 2048, 0, 0);
    expect(slot(d)).toBe(1);
    const e = pool.tblMapSingle(0, HOST, 2048, 0, 0);
    expect(slot(e)).toBe(3); // the list then goes on in ascending order
    for (const [t, n] of [[b, 2048], [c, 2048], [d, 2048], [e, 2048]]) pool.releaseSlots(t, 0, n);
    expect(pool.usedSlots()).toBe(0);
  });

  it('does not merge on release: a run needs every slot free, not a count', () => {
    const { pool } = fresh(256, 1);
    const x = pool.tblMapSingle(0, HOST, 2048, 0, 0); // slot 0
    const y = pool.tblMapSingle(0, HOST, 2048, 0, 0); // slot 1
    expect([...pool.list.slice(0, 3)]).toEqual([0, 0, 1]); // bits from the start, not the kernel's counts (128, 127, ...)
    pool.releaseSlots(y, 0, 2048);
    pool.releaseSlots(x, 0, 2048);
    expect([...pool.list.slice(0, 3)]).toEqual([1, 1, 1]); // no merge renumbers the run
    // Head is 0, 1, 2, ...: a 3-slot run starts at 0 since slots 0-2 are all free.
    expect(pool.slotOf(pool.tblMapSingle(0, HOST, 3 * 2048, 0, 0))).toBe(0);
  });

  it.each([cacheFriendlyAreas, bitmapAreas])('$name keeps every kernel rule and never gives a slot twice, on random map/unmap streams (independent model)', (strategy) => {
    fc.assert(fc.property(stream, (ops) => {
      const { pool } = freshOf(strategy, 2048, 4);
      const owner = new Int32Array(pool.nslabs).fill(-1);
      const live: { tlb: number; size: number; minAlign: number; first: number; nslots: number; id: number }[] = [];
      let id = 0;
      for (const o of ops) {
        if (o.map || live.length === 0) {
          const orig = HOST + 0x10_0000 * (id + 1) + o.pageOffset;
          const tlb = pool.tblMapSingle(o.cpu, orig, o.size, o.allocAlign, o.minAlign);
          if (tlb < 0) continue;
          // swiotlb_tbl_map_single(), newest rules: offset kept, padded size, pad slots before the data.
          const offset = orig & o.minAlign & (o.allocAlign | 2047);
          const size = o.allocAlign ? Math.ceil((o.size + offset) / (o.allocAlign + 1)) * (o.allocAlign + 1) : o.size + offset;
          const nslots = Math.ceil(size / 2048);
          const dataSlot = pool.slotOf(tlb);
          const first = dataSlot - (offset >> 11);
          const start = pool.start + first * 2048;
          expect((tlb - pool.start) % 2048).toBe(offset & 2047);
          // Alignment: alloc_align_mask (or a page for a page or more without masks), min_align_mask bits above the slot.
          const align = (o.allocAlign === 0 && o.minAlign === 0 && size >= 4096 ? 4095 : o.allocAlign) | 2047;
          expect(start % (align + 1)).toBe(0);
          const match = o.minAlign & ~align;
          expect(start & match).toBe(orig & match);
          expect((first % 128) + nslots).toBeLessThanOrEqual(128);
          expect(Math.floor(first / 512)).toBe(Math.floor((first + nslots - 1) / 512)); // one area (2048 slots / 4)
          for (let s = first; s < first + nslots; s++) {
            expect(owner[s]).toBe(-1);
            owner[s] = id;
          }
          live.push({ tlb, size: o.size, minAlign: o.minAlign, first, nslots, id: id++ });
        } else {
          const [m] = live.splice(o.pick % live.length, 1);
          pool.releaseSlots(m.tlb, m.minAlign, m.size);
          for (let s = m.first; s < m.first + m.nslots; s++) owner[s] = -1;
        }
        expect(pool.usedSlots()).toBe(live.reduce((n, m) => n + m.nslots, 0));
      }
      for (const m of live) pool.releaseSlots(m.tlb, m.minAlign, m.size);
      expect(pool.usedSlots()).toBe(0);
      expect(pool.list.every((v) => v !== 0)).toBe(true);
    }), { numRuns: 150 });
  });

  it('never lets a run cross a 128-slot segment (IO_TLB_SEGSIZE), as list[] counts forbid in the kernel', () => {
    const { pool } = fresh(256, 1);
    for (let k = 0; k < 126; k++) pool.tblMapSingle(0, HOST, 2048, 0, 0); // slots 0..125
    // Slots 126 and 127 head the list, but 3 slots from either would cross into segment 1.
    expect(pool.slotOf(pool.tblMapSingle(0, HOST, 3 * 2048, 0, 0))).toBe(128);
    expect(pool.slotOf(pool.tblMapSingle(0, HOST, 2048, 0, 0))).toBe(126);
  });

  it('cache-friendly-areas plans v6.6 as the newest rules, and says so', () => {
    const plan = cacheFriendlyAreas.plan({ poolSlots: 1024, rules: 'v6.6', threads: 2 });
    expect(plan.rules).toBe('newest');
    expect(plan.changes!.join(' ')).toMatch(/v6\.6/);
  });
});

describe('bitmap-areas', () => {
  it.each(['newest', 'v6.6'] as const)('chooses the same slot as the kernel\'s list[] search (per-cpu-areas), %s rules, on every map of random streams', (rules) => {
    fc.assert(fc.property(stream, (ops) => {
      const kernel = freshOf(perCpuAreas, 2048, 4, rules).pool;
      const bits = freshOf(bitmapAreas, 2048, 4, rules).pool;
      const live: { k: number; b: number; size: number; minAlign: number }[] = [];
      let id = 0;
      for (const o of ops) {
        if (o.map || live.length === 0) {
          const orig = HOST + 0x10_0000 * ++id + o.pageOffset;
          const k = kernel.tblMapSingle(o.cpu, orig, o.size, o.allocAlign, o.minAlign);
          const b = bits.tblMapSingle(o.cpu, orig, o.size, o.allocAlign, o.minAlign);
          expect(b - bits.start).toBe(k < 0 ? k - bits.start : k - kernel.start);
          if (k >= 0) live.push({ k, b, size: o.size, minAlign: o.minAlign });
        } else {
          const [m] = live.splice(o.pick % live.length, 1);
          kernel.releaseSlots(m.k, m.minAlign, m.size);
          bits.releaseSlots(m.b, m.minAlign, m.size);
        }
        expect(bits.usedSlots()).toBe(kernel.usedSlots());
      }
    }), { numRuns: 150 });
  });

  it('keeps a bit per slot: 1 free, 0 used, and a release renumbers nothing (where the kernel\'s counts run 128..1)', () => {
    const { pool } = freshOf(bitmapAreas, 256, 1);
    expect([...pool.list.slice(0, 4)]).toEqual([1, 1, 1, 1]);
    const a = pool.tblMapSingle(0, HOST, 4096, 0, 0); // slots 0-1
    expect([...pool.list.slice(0, 4)]).toEqual([0, 0, 1, 1]);
    pool.releaseSlots(a, 0, 4096);
    expect([...pool.list.slice(0, 4)]).toEqual([1, 1, 1, 1]);
    const kernel = freshOf(perCpuAreas, 256, 1).pool;
    expect([...kernel.list.slice(0, 2)]).toEqual([128, 127]);
  });

  it('goes on from its next-fit index after a release, where cache-friendly-areas reuses the freed slots', () => {
    const { pool } = freshOf(bitmapAreas, 1024, 1);
    const a = pool.tblMapSingle(0, HOST, 4096, 0, 0);
    pool.tblMapSingle(0, HOST, 2048, 0, 0);
    pool.releaseSlots(a, 0, 4096);
    expect(pool.slotOf(pool.tblMapSingle(0, HOST, 2048, 0, 0))).toBe(3);
  });
});
