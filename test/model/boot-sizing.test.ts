/**
 * Boot sizing as kernel/dma/swiotlb.c does it: setup_io_tlb_npages() aligns
 * `swiotlb=<nslabs>` to 128 slots; swiotlb_adjust_nareas() rounds the area
 * count up to a power of two; round_up_default_nslabs() raises the pool to
 * 128 slots per area, or else rounds it up to a power of two; limit_nareas()
 * only cuts areas of pools that cannot grow. Each row is worked out by hand
 * from those rules.
 */
import { describe, expect, it } from 'vitest';
import { bootSizing, limitNareas } from '../../src/model/pool-sizing.js';
import { perCpuAreas } from '../../strategies/per-cpu-areas.js';

describe('bootSizing: (requested slots, CPUs) -> (nslabs, nareas)', () => {
  it.each([
    // requested, CPUs, nslabs, nareas, why
    [1024, 16, 2048, 16, '1024 < 128 x 16: raised to 2048'],
    [undefined, 4, 32768, 4, 'the 64 MiB default, already a power of two above 128 x 4'],
    [undefined, 512, 65536, 512, '32768 < 128 x 512: raised to 65536 (128 MiB)'],
    [3000, 4, 4096, 4, 'ALIGN(3000, 128) = 3072, not a power of two: 4096'],
    [1000, 1, 1024, 1, 'ALIGN(1000, 128) = 1024'],
    [100, 3, 512, 4, '3 CPUs: 4 areas; ALIGN(100, 128) = 128 < 512'],
    [200, 6, 1024, 8, '6 CPUs: 8 areas; 256 < 1024'],
    [49152, 2, 65536, 2, '96 MiB is not a power of two: 128 MiB'],
    [128, 1, 128, 1, 'one segment, one area: unchanged'],
    [512, 32, 4096, 32, "dynamic-growth's 1 MiB boot pool on 32 CPUs"],
  ] as const)('swiotlb=%s on %i CPUs: %i slots in %i areas (%s)', (requested, cpus, nslabs, nareas, _why) => {
    const boot = bootSizing(requested, cpus);
    expect({ nslabs: boot.nslabs, nareas: boot.nareas }).toEqual({ nslabs, nareas });
  });

  it('prints what the kernel prints: "area num N." and, when it rounded, the new size in whole MiB', () => {
    expect(bootSizing(1024, 16).messages).toEqual(['software IO TLB: area num 16.', 'software IO TLB: SWIOTLB bounce buffer size roundup to 4MB']);
    expect(bootSizing(undefined, 4).messages).toEqual(['software IO TLB: area num 4.']);
    // 256 slots are 512 KiB: (nslabs << IO_TLB_SHIFT) >> 20 prints 0.
    expect(bootSizing(100, 2).messages[1]).toBe('software IO TLB: SWIOTLB bounce buffer size roundup to 0MB');
  });

  it('says what changed and why', () => {
    expect(bootSizing(1024, 16).changes).toEqual(['pool of 1024 slots rounded up to 2048 (4096 KiB) in 16 areas, so each of 16 areas holds a 128-slot segment (round_up_default_nslabs)']);
    expect(bootSizing(3000, 4).changes).toEqual([
      'pool of 3000 slots aligned up to 3072, whole 128-slot segments (setup_io_tlb_npages)',
      'pool of 3072 slots rounded up to 4096 (8192 KiB) in 4 areas, to a power of two (round_up_default_nslabs)',
    ]);
    expect(bootSizing(undefined, 8).changes).toEqual([]);
  });
});

describe('limit_nareas(nareas, nslots)', () => {
  it('cuts to whole segments only when the areas do not fit', () => {
    expect(limitNareas(16, 2048)).toBe(16);
    expect(limitNareas(32, 2048)).toBe(16);
    expect(limitNareas(8, 512)).toBe(4);
    expect(limitNareas(4, 384)).toBe(3); // the kernel allows a count that is not a power of two
  });
});

describe('per-cpu-areas plans the pool the kernel boots', () => {
  it('--pool 1024 on 16 CPUs: 2048 slots in 16 areas (not 1024 in 8), with the kernel messages in the notes', () => {
    const plan = perCpuAreas.plan({ poolSlots: 1024, threads: 16, rules: 'newest' });
    expect(plan).toMatchObject({ nslabs: 2048, nareas: 16 });
    expect(plan.notes).toContain('software IO TLB: SWIOTLB bounce buffer size roundup to 4MB');
    expect(plan.changes!.join()).toMatch(/rounded up to 2048/);
  });

  it('--areas N stands for swiotlb=,N: rounded up to a power of two, and it raises the pool too', () => {
    const plan = perCpuAreas.plan({ poolSlots: 256, threads: 1, areas: 3, rules: 'newest' });
    expect(plan).toMatchObject({ nslabs: 512, nareas: 4 });
    expect(plan.changes![0]).toBe('--areas 3 rounded up to 4, a power of two (swiotlb_adjust_nareas)');
  });
});
