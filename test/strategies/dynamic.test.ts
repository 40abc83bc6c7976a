import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { nrSlots } from '../../src/model/constants.js';
import type { BounceAllocator } from '../../src/model/strategy.js';
import { dynamicGrowth, growOnce, growthPending } from '../../strategies/dynamic-growth/index.js';

const HOST = 0x1_0000_0000;
const SEG = 128 * 2048; // one whole segment: 256 KiB
const BASE = 0x8000_0000;

function setup(maxPoolSlots = 4096) {
  const plan = dynamicGrowth.plan({ threads: 1, rules: 'newest', maxPoolSlots });
  const state = dynamicGrowth.create(plan);
  return { plan, state, alloc: dynamicGrowth.attach(state), columns: () => ({ ...dynamicGrowth.sampleColumns!(state), ...dynamicGrowth.reportColumns!(state) }) };
}

/** Map a whole segment at a page-aligned original (page rule: any segment start fits). */
function mapSegment(alloc: BounceAllocator, k: number): number {
  return alloc.tblMapSingle(0, HOST + k * SEG, SEG, 0, 0);
}

describe('dynamic-growth with one CPU', () => {
  it('starts with a 1 MiB pool inside a 64 MiB budget', () => {
    const { plan, columns } = setup(32768);
    expect(plan).toMatchObject({ nslabs: 512, nareas: 1, maxPoolSlots: 32768 });
    expect(columns()).toMatchObject({ io_tlb_nslabs: 512, io_tlb_transient_nslabs: 0, reserved_bytes: 1 << 20, pools_added: 0 });
  });

  it('overflowing the pool asks for one growth and serves each overflow from a transient pool of its exact size', () => {
    const { state, alloc, columns } = setup();
    const inPool = [0, 1, 2, 3].map((k) => mapSegment(alloc, k));
    expect(inPool.every((t) => t >= BASE && t < BASE + 512 * 2048)).toBe(true);
    expect(growthPending(state)).toBe(false);

    const t1 = alloc.tblMapSingle(0, HOST + 0x100000, 3000, 0, 0); // 2 slots, transient
    expect(t1).toBeGreaterThan(0);
    expect(growthPending(state)).toBe(true);
    const t2 = mapSegment(alloc, 9); // 128 slots, another transient; still one growth pending
    expect(t2).toBeGreaterThan(0);
    expect(alloc.counters.extra.transient_pools).toBe(2);
    expect(columns()).toMatchObject({ io_tlb_nslabs: 512, io_tlb_transient_nslabs: 130, transient_peak_slots: 130 });
    expect(alloc.usedSlots()).toBe(512 + 130);
    // "sz" in the kernel's message for the failing search, total is io_tlb_nslabs.
    expect(alloc.totalSlots).toBe(512);

    // The growth worker runs: a 4 MiB pool at the head of the list.
    expect(growOnce(state)).toBe(2048);
    expect(columns()).toMatchObject({ io_tlb_nslabs: 2560, pools_added: 1 });
    const t3 = alloc.tblMapSingle(0, HOST + 0x200000, 4096, 0, 0);
    expect(t3 >= BASE + 512 * 2048).toBe(true); // not in the initial pool: the newest pool is searched first
    expect(alloc.counters.extra.transient_pools).toBe(2);

    // Unmapping a transient buffer frees its whole pool.
    alloc.releaseSlots(t2, 0, SEG);
    expect(columns()).toMatchObject({ io_tlb_transient_nslabs: 2 });
    expect(alloc.usedSlots()).toBe(512 + 2 + 2);
    alloc.releaseSlots(t1, 0, 3000);
    alloc.releaseSlots(t3, 0, 4096);
    for (const t of inPool) alloc.releaseSlots(t, 0, SEG);
    expect(alloc.usedSlots()).toBe(0);
    expect(columns()).toMatchObject({ io_tlb_transient_nslabs: 0, reserved_bytes: (512 + 2048) * 2048 });
  });

  it('halves a growth that does not fit the budget, down to 1 MiB, then fails', () => {
    const { state } = setup(4096); // 8 MiB budget: 512 initial slots
    expect(growOnce(state)).toBe(2048); // slots 2048..4095
    expect(growOnce(state)).toBe(1024); // slots 1024..2047
    expect(growOnce(state)).toBe(512); // slots 512..1023
    expect(growOnce(state)).toBe(0); // nothing left: "Failed to allocate new pool"
  });

  it('rejects more than 256 KiB at once, and fails when even a transient pool has no room', () => {
    const { alloc } = setup(512);
    expect(alloc.tblMapSingle(0, HOST, SEG + 1, 0, 0)).toBe(-1);
    expect(alloc.counters.extra.oversize_rejects).toBe(1);
    for (let k = 0; k < 4; k++) expect(mapSegment(alloc, k)).toBeGreaterThan(0);
    expect(alloc.tblMapSingle(0, HOST + 0x400000, 2048, 0, 0)).toBe(-1);
    expect(alloc.counters.extra.transient_failures).toBe(1);
  });

  it('finds pools newest first at unmap and counts the walk', () => {
    const { state, alloc } = setup();
    const old = alloc.tblMapSingle(0, HOST, 2048, 0, 0);
    growOnce(state);
    growOnce(state);
    alloc.releaseSlots(old, 0, 2048); // the initial pool is third from the head
    expect(alloc.counters.extra.lookup_steps).toBe(3);
  });
});

describe('dynamic-growth bookkeeping under random map/unmap/growth', () => {
  it('every live mapping is in exactly one live pool, and used = regular slots + transient pools', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(
          { weight: 5, arbitrary: fc.record({ kind: fc.constant('map' as const), size: fc.integer({ min: 1, max: 200_000 }), page: fc.integer({ min: 0x10000, max: 0x3ffff }) }) },
          { weight: 4, arbitrary: fc.record({ kind: fc.constant('unmap' as const), pick: fc.nat() }) },
          { weight: 1, arbitrary: fc.record({ kind: fc.constant('grow' as const) }) },
        ), { maxLength: 120 }),
        (commands) => {
          const { state, alloc, columns } = setup(3072);
          const live: { tlb: number; size: number }[] = [];
          for (const c of commands) {
            if (c.kind === 'map') {
              const tlb = alloc.tblMapSingle(0, c.page * 4096, c.size, 0, 0);
              if (tlb >= 0) live.push({ tlb, size: c.size });
            } else if (c.kind === 'unmap' && live.length) {
              const [l] = live.splice(c.pick % live.length, 1);
              alloc.releaseSlots(l.tlb, 0, l.size);
            } else if (c.kind === 'grow') {
              growOnce(state);
            }
            const pools = dynamicGrowth.livePools!(state);
            for (const l of live) {
              const owners = pools.filter((p) => l.tlb >= p.start && l.tlb + l.size <= p.start + p.nslabs * 2048);
              expect(owners).toHaveLength(1);
            }
            // Transient pools are exactly the size of their one buffer; regular pools count slots in use.
            const transient = columns().io_tlb_transient_nslabs;
            const expectedUsed = live.reduce((s, l) => s + nrSlots(l.size), 0);
            expect(alloc.usedSlots()).toBe(expectedUsed);
            expect(pools.reduce((s, p) => s + p.nslabs, 0)).toBe(columns().io_tlb_nslabs + transient);
            expect(columns().reserved_bytes).toBe((columns().io_tlb_nslabs + transient) * 2048);
          }
        },
      ),
      { numRuns: 60 },
    );
  });
});
