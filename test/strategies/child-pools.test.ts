/**
 * child-pools against Tianyu Lan's RFC V3 (2022-05-26): children of equal
 * size carved in 2 MiB blocks, one lock each; a map starts in child_start,
 * which moves on by one per call (round-robin, per device), or, per queue,
 * in the submitting CPU's child; the other children are tried in turn and a
 * map fails when all are full (no fallback to the parent pool).
 */
import { describe, expect, it } from 'vitest';
import { DmaArena } from '../../src/model/dma-arena.js';
import type { SwiotlbPool } from '../../src/model/pool.js';
import { childPools } from '../../strategies/child-pools.js';

const HOST = 0x1_0000_0000;

function fresh(threads: number, childPer: 'device' | 'queue', poolSlots = 4096) {
  const plan = childPools.plan({ poolSlots, rules: 'newest', threads, childPer });
  return { plan, pool: childPools.attach(childPools.create(plan, new DmaArena())) as SwiotlbPool };
}

describe('child-pools', () => {
  it('per device: consecutive maps from one CPU go to the children in turn (child_start moves per call)', () => {
    const { pool } = fresh(4, 'device');
    const child = () => Math.floor(pool.slotOf(pool.tblMapSingle(0, HOST, 2048, 0, 0)) / 1024);
    expect([child(), child(), child(), child(), child()]).toEqual([0, 1, 2, 3, 0]);
  });

  it("per queue: each CPU maps in its own queue's child", () => {
    const { pool } = fresh(4, 'queue');
    const child = (cpu: number) => Math.floor(pool.slotOf(pool.tblMapSingle(cpu, HOST, 2048, 0, 0)) / 1024);
    expect([child(2), child(2), child(1), child(3)]).toEqual([2, 2, 1, 3]);
  });

  it('tries the other children when one is full and fails only when all are, with no parent to fall back to', () => {
    const { pool } = fresh(2, 'queue', 2048); // 2 children of 1024 slots
    const big = 128 * 2048; // one segment
    const got = Array.from({ length: 16 }, () => pool.tblMapSingle(0, HOST, big, 0, 0));
    expect(got.every((t) => t >= 0)).toBe(true);
    expect(got.slice(8).every((t) => pool.slotOf(t) >= 1024)).toBe(true); // child 0 full: child 1
    expect(pool.tblMapSingle(0, HOST, 2048, 0, 0)).toBe(-1);
  });

  it('carves 2 MiB blocks: the pool rounds up to 1024 slots, children to a power of two, and says so', () => {
    const { plan } = fresh(3, 'device', 3000);
    expect([plan.nslabs, plan.nareas]).toEqual([3072, 4]);
    expect(plan.changes!.join(' ')).toMatch(/3 queues rounded up to 4 children.*3000 slots rounded up to 3072/);
  });

  it('gives every child whole 128-slot segments, so no run crosses into the next child (the RFC restarts list[] per child)', () => {
    for (const [threads, poolSlots] of [[16, 3072], [1024, 32768], [8, 1024]]) {
      const { plan } = fresh(threads, 'queue', poolSlots);
      expect((plan.nslabs / plan.nareas) % 128).toBe(0);
      expect(plan.nslabs % 1024).toBe(0);
      expect(plan.nslabs).toBeGreaterThanOrEqual(poolSlots);
    }
  });
});

describe('child-pools with two devices', () => {
  it('carves a set of children per device from the split pool; a device maps only in its own set, each with its own child_start', () => {
    const plan = childPools.plan({ poolSlots: 8192, rules: 'newest', threads: 2, childPer: 'device', devices: 2 });
    expect([plan.nslabs, plan.nareas, plan.childSets]).toEqual([8192, 2, 2]); // 2 devices x 2 children of 2048 slots
    const alloc = childPools.attach(childPools.create(plan, new DmaArena()));
    const child = (device: number) => Math.floor(alloc.slotOf(alloc.tblMapSingle(0, HOST, 2048, 0, 0, device)) / 2048);
    // Device 0's maps alternate between its children 0 and 1; device 1's between 2 and 3, from its own child_start.
    expect([child(0), child(1), child(0), child(1), child(1), child(0)]).toEqual([0, 2, 1, 3, 2, 0]);
  });

  it("fails a device whose children are full while the other device's have room", () => {
    const plan = childPools.plan({ poolSlots: 4096, rules: 'newest', threads: 1, childPer: 'queue', devices: 2 });
    expect(plan.nslabs / 2).toBe(2048); // 4096 slots split over 2 devices: one child of 2048 slots each
    const alloc = childPools.attach(childPools.create(plan, new DmaArena()));
    const segment = 128 * 2048;
    for (let k = 0; k < 16; k++) expect(alloc.tblMapSingle(0, HOST, segment, 0, 0, 0)).toBeGreaterThanOrEqual(0);
    expect(alloc.tblMapSingle(0, HOST, 2048, 0, 0, 0)).toBe(-1);
    expect(alloc.slotOf(alloc.tblMapSingle(0, HOST, 2048, 0, 0, 1))).toBe(2048);
  });
});
