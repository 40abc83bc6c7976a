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
    expect(plan.notes.join()).toMatch(/node 0: cpus 0,1; node 1: cpus 2,3/);
  });

  it('orders other nodes by distance', () => {
    expect(nodesByDistance(2, 4)).toEqual([2, 1, 3, 0]);
    expect(nodesByDistance(0, 3)).toEqual([0, 1, 2]);
  });

  it('maps from the own node first, spills to the nearest node, and counts remote maps and failures with room', () => {
    const { alloc } = setup(4, 256); // 2 nodes x 128 slots (one segment each)
    const [pool0, pool1] = alloc.pools;
    // cpu 2 is on node 1: its first map lands in node 1's pool.
    const a = alloc.tblMapSingle(2, 0x1_0000_0000, 200 * 1024, 0, 0);
    expect(pool1.contains(a)).toBe(true);
    // Node 1 cannot fit another 100 slots: node 0 serves it, remotely.
    const b = alloc.tblMapSingle(3, 0x1_0004_0000, 200 * 1024, 0, 0);
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
