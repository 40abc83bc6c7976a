/**
 * dynamic-growth against the kernel's rules (kernel/dma/swiotlb.c with
 * CONFIG_SWIOTLB_DYNAMIC; every expected value below is worked out from the
 * rule its comment names, not read from the model).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { KernelRules } from '../../src/model/constants.js';
import { DMA_ATTR_SKIP_CPU_SYNC, DMA_FROM_DEVICE, DMA_TO_DEVICE, DmaMapper, type DmaDirection } from '../../src/model/dma.js';
import { PENDING_CLAIMED, dynAllocPending, runDynAllocWork, scheduleDynAlloc } from '../../src/model/dynamic/alloc-pool.js';
import { META_PENDING } from '../../src/model/dynamic/layout.js';
import { runGrowth } from '../../strategies/dynamic-growth/growth-thread.js';
import type { DynamicAllocator } from '../../src/model/dynamic/allocator.js';
import { hostMemory } from '../../src/model/strategy.js';
import { dynamicGrowth } from '../../strategies/dynamic-growth/index.js';
import { perCpuAreas } from '../../strategies/per-cpu-areas.js';

const HOST = 0x1_0000_0000;
const SEG = 128 * 2048; // one whole segment: 256 KiB
const BASE = 0x8000_0000;

interface Setup {
  pool?: number;
  threads?: number;
  maxPool?: number;
  rules?: KernelRules;
  debugfs?: boolean;
}

function setup({ pool, threads = 1, maxPool = 4096, rules = 'newest', debugfs = true }: Setup = {}) {
  const plan = dynamicGrowth.plan({ poolSlots: pool, threads, rules, maxPoolSlots: maxPool });
  plan.debugfs = debugfs;
  const state = dynamicGrowth.create(plan);
  const alloc = dynamicGrowth.attach(state) as DynamicAllocator;
  const columns = () => ({ ...dynamicGrowth.sampleColumns!(state), ...dynamicGrowth.reportColumns!(state) });
  return { plan, state, alloc, columns, grow: (meanwhile?: () => void) => runDynAllocWork(alloc.v, meanwhile) };
}

/** Map a whole segment at a page-aligned original (any segment start fits it). */
function mapSegment(alloc: DynamicAllocator, k: number, cpu = 0): number {
  return alloc.tblMapSingle(cpu, HOST + k * SEG, SEG, 0, 0);
}

/** A one-CPU allocator whose 512-slot boot pool is full, with host memory of 16 segments and a DMA mapper for a device without min_align_mask. */
function fullBootPool() {
  const { alloc } = setup();
  const bytes = new Uint8Array(16 * SEG);
  const dma = new DmaMapper(alloc, hostMemory(bytes, HOST), 0);
  for (let k = 0; k < 4; k++) mapSegment(alloc, k);
  return { alloc, bytes, dma, dev: { name: 'nvme0', minAlignMask: 0 } };
}

describe('dynamic-growth sizes (swiotlb_adjust_nareas, swiotlb_dyn_alloc, swiotlb_alloc_pool)', () => {
  it('one CPU: a 512-slot boot pool in 1 area, and each growth asks for 512 slots (default_nslabs), not 4 MiB', () => {
    const { plan, grow, columns } = setup();
    expect(plan).toMatchObject({ nslabs: 512, nareas: 1 });
    // --max-pool 4096 slots = 8 MiB, of which the boot pool has 1 MiB: 7 MiB of budget, seven 1 MiB pools.
    for (let k = 0; k < 7; k++) expect(grow()).toEqual({ pool: { start: 0xc000_0000 + k * 2 ** 20, nslabs: 512, nareas: 1 }, tried: [512] });
    // The eighth cannot have its pages and cannot halve: 512 is already IO_TLB_MIN_SLABS.
    expect(grow()).toEqual({ tried: [512] });
    expect(columns()).toMatchObject({ io_tlb_nslabs: 4096, pools_added: 7, reserved_bytes: 7 * 2 ** 20 });
  });

  it('32 CPUs: the boot pool grows to 128 x 32 slots in 32 areas; growth asks for 2048 slots in 16 areas', () => {
    const { plan, alloc, grow } = setup({ threads: 32, maxPool: 32768 });
    // round_up_default_nslabs(): 512 < 128 * 32, so 4096 slots; no cap on the area count.
    expect(plan).toMatchObject({ nslabs: 4096, nareas: 32 });
    // swiotlb_alloc_pool(): min(4096, SLABS_PER_PAGE << MAX_PAGE_ORDER = 2048), limit_nareas(32, 2048) = 16.
    expect(grow().pool).toMatchObject({ nslabs: 2048, nareas: 16 });
    // Offset 0 searches the newest pool first: area (31 + 0) & (16 - 1) = 15 of the growth pool.
    const tlb = alloc.tblMapSingle(31, HOST, 4096, 0, 0);
    expect(alloc.lastMapPool!.nareas).toBe(16);
    expect((tlb - alloc.lastMapPool!.start) / 2048).toBe(15 * 128);
  });

  it('32 CPUs without growth: CPU 31 maps in area 31 of the 32-area boot pool', () => {
    const { alloc } = setup({ threads: 32, maxPool: 32768 });
    const tlb = alloc.tblMapSingle(31, HOST, 4096, 0, 0);
    expect((tlb - BASE) / 2048).toBe(31 * 128);
  });

  it('halves a growth that cannot have its pages: ALIGN(n / 2, 128), areas limited at each step, failing after 512', () => {
    // swiotlb=4096,8: default_nslabs 4096, default_nareas 8; 3 MiB of budget beyond the boot pool.
    const { plan, grow } = setup({ pool: 4096, threads: 8, maxPool: 4096 + 1536 });
    expect(plan).toMatchObject({ nslabs: 4096, nareas: 8 });
    expect(grow()).toMatchObject({ pool: { nslabs: 1024, nareas: 8 }, tried: [2048, 1024] });
    // 1 MiB left: 512 slots, limit_nareas(8, 512) = 4 areas.
    expect(grow()).toMatchObject({ pool: { nslabs: 512, nareas: 4 }, tried: [2048, 1024, 512] });
    expect(grow()).toEqual({ tried: [2048, 1024, 512] });
  });
});

describe('dynamic-growth when the pools are full (swiotlb_find_slots, schedule_work)', () => {
  it('queues the growth once while it is pending, and again when a map fails while the work runs', () => {
    const { alloc, grow } = setup();
    for (let k = 0; k < 4; k++) mapSegment(alloc, k);
    expect(alloc.tblMapSingle(0, HOST + 0x100000, 4096, 0, 0)).toBeGreaterThan(0); // a transient pool
    expect(alloc.counters.extra.growth_requests).toBe(1);
    expect(dynAllocPending(alloc.v)).toBe(true);
    alloc.tblMapSingle(0, HOST + 0x200000, 4096, 0, 0);
    expect(alloc.counters.extra.growth_requests).toBe(1); // schedule_work() found it pending
    // The work clears PENDING as it starts; a map failing meanwhile queues the next run.
    grow(() => alloc.tblMapSingle(0, HOST + 0x300000, 4096, 0, 0));
    expect(alloc.counters.extra.growth_requests).toBe(2);
    expect(dynAllocPending(alloc.v)).toBe(true);
    grow();
    expect(dynAllocPending(alloc.v)).toBe(false);
  });

  it('serves an overflow from a transient pool of exactly its slots, counted in io_tlb_used but not io_tlb_nslabs, freed whole at unmap', () => {
    const { alloc, columns } = setup();
    const inPool = [0, 1, 2, 3].map((k) => mapSegment(alloc, k));
    const t1 = alloc.tblMapSingle(0, HOST + 0x100000, 3000, 0, 0); // nr_slots(3000) = 2
    const t2 = mapSegment(alloc, 9); // 128 slots
    expect(alloc.counters.extra.transient_pools).toBe(2);
    expect(alloc.v.mem.transientNslabs).toBe(130);
    expect(alloc.usedSlots()).toBe(512 + 130);
    expect(alloc.totalSlots).toBe(512);
    // Pages: 2 slots take one 4 KiB page; 128 slots a 256 KiB block.
    expect(columns().reserved_bytes).toBe(4096 + SEG);
    alloc.releaseSlots(t2, 0, SEG);
    expect(alloc.v.mem.transientNslabs).toBe(2);
    expect(columns().reserved_bytes).toBe(4096);
    alloc.releaseSlots(t1, 0, 3000);
    for (const t of inPool) alloc.releaseSlots(t, 0, SEG);
    expect(alloc.usedSlots()).toBe(0);
    expect(columns()).toMatchObject({ io_tlb_transient_nslabs: 0, reserved_bytes: 0, transient_peak_slots: 130 });
  });

  it('bounces through a transient pool both ways: the original reaches the buffer at map, the device\'s bytes come back at unmap', () => {
    const { alloc, bytes, dma, dev } = fullBootPool();
    const orig = HOST + 5 * SEG;
    bytes.fill(0x5a, 5 * SEG, 5 * SEG + 3000);
    const tlb = dma.map(dev, orig, 3000, DMA_FROM_DEVICE);
    expect(alloc.v.mem.transientNslabs).toBe(2); // nr_slots(3000)
    const buffer = alloc.deviceAccess(tlb, 3000);
    expect(buffer.every((b) => b === 0x5a)).toBe(true); // swiotlb_bounce at map copies whatever the direction
    buffer.fill(0xc3);
    dma.unmap(dev, tlb, 3000, DMA_FROM_DEVICE);
    expect(bytes.subarray(5 * SEG, 5 * SEG + 3000).every((b) => b === 0xc3)).toBe(true);
    expect(bytes[5 * SEG + 3000]).toBe(0);
    expect(alloc.v.mem.transientNslabs).toBe(0); // swiotlb_del_transient
  });

  it("a freed transient block reused by a pool of another size, and then by one more while the first's buffer lives: each bounce goes through its own pool", () => {
    const { alloc, bytes, dma, dev } = fullBootPool();
    const reserve = alloc.v.config.reserveBase;
    // A 1-slot transient pool takes the reserve's first page (the lowest free block), and goes at unmap.
    const a = dma.map(dev, HOST + 5 * SEG, 1000, DMA_TO_DEVICE);
    expect(a).toBe(reserve);
    dma.unmap(dev, a, 1000, DMA_TO_DEVICE);
    // A 3-slot pool (6000 bytes: two pages, order 1) takes the same first block, now with 3 slots.
    bytes.fill(0x11, 6 * SEG, 6 * SEG + 6000);
    const b = dma.map(dev, HOST + 6 * SEG, 6000, DMA_FROM_DEVICE);
    expect(b).toBe(reserve);
    // The next transient pool (1 slot) goes to the first free page after that block.
    bytes.fill(0x22, 7 * SEG, 7 * SEG + 2000);
    const c = dma.map(dev, HOST + 7 * SEG, 2000, DMA_FROM_DEVICE);
    expect(c).toBe(reserve + 2 * 4096);
    // Lookups find each by its range: the boot pool's last byte, the 3-slot pool's last byte, not the byte after it.
    expect(alloc.v.entryContains(0, BASE + 512 * 2048 - 1)).toBe(true);
    expect(alloc.v.entryContains(0, BASE + 512 * 2048)).toBe(false);
    expect(alloc.v.entryContains(1, reserve + 3 * 2048 - 1)).toBe(true);
    expect(alloc.v.entryContains(1, reserve + 3 * 2048)).toBe(false);
    expect(alloc.deviceAccess(b, 6000).every((x) => x === 0x11)).toBe(true);
    expect(alloc.deviceAccess(c, 2000).every((x) => x === 0x22)).toBe(true);
    alloc.deviceAccess(b, 6000).fill(0xb0);
    alloc.deviceAccess(c, 2000).fill(0xc0);
    dma.unmap(dev, b, 6000, DMA_FROM_DEVICE);
    dma.unmap(dev, c, 2000, DMA_FROM_DEVICE);
    expect(bytes.subarray(6 * SEG, 6 * SEG + 6000).every((x) => x === 0xb0)).toBe(true);
    expect(bytes.subarray(7 * SEG, 7 * SEG + 2000).every((x) => x === 0xc0)).toBe(true);
    expect(alloc.v.mem.transientNslabs).toBe(0);
  });

  it('fails as "buffer is full" when even the transient pool gets no pages', () => {
    const { alloc } = setup({ maxPool: 512 }); // no budget beyond the boot pool
    for (let k = 0; k < 4; k++) mapSegment(alloc, k);
    expect(alloc.tblMapSingle(0, HOST + 0x400000, 2048, 0, 0)).toBe(-1);
    expect(alloc.counters.extra.transient_alloc_failed).toBe(1);
  });

  it('newest kernel: refuses more than 256 KiB before any search, growth or transient pool', () => {
    const { alloc } = setup();
    expect(alloc.tblMapSingle(0, HOST, SEG + 1, 0, 0)).toBe(-1);
    expect(alloc.counters.extra).toMatchObject({ oversize_rejects: 1, growth_requests: 0, transient_alloc_failed: 0, transient_no_fit: 0 });
  });

  it('v6.6: has no such check: the search fails, growth is queued, and a 129-slot transient pool is made and cannot hold it', () => {
    const { alloc, columns } = setup({ rules: 'v6.6' });
    expect(alloc.tblMapSingle(0, HOST, SEG + 1, 0, 0)).toBe(-1);
    expect(alloc.counters.extra).toMatchObject({ oversize_rejects: 0, growth_requests: 1, transient_no_fit: 1 });
    expect(columns().reserved_bytes).toBe(0); // freed at once (swiotlb_dyn_free)
  });

  it('v6.6 keeps no transient_nslabs counter; newest does', () => {
    for (const [rules, expected] of [['v6.6', 0], ['newest', 2]] as const) {
      const { alloc } = setup({ rules });
      for (let k = 0; k < 4; k++) mapSegment(alloc, k);
      alloc.tblMapSingle(0, HOST + 0x100000, 3000, 0, 0);
      expect(alloc.v.mem.transientNslabs).toBe(expected);
    }
  });
});

describe('dynamic-growth search order', () => {
  /** A 512-slot boot pool in 4 areas plus one growth pool (512 slots, 4 areas) at the head; CPU 1 fills area 1 of the growth pool. */
  function twoPools(rules: KernelRules) {
    const s = setup({ threads: 4, rules });
    s.grow();
    const growth = 0xc000_0000;
    // Offset 0 (both rules): the newest pool's area 1, empty: index 128 of the growth pool.
    expect(mapSegment(s.alloc, 0, 1)).toBe(growth + 128 * 2048);
    return s;
  }

  it('newest (offset-major): the next map of CPU 1 takes area 1 of the boot pool before area 2 of the growth pool', () => {
    const { alloc } = twoPools('newest');
    expect(alloc.tblMapSingle(1, HOST + 0x100000, 4096, 0, 0)).toBe(BASE + 128 * 2048);
  });

  it('v6.6 (pool-major): every area of the growth pool first, so area 2 of it', () => {
    const { alloc } = twoPools('v6.6');
    expect(alloc.tblMapSingle(1, HOST + 0x100000, 4096, 0, 0)).toBe(0xc000_0000 + 256 * 2048);
  });
});

describe('area_fallbacks: one per area tried after the start area of each pool, in both paths', () => {
  it('a map that fails in every area of one 4-area pool counts 3, static or dynamic', () => {
    const stat = perCpuAreas.attach(perCpuAreas.create(perCpuAreas.plan({ poolSlots: 512, threads: 4, rules: 'newest' })));
    const { alloc: dyn } = setup({ threads: 4, maxPool: 512 }); // no budget: the transient pool fails too
    for (const alloc of [stat, dyn]) {
      for (let k = 0; k < 4; k++) expect(mapSegment(alloc as DynamicAllocator, k, k)).toBeGreaterThan(0);
      alloc.counters.areaFallbacks = 0;
      expect(alloc.tblMapSingle(1, HOST + 0x100000, 4096, 0, 0)).toBe(-1);
      expect(alloc.counters.areaFallbacks).toBe(3);
    }
  });
});

describe('dynamic-growth pool lookup (__swiotlb_find_pool)', () => {
  it('walks mem->pools newest first, then the device\'s transient pools newest first, a step per pool compared', () => {
    const { alloc, grow } = setup();
    const inBoot = alloc.tblMapSingle(0, HOST, 2048, 0, 0);
    grow();
    grow();
    alloc.releaseSlots(inBoot, 0, 2048); // the boot pool is third of three
    expect(alloc.counters.extra).toMatchObject({ lookups: 1, lookup_steps: 3 });

    // Fill all three pools, then two transient pools of device "mask 0" and one of device "mask 0xfff".
    const full = Array.from({ length: 12 }, (_, k) => mapSegment(alloc, k));
    expect(full.every((t) => t > 0)).toBe(true);
    const older = alloc.tblMapSingle(0, HOST + 0x1000000, 4096, 0, 0);
    const newer = alloc.tblMapSingle(0, HOST + 0x1100000, 4096, 0, 0);
    const other = alloc.tblMapSingle(0, HOST + 0x1200000, 4096, 0, 0xfff);
    expect(alloc.counters.extra.transient_pools).toBe(3);
    const steps = () => alloc.counters.extra.lookup_steps;
    let before = steps();
    alloc.releaseSlots(older, 0, 4096); // 3 pools, then `newer`, then `older`
    expect(steps() - before).toBe(5);
    before = steps();
    alloc.releaseSlots(other, 0xfff, 4096); // 3 pools, then the only pool of its device
    expect(steps() - before).toBe(4);
    alloc.releaseSlots(newer, 0, 4096);
  });

  it('v6.6 walks three times per unmap of a pool on the list (is_swiotlb_buffer, swiotlb_del_transient, swiotlb_release_slots)', () => {
    const { alloc } = setup({ rules: 'v6.6' });
    const tlb = alloc.tblMapSingle(0, HOST, 2048, 0, 0);
    alloc.releaseSlots(tlb, 0, 2048);
    expect(alloc.counters.extra).toMatchObject({ lookups: 3, lookup_steps: 3 });
  });
});

describe('pool lookups of the DMA calls (newest: the pool passed down; v6.6: is_swiotlb_buffer and swiotlb_bounce walk)', () => {
  const host = hostMemory(new Uint8Array(1 << 20), HOST);
  const dev = { name: 'nvme0', minAlignMask: 0 };
  /** Lookups one map, and one unmap of direction `dir` (with `attrs`), cost through the DMA layer. */
  function lookups(rules: KernelRules, dir: DmaDirection, attrs = 0) {
    const { alloc } = setup({ rules });
    const dma = new DmaMapper(alloc, host, 0);
    const tlb = dma.map(dev, HOST, 4096, dir);
    const atMap = alloc.counters.extra.lookups;
    dma.unmap(dev, tlb, 4096, dir, attrs);
    return [atMap, alloc.counters.extra.lookups - atMap];
  }

  it.each([
    // rules, direction, attrs, [map, unmap]
    ['newest', DMA_TO_DEVICE, 0, [0, 2]], // the sync's swiotlb_find_pool() looks even though TO_DEVICE copies nothing
    ['newest', DMA_FROM_DEVICE, 0, [0, 2]],
    ['newest', DMA_FROM_DEVICE, DMA_ATTR_SKIP_CPU_SYNC, [0, 1]],
    ['v6.6', DMA_TO_DEVICE, 0, [1, 4]], // sync: is_swiotlb_buffer; unmap: is_swiotlb_buffer, del_transient, release_slots
    ['v6.6', DMA_FROM_DEVICE, 0, [1, 5]], // plus swiotlb_bounce's own lookup for the copy
    ['v6.6', DMA_FROM_DEVICE, DMA_ATTR_SKIP_CPU_SYNC, [1, 3]],
  ] as const)('%s rules, direction %i, attrs %i: lookups at map and unmap %j', (rules, dir, attrs, expected) => {
    expect(lookups(rules, dir, attrs)).toEqual(expected);
  });
});

describe('the growth thread', () => {
  it('acts only once the request is stamped: PENDING claimed by a mapper is not yet queued work', () => {
    const { state, alloc } = setup();
    Atomics.store(alloc.v.meta, META_PENDING, PENDING_CLAIMED); // a CPU won schedule_work() and is stamping the time
    let polls = 0;
    expect(runGrowth(state, () => ++polls > 3)).toMatchObject({ growths: 0, growth_failures: 0 });
    // Queued with its stamp: the thread runs the work, and the latency is the time since the stamp.
    Atomics.store(alloc.v.meta, META_PENDING, 0);
    expect(scheduleDynAlloc(alloc.v)).toBe(true);
    const counters = runGrowth(state, () => Atomics.load(alloc.v.meta, META_PENDING) === 0);
    expect(counters.growths).toBe(1);
    expect(counters.growth_latency_max_ms).toBeGreaterThanOrEqual(0);
    expect(counters.growth_latency_max_ms).toBeLessThan(10_000);
  });
});

describe('dynamic-growth with --debugfs off', () => {
  it('keeps no shared counters; mem_used() sums the areas of mem->pools, transient pools not included', () => {
    const { alloc } = setup({ debugfs: false });
    for (let k = 0; k < 4; k++) mapSegment(alloc, k);
    alloc.tblMapSingle(0, HOST + 0x100000, 3000, 0, 0); // a transient pool of 2 slots
    expect(alloc.v.mem.used).toBe(0);
    expect(alloc.v.mem.hiwater).toBe(0);
    expect(alloc.v.mem.transientNslabs).toBe(0);
    expect(alloc.usedSlots()).toBe(512);
  });
});

describe('dynamic-growth bookkeeping under random map/unmap/growth', () => {
  /** Bytes of the page block a pool of `nslabs` slots takes: 4 KiB << get_order(nslabs * 2 KiB). */
  const blockBytes = (nslabs: number) => 4096 * 2 ** Math.max(0, Math.ceil(Math.log2((nslabs * 2048) / 4096)));

  it('every live mapping is in exactly one live pool; io_tlb_used and the reserve add up', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(
          { weight: 5, arbitrary: fc.record({ kind: fc.constant('map' as const), size: fc.integer({ min: 1, max: 200_000 }), page: fc.integer({ min: 0x10000, max: 0x3ffff }), cpu: fc.integer({ min: 0, max: 3 }) }) },
          { weight: 4, arbitrary: fc.record({ kind: fc.constant('unmap' as const), pick: fc.nat() }) },
          { weight: 1, arbitrary: fc.record({ kind: fc.constant('grow' as const) }) },
        ), { maxLength: 120 }),
        (commands) => {
          const { state, alloc, columns, grow } = setup({ threads: 4, maxPool: 3072 });
          const live: { tlb: number; size: number }[] = [];
          for (const c of commands) {
            if (c.kind === 'map') {
              const tlb = alloc.tblMapSingle(c.cpu, c.page * 4096, c.size, 0, 0);
              if (tlb >= 0) live.push({ tlb, size: c.size });
            } else if (c.kind === 'unmap' && live.length) {
              const [l] = live.splice(c.pick % live.length, 1);
              alloc.releaseSlots(l.tlb, 0, l.size);
            } else if (c.kind === 'grow') {
              grow();
            }
            const pools = dynamicGrowth.livePools!(state);
            for (const l of live) expect(pools.filter((p) => l.tlb >= p.start && l.tlb + l.size <= p.start + p.nslabs * 2048)).toHaveLength(1);
            // io_tlb_used: slots of the mappings in list pools, plus every transient pool whole.
            const transient = pools.filter((p) => p.label?.startsWith('transient'));
            const inTransient = (t: number) => transient.some((p) => t >= p.start && t < p.start + p.nslabs * 2048);
            const expectedUsed = live.filter((l) => !inTransient(l.tlb)).reduce((s, l) => s + Math.ceil(l.size / 2048), 0) + transient.reduce((s, p) => s + p.nslabs, 0);
            expect(alloc.usedSlots()).toBe(expectedUsed);
            expect(transient).toHaveLength(live.filter((l) => inTransient(l.tlb)).length);
            // The reserve holds one block per growth and transient pool.
            const grown = pools.filter((p) => p.start >= 0xc000_0000 && !p.label?.startsWith('transient'));
            expect(columns().reserved_bytes).toBe([...grown, ...transient].reduce((s, p) => s + blockBytes(p.nslabs), 0));
            expect(columns().io_tlb_nslabs).toBe(512 + grown.reduce((s, p) => s + p.nslabs, 0));
          }
        },
      ),
      { numRuns: 60 },
    );
  });
});
