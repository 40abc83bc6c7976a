import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { IO_TLB_SEGSIZE, IO_TLB_SIZE, type KernelRules, alignUp, nrSlots } from '../../src/model/constants.js';
import { SwiotlbPool } from '../../src/model/pool.js';
import { areaOccupancy } from '../../src/model/pool-layout.js';
import { allocatePool } from '../../src/model/pool-layout.js';

const BASE = 0x8000_0000;

interface Live {
  first: number;
  nslots: number;
  tlb: number;
  size: number;
  minAlignMask: number;
}

type Command =
  | { kind: 'map'; cpu: number; size: number; minAlignMask: number; allocAlignMask: number; page: number; inPage: number }
  | { kind: 'unmap'; pick: number };

const command: fc.Arbitrary<Command> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('map' as const),
      cpu: fc.nat(7),
      size: fc.oneof(fc.integer({ min: 1, max: 2048 }), fc.integer({ min: 1, max: 20000 }), fc.integer({ min: 200_000, max: 270_000 })),
      minAlignMask: fc.constantFrom(0, 0x3, 0x7ff, 0xfff, 0x1fff, 0x3fff),
      allocAlignMask: fc.constantFrom(0, 0, 0x7ff, 0xfff, 0x3fff),
      page: fc.integer({ min: 0x10000, max: 0x3fffff }),
      inPage: fc.nat(4095),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('unmap' as const), pick: fc.nat() }) },
);

/** The kernel's slot count and first slot for a successful map, recomputed from the request alone. */
function footprint(rules: KernelRules, tlb: number, orig: number, size: number, minAlignMask: number, allocAlignMask: number) {
  const offset = orig & minAlignMask & (rules === 'v6.6' ? IO_TLB_SIZE - 1 : allocAlignMask | (IO_TLB_SIZE - 1));
  const padded = allocAlignMask && rules === 'newest' ? alignUp(size + offset, allocAlignMask + 1) : size + offset;
  const dataSlot = Math.floor((tlb - BASE) / IO_TLB_SIZE);
  return { first: dataSlot - (offset >> 11), nslots: nrSlots(padded) };
}

/** list[] as the segment-run rule says it must be for this set of occupied slots. */
function expectedList(nslabs: number, live: Live[]): number[] {
  const used = new Uint8Array(nslabs);
  for (const l of live) used.fill(1, l.first, l.first + l.nslots);
  const list = new Array<number>(nslabs).fill(0);
  for (let i = nslabs - 1; i >= 0; i--) {
    if (used[i]) continue;
    const segmentLast = (i % IO_TLB_SEGSIZE) === IO_TLB_SEGSIZE - 1 || i === nslabs - 1;
    list[i] = segmentLast ? 1 : list[i + 1] + 1;
  }
  return list;
}

describe.each(['newest', 'v6.6'] as const)('random map/unmap sequences keep the pool consistent (%s rules)', (rules) => {
  it('list[] equals its recomputation, used counters are exact, live buffers never overlap', () => {
    fc.assert(
      fc.property(fc.constantFrom(512, 1024), fc.constantFrom(1, 2, 4), fc.array(command, { minLength: 1, maxLength: 150 }), (nslabs, nareas, commands) => {
        const pool = new SwiotlbPool(allocatePool(nslabs, nareas, BASE, { withData: false, rules }));
        const mem = pool.mem;
        const live: Live[] = [];
        for (const c of commands) {
          if (c.kind === 'map') {
            const orig = c.page * 4096 + c.inPage;
            const tlb = pool.tblMapSingle(c.cpu, orig, c.size, c.allocAlignMask, c.minAlignMask);
            if (tlb >= 0) {
              const { first, nslots } = footprint(rules, tlb, orig, c.size, c.minAlignMask, c.allocAlignMask);
              expect(tlb & c.minAlignMask).toBe(orig & c.minAlignMask);
              if (rules === 'newest') expect((BASE + first * IO_TLB_SIZE) & c.allocAlignMask).toBe(0);
              expect(Math.floor(first / IO_TLB_SEGSIZE)).toBe(Math.floor((first + nslots - 1) / IO_TLB_SEGSIZE));
              live.push({ first, nslots, tlb, size: c.size, minAlignMask: c.minAlignMask });
            }
          } else if (live.length > 0) {
            const [l] = live.splice(c.pick % live.length, 1);
            pool.releaseSlots(l.tlb, l.minAlignMask, l.size);
          }
          expect(Array.from(pool.list)).toEqual(expectedList(nslabs, live));
          const areaNslabs = nslabs / nareas;
          for (let a = 0; a < nareas; a++) {
            const inArea = live.filter((l) => Math.floor(l.first / areaNslabs) === a);
            expect(pool.areaUsed(a)).toBe(inArea.reduce((s, l) => s + l.nslots, 0));
            expect(areaOccupancy(pool.areaWords, a).requestedBytes).toBe(inArea.reduce((s, l) => s + l.size, 0));
          }
          expect(mem.used).toBe(live.reduce((s, l) => s + l.nslots, 0));
          const sorted = [...live].sort((x, y) => x.first - y.first);
          for (let k = 1; k < sorted.length; k++) expect(sorted[k].first).toBeGreaterThanOrEqual(sorted[k - 1].first + sorted[k - 1].nslots);
        }
      }),
      { numRuns: 150 },
    );
  });
});
