/** Warnings that say what to do: each one triggered and not triggered, with its advice. */
import { describe, expect, it } from 'vitest';
import { inflightWarnings, largestMapping, machineWarnings, planChangeWarnings, poolFitWarning, poolSizeWarnings, threadsAboveCoresWarning, worstCaseSlots } from '../../src/analysis/warnings-before.js';
import { STRATEGIES } from '../../strategies/index.js';
import { type RunRow, hiwaterNotes, postRunWarnings, shortRunWarnings, spreadWarnings } from '../../src/analysis/warnings-after.js';
import { coefficientOfVariation, relativeRange } from '../../src/stats/spread.js';

const KiB = 1024;

function row(over: Partial<RunRow>): RunRow {
  return { strategy: 'global-lock', workload: 'msr-hm0', threads: 1, repeat: 0, maps: 50_000, seconds: 0.1, maps_per_s: 500_000, map_p99_ns: 5000, ...over };
}

describe('threads above cores', () => {
  it('says nothing when the threads fit, and what to do when they do not', () => {
    expect(threadsAboveCoresWarning(2, 2)).toBeNull();
    const w = threadsAboveCoresWarning(4, 2)!;
    expect(w).toMatch(/^4 threads on 2 cores: results then include the OS scheduler's effects/);
    expect(w).toContain('use --threads up to 2');
    expect(w).toContain('at least 4 cores');
    expect(machineWarnings(2, 4)).toEqual([w]);
    expect(machineWarnings(8, 4)).toEqual([]);
  });
});

describe('pool too small for the largest mapping', () => {
  it('counts worst-case slots as the kernel limits mappings (swiotlb_max_mapping_size fills one segment)', () => {
    expect(worstCaseSlots(252 * KiB, 0xfff)).toBe(128);
    expect(worstCaseSlots(256 * KiB, 0)).toBe(128);
    expect(worstCaseSlots(256 * KiB + 1, 0)).toBe(129);
    expect(worstCaseSlots(2048, 0)).toBe(1);
    expect(worstCaseSlots(4096, 0xfff)).toBe(4);
    // iommu-dma, 64 KiB granule: 128 KiB at up to 0xfff into its page rounds up to 192 KiB (ALIGN(size + offset, 64 KiB)).
    expect(worstCaseSlots(128 * KiB, 0xfff, 0xffff)).toBe(96);
    expect(worstCaseSlots(1536, 0, 0xfff)).toBe(2);
  });

  it('finds the mapping needing most slots, larger bytes breaking ties', () => {
    expect(largestMapping([4096, 8192, 2048], [0xfff, 0, 0xfff])).toEqual({ bytes: 8192, mask: 0, slots: 4 });
  });

  const big = { bytes: 252 * KiB, mask: 0xfff, slots: 128 };
  const base = { strategy: 'per-cpu-areas', threads: 4, workload: 'msr-hm0', segment: 'max' as const };

  it('is silent when an area holds the largest mapping', () => {
    expect(poolFitWarning({ ...base, plan: { nslabs: 32768, nareas: 4 }, largest: big })).toBeNull();
    expect(poolFitWarning({ ...base, plan: { nslabs: 512, nareas: 2, nodes: 2 }, largest: big })).toBeNull();
  });

  it('a mapping above one segment: no pool helps, change --segment', () => {
    const huge = { bytes: 300 * KiB, mask: 0, slots: worstCaseSlots(300 * KiB, 0) };
    const w = poolFitWarning({ ...base, plan: { nslabs: 32768, nareas: 1 }, largest: huge })!;
    expect(w).toMatch(/^msr-hm0: the largest mapping \(307,200 bytes, 150 slots of 2 KiB with min_align_mask 0x0\) is more than one 128-slot segment/);
    expect(w).toContain('swiotlb buffer is full');
    expect(w).toContain('use --segment page');
    expect(poolFitWarning({ ...base, segment: 'page', plan: { nslabs: 32768, nareas: 1 }, largest: huge })).toContain('use --segment max');
  });

  it('areas smaller than the mapping: raise --pool, lower --areas, or map pages', () => {
    const w = poolFitWarning({ ...base, plan: { nslabs: 256, nareas: 4 }, largest: big })!;
    expect(w).toMatch(/^per-cpu-areas threads=4: msr-hm0: the largest mapping .* does not fit in one area of the planned pool \(256 slots, 4 areas of 64 slots/);
    expect(w).toContain('raise --pool to at least 512 slots (1024KiB)');
    expect(w).toContain('lower --areas to 2');
    expect(w).toContain('use --segment page');
    const numa = poolFitWarning({ ...base, plan: { nslabs: 256, nareas: 2, nodes: 2 }, largest: big })!;
    expect(numa).toContain('256 slots in 2 pools, 2 areas of 64 slots');
    expect(numa).toContain('raise --pool to at least 512 slots');
    expect(numa).toContain('lower --areas to 1');
    expect(poolFitWarning({ ...base, plan: { nslabs: 64, nareas: 1 }, largest: big })).not.toContain('--areas');
  });

  it('a growing pool only has the segment limit (transient pools take up to 256 KiB)', () => {
    expect(poolFitWarning({ ...base, plan: { nslabs: 256, nareas: 4, maxPoolSlots: 32768 }, largest: big })).toBeNull();
  });
});

describe('runs too short', () => {
  it('is silent at or above 10,000 maps', () => {
    expect(shortRunWarnings([row({ maps: 10_000 }), row({ maps: 80_000 })], 2)).toEqual([]);
  });

  it('names the shortest run and the --duration that would reach the threshold', () => {
    const rows = [row({ maps: 50_000 }), row({ strategy: 'per-cpu-areas', repeat: 1, maps: 5000, maps_per_s: 50_000 }), row({ maps: 9000, maps_per_s: 90_000 })];
    const [w] = shortRunWarnings(rows, 0.1);
    expect(w).toMatch(/^2 of 3 runs completed fewer than 10,000 maps \(fewest: per-cpu-areas msr-hm0 threads=1 repeat=1, 5,000 maps in 0\.1 s\)/);
    expect(w).toContain('raise --duration (--duration 0.3 would reach 10,000)');
  });

  it('without any completed maps it still says to raise --duration, without a number', () => {
    const [w] = shortRunWarnings([row({ maps: 0, maps_per_s: 0 })], 2);
    expect(w).toMatch(/fewer than 10,000 maps .*; raise --duration$/);
  });
});

describe('spread across repeats', () => {
  it('one repeat: no spread can be measured, use --repeat 3', () => {
    expect(spreadWarnings([row({}), row({ strategy: 'per-cpu-areas' })], 2)).toEqual([expect.stringMatching(/no run-to-run spread can be measured.*use --repeat 3 or more/)]);
  });

  it('is silent when repeats agree', () => {
    const rows = [100, 104, 97].map((x, repeat) => row({ repeat, maps_per_s: x * 1000, map_p99_ns: 5000 + repeat * 100 }));
    expect(spreadWarnings(rows, 2)).toEqual([]);
  });

  it('maps/s with a coefficient of variation above 10%: more repeats, fewer threads than cores when crowded', () => {
    const rows = [100, 150, 60].map((x, repeat) => row({ repeat, maps_per_s: x * 1000 }));
    const [w] = spreadWarnings(rows, 4);
    expect(w).toMatch(/^maps\/s varies too much across repeats to compare \(coefficient of variation above 10%\): global-lock msr-hm0 threads=1 \d+%/);
    expect(w).toContain('use --repeat 6');
    expect(w).not.toContain('fewer threads');
    const crowded = [100, 150, 60].map((x, repeat) => row({ repeat, threads: 2, maps_per_s: x * 1000 }));
    expect(spreadWarnings(crowded, 2)[0]).toContain('use --repeat 6, or fewer threads than the 2 cores');
  });

  it('map p99 whose range exceeds 25% of its median; unsampled p99 (0) is ignored', () => {
    const rows = [1000, 1500, 1000, 1000, 1000, 1000].map((p99, repeat) => row({ repeat, map_p99_ns: p99 }));
    expect(spreadWarnings(rows, 2)).toEqual([expect.stringMatching(/^map p99 latency varies too much .*range over median above 25%.*threads=1 50%; use --repeat 12/)]);
    expect(spreadWarnings([0, 0, 0].map((p99, repeat) => row({ repeat, map_p99_ns: p99 })), 2)).toEqual([]);
  });

  it('the statistics', () => {
    expect(coefficientOfVariation([5, 5, 5])).toBe(0);
    expect(coefficientOfVariation([1, 3])).toBeCloseTo(Math.SQRT2 / 2, 12);
    expect(relativeRange([1, 2, 3])).toBe(1);
    expect(relativeRange([7])).toBe(0);
  });

  it('postRunWarnings puts short runs first', () => {
    const w = postRunWarnings([row({ maps: 10 })], { duration: 2, cores: 2 });
    expect(w).toHaveLength(2);
    expect(w[0]).toContain('fewer than');
    expect(w[1]).toContain('--repeat 3');
  });
});

describe('hiwater above the pool', () => {
  const r = (strategy: string, hiwater: number, pool: number, extra: Record<string, number> = {}) => ({ strategy, workload: 'w', threads: 2, hiwater_slots: hiwater, pool_slots: pool, ...extra });
  it('is explained, by the counters\' window or by growth, once per strategy with the largest excess', () => {
    const notes = hiwaterNotes([r('per-cpu-areas', 131, 128), r('per-cpu-areas', 130, 128), r('global-lock', 128, 128), r('dynamic-growth', 194, 128, { io_tlb_nslabs_end: 2176 })] as never);
    expect(notes).toHaveLength(2);
    expect(notes[0]).toMatch(/^per-cpu-areas: hiwater_slots exceeds pool_slots in 2 run\(s\), by up to 3 slots \(w threads=2: 131 of 128\): as in the kernel, io_tlb_used is raised after the area lock is dropped/);
    expect(notes[1]).toMatch(/^dynamic-growth: .* its pools grow beyond pool_slots/);
    expect(hiwaterNotes([r('global-lock', 128, 128)] as never)).toEqual([]);
  });
});

describe('pools against the workload and each other', () => {
  const strategies = ['global-lock', 'per-cpu-areas', 'dynamic-growth'].map((n) => STRATEGIES.get(n)!);
  const planOf = (pool?: number) => (s: (typeof strategies)[number], threads: number) => s.plan({ rules: 'newest', threads, poolSlots: pool });
  const schedule = (peakBytes: number) => ({ workload: 'burst', threads: 2, facts: { peakInflightBytes: peakBytes, peakInflightMappings: 700 } }) as never;

  it('warns when the bytes in flight at the peak exceed a pool, naming the pools and the --pool that holds them', () => {
    const w = inflightWarnings(strategies, [schedule(1.4 * 2 ** 30)], planOf());
    expect(w).toHaveLength(1);
    expect(w[0]).toMatch(/^burst: up to 1430 MiB in flight at its peak \(700 mappings at once on the trace's timeline\), more than the pool of global-lock 64 MiB, per-cpu-areas 64 MiB, dynamic-growth 64 MiB: .* or keep it to study failures$/);
    expect(inflightWarnings(strategies, [schedule(4 * 2 ** 20)], planOf())).toEqual([]);
    expect(inflightWarnings(strategies, [schedule(3 * 2 ** 20)], planOf(128))).toEqual([expect.stringContaining('use --pool 4MiB or more')]);
  });

  it('warns when the strategies start with pools of different sizes, unless --pool was given', () => {
    expect(poolSizeWarnings(strategies, [1, 2], planOf(), false)[0]).toMatch(/global-lock 64 MiB, per-cpu-areas 64 MiB, dynamic-growth 1 MiB \(grows to 64 MiB\)\): maps\/s then also compares cache footprints/);
    expect(poolSizeWarnings(strategies, [1, 2], planOf(512), true)).toEqual([]);
    expect(poolSizeWarnings(strategies.slice(0, 2), [1, 2], planOf(), false)).toEqual([]);
  });

  it('says what each plan changed, once per strategy and change, with the thread counts', () => {
    const w = planChangeWarnings([STRATEGIES.get('per-cpu-areas')!], [1, 2], (s, threads) => s.plan({ rules: 'newest', threads, areas: 3 }));
    expect(w).toEqual(['per-cpu-areas (threads=1,2): --areas 3 rounded up to 4, a power of two (swiotlb_adjust_nareas)']);
  });
});
