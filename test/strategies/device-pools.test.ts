/**
 * per-device-pools against rmem_swiotlb_device_init() (kernel/dma/swiotlb.c):
 * each device's restricted-dma-pool is an io_tlb_mem of its own with one
 * area, nslabs = region size >> 11 not rounded to a segment (the last
 * segment's list[] counts clamp to the pool's end), no growth, and the device
 * maps there only. With one area the kernel searches it with the same
 * swiotlb_find_slots() as the pre-v6.0 single pool, so a one-device pool must
 * choose global-lock's slots map for map.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mapStream } from './map-stream.js';
import { DmaArena } from '../../src/model/dma-arena.js';
import type { BounceAllocator } from '../../src/model/strategy.js';
import { InputError } from '../../src/base/errors.js';
import { globalLock } from '../../strategies/global-lock.js';
import { deviceSlots, perDevicePools } from '../../strategies/per-device-pools.js';

const HOST = 0x1_0000_0000;
const SEGMENT = 128 * 2048;

function devicePools(devices: number, request: { poolSlots?: number; devicePoolSlots?: number; areas?: number }) {
  const plan = perDevicePools.plan({ rules: 'newest', threads: 4, devices, ...request });
  return { plan, alloc: perDevicePools.attach(perDevicePools.create(plan, new DmaArena())) as BounceAllocator };
}

const stream = mapStream(9000, [4096, 65536, 131072], 150);

describe('per-device-pools', () => {
  it("with one device, picks global-lock's slot on every map of random streams (one area, the same search)", () => {
    fc.assert(fc.property(stream, (ops) => {
      const { alloc: mine } = devicePools(1, { devicePoolSlots: 1024 });
      const gplan = globalLock.plan({ poolSlots: 1024, rules: 'newest', threads: 4 });
      const theirs = globalLock.attach(globalLock.create(gplan, new DmaArena()));
      const live: { a: number; b: number; size: number; minAlign: number }[] = [];
      ops.forEach((o, n) => {
        if (o.map || live.length === 0) {
          const orig = HOST + 0x10_0000 * (n + 1) + o.pageOffset;
          const a = mine.tblMapSingle(o.cpu, orig, o.size, o.allocAlign, o.minAlign, 0);
          const b = theirs.tblMapSingle(o.cpu, orig, o.size, o.allocAlign, o.minAlign);
          expect(a < 0).toBe(b < 0);
          if (a >= 0) {
            expect(mine.slotOf(a)).toBe(theirs.slotOf(b));
            live.push({ a, b, size: o.size, minAlign: o.minAlign });
          }
        } else {
          const [m] = live.splice(o.pick % live.length, 1);
          mine.releaseSlots(m.a, m.minAlign, m.size);
          theirs.releaseSlots(m.b, m.minAlign, m.size);
        }
        expect(mine.usedSlots()).toBe(theirs.usedSlots());
      });
    }), { numRuns: 100 });
  });

  it("maps each device only in its own pool and fails a full one while another has room (no fallback)", () => {
    const { alloc } = devicePools(2, { devicePoolSlots: 256 });
    expect(alloc.totalSlots).toBe(512);
    const d0 = [alloc.tblMapSingle(0, HOST, SEGMENT, 0, 0, 0), alloc.tblMapSingle(1, HOST, SEGMENT, 0, 0, 0)];
    expect(d0.map((t) => alloc.slotOf(t))).toEqual([0, 128]);
    expect(alloc.tblMapSingle(0, HOST, 2048, 0, 0, 0)).toBe(-1);
    const d1 = alloc.tblMapSingle(0, HOST, 2048, 0, 0, 1);
    expect(alloc.slotOf(d1)).toBe(256); // device 1's pool starts after device 0's 256 slots
    alloc.releaseSlots(d0[0], 0, SEGMENT);
    expect(alloc.slotOf(alloc.tblMapSingle(3, HOST, 2048, 0, 0, 0))).toBe(0);
  });

  it('takes the region size unrounded: a 300-slot pool ends in a 44-slot segment (list[i] = min(128 - i % 128, nslabs - i))', () => {
    const { plan, alloc } = devicePools(1, { devicePoolSlots: 300 });
    expect([plan.nslabs, plan.nareas]).toEqual([300, 1]);
    expect(alloc.tblMapSingle(0, HOST, SEGMENT, 0, 0)).toBeGreaterThanOrEqual(0);
    expect(alloc.tblMapSingle(0, HOST, SEGMENT, 0, 0)).toBeGreaterThanOrEqual(0);
    expect(alloc.tblMapSingle(0, HOST, SEGMENT, 0, 0)).toBe(-1);
    expect(alloc.tblMapSingle(0, HOST, 45 * 2048, 0, 0)).toBe(-1);
    const last = alloc.tblMapSingle(0, HOST, 44 * 2048, 0, 0);
    expect(alloc.slotOf(last)).toBe(256);
  });

  it('at equal memory splits the one-pool size over the devices in whole segments, the first taking the remainder', () => {
    expect(deviceSlots(32768, 3, undefined)).toEqual([86 * 128, 85 * 128, 85 * 128]);
    expect(deviceSlots(32768, 2, 1000)).toEqual([1000, 1000]);
    expect(deviceSlots(256, 3, undefined)).toEqual([86, 85, 85]); // fewer segments than devices: split in slots
    expect(() => deviceSlots(2, 3, undefined)).toThrow(InputError);
    const { plan } = devicePools(2, {});
    expect(plan.deviceSlots).toEqual([16384, 16384]); // the 64 MiB default pool, halved
    expect(plan.notes.join(' ')).toMatch(/equal memory/);
  });

  it('has one area whatever --areas says, and says it ignored it', () => {
    const { plan } = devicePools(2, { areas: 8 });
    expect(plan.nareas).toBe(1);
    expect(plan.changes!.join(' ')).toMatch(/--areas 8 ignored/);
  });

  it("takes per-cpu-areas' total at equal memory, its boot rounding included and said (a 2 MiB pool at 64 CPUs is 64 segments)", () => {
    const plan = perDevicePools.plan({ rules: 'newest', threads: 64, devices: 2, poolSlots: 1024 });
    expect(plan.nslabs).toBe(64 * 128);
    expect(plan.changes!.join(' ')).toMatch(/rounded up to 8192/);
    const oneArea = perDevicePools.plan({ rules: 'newest', threads: 64, devices: 2, poolSlots: 1024, areas: 1 });
    expect(oneArea.nslabs).toBe(1024); // --areas 1: what per-cpu-areas gets with one area
  });
});
