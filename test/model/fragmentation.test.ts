import { describe, expect, it } from 'vitest';
import { freeRunStats, internalWastePct, listHash, unusableShares } from '../../src/model/fragmentation.js';

/** list[] for a 256-slot pool with the given used slots, by the segment-run rule. */
function listFor(used: Set<number>, nslabs = 256): Int32Array {
  const list = new Int32Array(nslabs);
  for (let i = nslabs - 1; i >= 0; i--) {
    if (used.has(i)) continue;
    list[i] = i % 128 === 127 ? 1 : list[i + 1] + 1;
  }
  return list;
}

describe('fragmentation measures', () => {
  it('an empty pool has one free run and nothing unusable', () => {
    const list = listFor(new Set());
    expect(freeRunStats(list)).toEqual({ freeRuns: 1, largestFreeRun: 256, maxList: 128, freeSlots: 256 });
    expect(unusableShares(list)).toEqual([0, 0, 0, 0]);
  });

  it('every other slot used: free slots only usable by 1-slot requests', () => {
    const used = new Set(Array.from({ length: 128 }, (_, k) => 2 * k));
    const list = listFor(used);
    expect(freeRunStats(list)).toMatchObject({ freeRuns: 128, largestFreeRun: 1, freeSlots: 128 });
    expect(unusableShares(list)).toEqual([0, 1, 1, 1]);
  });

  it('free runs are cut at segment edges for unusable_n but not for free_runs', () => {
    // Slots 100..155 free: one run over the pool, but 28 + 28 inside segments.
    const used = new Set(Array.from({ length: 256 }, (_, i) => i).filter((i) => i < 100 || i > 155));
    const list = listFor(used);
    expect(freeRunStats(list)).toMatchObject({ freeRuns: 1, largestFreeRun: 56 });
    expect(unusableShares(list, [28, 29, 56])).toEqual([0, 1, 1]);
  });

  it('internal waste is the share of allocated bytes carrying no data', () => {
    expect(internalWastePct(2, 4096)).toBe(0);
    expect(internalWastePct(4, 4096)).toBe(50);
    expect(internalWastePct(0, 0)).toBe(0);
  });

  it('list_hash is FNV-1a over little-endian int32', () => {
    expect(listHash(new Int32Array([]))).toBe(0x811c9dc5);
    expect(listHash(new Int32Array([1]))).not.toBe(listHash(new Int32Array([256])));
  });
});
