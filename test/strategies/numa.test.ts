import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { IO_TLB_SIZE, nrSlots } from '../../src/model/constants.js';
import { NumaAllocator, nodesByDistance, perNumaPools } from '../../strategies/per-numa-pools.js';

function setup(threads: number, poolSlots: number, nodes = 2) {
  const plan = perNumaPools.plan({ poolSlots, threads, rules: 'newest', nodes });
  const state = perNumaPools.create(plan);
  return { plan, state, alloc: perNumaPools.attach(state) as NumaAllocator };
}

describe('per-numa-pools', () => {
  it('splits the pool per node and puts CPUs on nodes in contiguous blocks', () => {
    const { plan, state } = setup(4, 4096);
    expect(plan).toMatchObject({ nodes: 2, cpusPerNode: 2, nslabs: 4096, nareas: 2 });
    expect(state.pools.map((p) => p.nslabs)).toEqual([2048, 2048]);
    expect(state.pools[0].mem).not.toBe(state.pools[1].mem);
    expect(plan.notes.join()).toMatch(/node 0: 2048 slots, cpus 0,1; node 1: 2048 slots, cpus 2,3/);
  });

  it('holds the memory one pool would: the boot-rounded total split in whole units of 128 slots per area', () => {
    // 64 MiB = 32768 slots for 3 CPUs; 1 area per node, so 256 units of 128 slots over 3 nodes: 86, 85, 85.
    const { plan, state } = setup(3, 32768, 3);
    expect(plan.nodeSlots).toEqual([86 * 128, 85 * 128, 85 * 128]);
    expect(state.pools.map((p) => p.nslabs)).toEqual(plan.nodeSlots);
    expect(plan.nslabs).toBe(32768);
    // 1024 slots asked by 16 CPUs: round_up_default_nslabs gives 2048; 2 nodes of 8 CPUs, 8 areas each, 1 unit of 1024 each.
    const sixteen = setup(16, 1024, 2).plan;
    expect(sixteen).toMatchObject({ nslabs: 2048, nareas: 8, nodeSlots: [1024, 1024] });
  });

  it('cuts the areas per node until every node holds one segment per area, and refuses a pool smaller than a segment per node', () => {
    // 16 CPUs round 1024 slots up to 2048; 4 CPUs per node want 4 areas, units of 512: one per node, no cut.
    const { plan } = setup(16, 1024, 4);
    expect(plan).toMatchObject({ nslabs: 2048, nareas: 4, nodeSlots: [512, 512, 512, 512] });
    // 512 slots (4 areas of one segment) over 4 nodes: units of 4 x 128 or 2 x 128 leave nodes empty; 1 area fits.
    const cut = perNumaPools.plan({ poolSlots: 512, threads: 4, rules: 'newest', nodes: 4, cpusPerNode: 1, areas: 4 });
    expect(cut).toMatchObject({ nslabs: 512, nareas: 1, nodeSlots: [128, 128, 128, 128] });
    expect(cut.changes!.join()).toMatch(/areas per node limited from 4 to 1/);
    expect(() => perNumaPools.plan({ poolSlots: 128, threads: 1, rules: 'newest', nodes: 2 })).toThrow(/cannot give each node one 128-slot segment/);
  });

  it('orders other nodes by distance', () => {
    expect(nodesByDistance(2, 4)).toEqual([2, 1, 3, 0]);
    expect(nodesByDistance(0, 3)).toEqual([0, 1, 2]);
  });

  it('maps from the own node first, spills to the nearest node, and counts remote maps and failures with room', () => {
    const { alloc } = setup(2, 256); // 2 nodes x 128 slots (one segment each), one CPU each
    const [pool0, pool1] = alloc.pools;
    // cpu 1 is on node 1: its first map lands in node 1's pool.
    const a = alloc.tblMapSingle(1, 0x1_0000_0000, 200 * 1024, 0, 0);
    expect(pool1.contains(a)).toBe(true);
    // Node 1 cannot fit another 100 slots: node 0 serves it, remotely.
    const b = alloc.tblMapSingle(1, 0x1_0004_0000, 200 * 1024, 0, 0);
    expect(pool0.contains(b)).toBe(true);
    expect(alloc.counters.extra.remote_maps).toBe(1);
    // 28 slots are free on each node: a 40-slot request fits nowhere, and no node has the room.
    expect(alloc.tblMapSingle(0, 0x1_0010_0000, 40 * 2048, 0, 0)).toBe(-1);
    expect(alloc.counters.extra.failures_with_room).toBe(0);
    alloc.releaseSlots(a, 0, 200 * 1024);
    expect(pool1.mem.used).toBe(0);
    expect(pool0.mem.used).toBe(100);
    expect(alloc.usedSlots()).toBe(100);
  });

  it('under v6.6 rules judges "room" by the slots the request needed, not by the mapping size its message prints', () => {
    const plan = perNumaPools.plan({ poolSlots: 256, threads: 2, rules: 'v6.6', nodes: 2 });
    const alloc = perNumaPools.attach(perNumaPools.create(plan)) as NumaAllocator;
    expect(alloc.tblMapSingle(0, 0x1_0000_0000, 78 * 2048, 0, 0)).toBeGreaterThanOrEqual(0);
    expect(alloc.tblMapSingle(1, 0x1_0010_0000, 78 * 2048, 0, 0)).toBeGreaterThanOrEqual(0);
    // 50 free slots on each node; 100 KiB at in-slot offset 0x7ff needs nr_slots(102400 + 0x7ff) = 51.
    expect(alloc.tblMapSingle(0, 0x1_0020_07ff, 102_400, 0, 0xfff)).toBe(-1);
    expect(alloc.counters.lastFailSize).toBe(102_400); // v6.6's sz: the mapping alone (50 slots)
    expect(alloc.counters.extra.failures_with_room).toBe(0);
  });

  it('counts a failure while a node still has the free slots, only scattered', () => {
    const { alloc } = setup(2, 256);
    const tlbs = Array.from({ length: 256 }, (_, i) => alloc.tblMapSingle(0, 0x1_0000_0000 + i * 4096, 2048, 0, 0));
    expect(tlbs.every((t) => t >= 0)).toBe(true);
    expect(alloc.counters.extra.remote_maps).toBe(128);
    tlbs.forEach((t, i) => i % 2 === 0 && alloc.releaseSlots(t, 0, 2048));
    expect(alloc.tblMapSingle(0, 0x1_0100_0000, 4096, 0, 0)).toBe(-1);
    expect(alloc.counters.extra.failures_with_room).toBe(1);
  });

  it('keeps every live mapping in exactly one pool and the per-node and global counters exact', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(
          fc.record({ kind: fc.constant('map' as const), cpu: fc.nat(3), size: fc.integer({ min: 1, max: 60_000 }), page: fc.integer({ min: 0x10000, max: 0x3ffff }) }),
          fc.record({ kind: fc.constant('unmap' as const), pick: fc.nat() }),
        ), { maxLength: 200 }),
        (commands) => {
          const { alloc } = setup(4, 1024);
          const live: { tlb: number; size: number; slots: number }[] = [];
          for (const c of commands) {
            if (c.kind === 'map') {
              const tlb = alloc.tblMapSingle(c.cpu, c.page * 4096, c.size, 0, 0);
              if (tlb >= 0) live.push({ tlb, size: c.size, slots: nrSlots(c.size) });
            } else if (live.length) {
              const [l] = live.splice(c.pick % live.length, 1);
              alloc.releaseSlots(l.tlb, 0, l.size);
            }
            const perPool = alloc.pools.map(() => 0);
            for (const l of live) {
              const owners = alloc.pools.filter((p) => p.contains(l.tlb) && p.contains(l.tlb + l.size - 1));
              expect(owners).toHaveLength(1);
              perPool[alloc.pools.indexOf(owners[0])] += l.slots;
            }
            expect(alloc.pools.map((p) => p.mem.used)).toEqual(perPool);
            expect(alloc.usedSlots()).toBe(perPool.reduce((s, v) => s + v, 0));
            // Global slot numbers are unique across pools.
            const slots = live.map((l) => alloc.slotOf(l.tlb));
            expect(new Set(slots).size).toBe(slots.length);
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it('pools sit at distinct, page-aligned addresses', () => {
    const { state } = setup(2, 8192, 4);
    const starts = state.pools.map((p) => p.start);
    expect(starts.every((s) => s % 4096 === 0)).toBe(true);
    for (let i = 1; i < starts.length; i++) expect(starts[i]).toBeGreaterThanOrEqual(starts[i - 1] + state.pools[i - 1].nslabs * IO_TLB_SIZE);
  });
});
