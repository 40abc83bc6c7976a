/**
 * The page reserve of the dynamic path, by the rule the dynamic vectors'
 * README states: alloc_pages(order) takes the lowest-address naturally
 * aligned free block of 4 KiB << order, fails above MAX_PAGE_ORDER (10) or
 * when the held blocks plus this one would pass the budget; __free_pages gives
 * the block back (and it merges with its free buddy).
 */
import { describe, expect, it } from 'vitest';
import { newLockStats } from '../../src/model/lock.js';
import { PageReserve, allocateReserve, getOrder } from '../../src/model/dynamic/page-reserve.js';

const MiB = 2 ** 20;
const reserve = (bytes: number, budget = bytes) => new PageReserve(allocateReserve(bytes, budget), 'qspinlock', newLockStats());

describe('page reserve', () => {
  it('get_order(): the smallest block that holds the bytes', () => {
    expect([1, 4096, 4097, 128 * 1024, 147_456, 4 * MiB].map(getOrder)).toEqual([0, 0, 1, 5, 6, 10]);
  });

  it('takes the lowest-address naturally aligned free block', () => {
    const r = reserve(8 * MiB);
    expect(r.allocPages(5)).toBe(0); // 128 KiB at page 0
    expect(r.allocPages(8)).toBe(256); // 1 MiB: pages 0..255 hold the 128 KiB block, so the next aligned MiB
    expect(r.allocPages(0)).toBe(32); // one page: the first free page after the 128 KiB block
    expect(r.allocPages(5)).toBe(64); // 128 KiB aligned: pages 33..63 are free but not aligned
    r.freePages(0, 5);
    expect(r.allocPages(3)).toBe(0); // back at the bottom
    expect(r.heldBytes).toBe(MiB + 4096 + 128 * 1024 + 32 * 1024);
  });

  it('freed buddies merge into the bigger block again', () => {
    const r = reserve(4 * MiB);
    const blocks = [r.allocPages(9), r.allocPages(9)];
    expect(blocks).toEqual([0, 512]);
    expect(r.allocPages(10)).toBe(-1);
    r.freePages(0, 9);
    r.freePages(512, 9);
    expect(r.allocPages(10)).toBe(0);
  });

  it('fails past the budget, above order 10, and when no aligned block is free', () => {
    const r = reserve(16 * MiB, 5 * MiB);
    expect(r.allocPages(10)).toBe(0);
    expect(r.allocPages(8)).toBe(1024); // 4 + 1 = 5 MiB: at the budget
    expect(r.allocPages(0)).toBe(-1); // one more page would pass it
    expect(reserve(16 * MiB).allocPages(11)).toBe(-1); // 8 MiB: above MAX_PAGE_ORDER
    expect(r.peakBytes).toBe(5 * MiB);
    expect(() => r.freePages(3, 0)).toThrow(/not an allocated block/);
  });
});
