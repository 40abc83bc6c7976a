import { describe, expect, it } from 'vitest';
import type { ThrottledAllocator } from '../../src/model/strategy.js';
import { throttledAreas } from '../../strategies/throttled-areas.js';

const HOST = 0x1_0000_0000;

function setup() {
  const state = throttledAreas.create(throttledAreas.plan({ poolSlots: 1024, threads: 2, rules: 'newest' }));
  const cpu0 = throttledAreas.attach(state) as ThrottledAllocator;
  const cpu1 = throttledAreas.attach(state) as ThrottledAllocator;
  return { cpu0, cpu1 };
}

/** Map `slots` 2 KiB buffers from `alloc` (no throttle check). */
function fill(alloc: ThrottledAllocator, slots: number): number[] {
  return Array.from({ length: slots }, (_, i) => alloc.tblMapSingle(0, HOST + i * 2048, 2048, 0, 0));
}

describe('throttled-areas (Kelley RFC semantics)', () => {
  it('does not throttle at or below 70% of nslabs', () => {
    const { cpu0, cpu1 } = setup();
    fill(cpu0, 716); // 716 / 1024 < 70%
    expect(cpu0.throttle.tryEnter()).toBe(true);
    expect(cpu1.throttle.tryEnter()).toBe(true);
    expect(cpu0.counters.extra.throttled_maps).toBe(0);
  });

  it('above 70%: one map takes the semaphore and holds it until its unmap', () => {
    const { cpu0, cpu1 } = setup();
    fill(cpu0, 720);
    expect(cpu0.throttle.tryEnter()).toBe(true);
    const held = cpu0.tblMapSingle(0, HOST + 0x800000, 4096, 0, 0);
    expect(held).toBeGreaterThan(0);
    expect(cpu0.counters.extra.throttled_maps).toBe(1);
    // Another CPU must wait, and so must the same CPU's next map.
    expect(cpu1.throttle.tryEnter()).toBe(false);
    expect(cpu0.throttle.tryEnter()).toBe(false);
    // Unmapping some other buffer does not release it...
    const others = fill(cpu1, 1);
    cpu1.releaseSlots(others[0], 0, 2048);
    expect(cpu1.throttle.tryEnter()).toBe(false);
    // ...the holder's unmap does.
    cpu0.releaseSlots(held, 0, 4096);
    expect(cpu1.throttle.tryEnter()).toBe(true);
  });

  it('uses the 65% threshold while the semaphore is held', () => {
    const { cpu0, cpu1 } = setup();
    const small = fill(cpu0, 720);
    expect(cpu0.throttle.tryEnter()).toBe(true);
    const held = cpu0.tblMapSingle(0, HOST + 0x800000, 2048, 0, 0);
    // Drop to 68% (between 65% and 70%): still throttled because it is held.
    for (const t of small.slice(0, 25)) cpu0.releaseSlots(t, 0, 2048);
    expect(cpu0.usedSlots()).toBe(696);
    expect(cpu1.throttle.tryEnter()).toBe(false);
    // Below 65% nobody is throttled, held or not.
    for (const t of small.slice(25, 60)) cpu0.releaseSlots(t, 0, 2048);
    expect(cpu1.throttle.tryEnter()).toBe(true);
    cpu0.releaseSlots(held, 0, 2048);
  });

  it('a map that fails after taking the semaphore gives it back', () => {
    const { cpu0, cpu1 } = setup();
    fill(cpu0, 1000);
    expect(cpu0.throttle.tryEnter()).toBe(true);
    expect(cpu0.tblMapSingle(0, HOST + 0x800000, 64 * 2048, 0, 0)).toBe(-1);
    expect(cpu1.throttle.tryEnter()).toBe(true);
  });
});
