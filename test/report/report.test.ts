/**
 * Charts and pool pictures: slot states from the kernel's bookkeeping, the
 * figures' data against the rows they come from, PNGs that are opaque and
 * inked in every panel, and the pool-map painter's blocks per state.
 */
import { describe, expect, it } from 'vitest';
import { SLOT_FREE, SLOT_PADDING, SLOT_USED } from '../../src/export/run-series.js';
import { poolLabels, slotStates } from '../../src/run/pool-snapshot.js';
import type { FragmentationRow, ThroughputRow } from '../../src/export/columns.js';
import type { AreaSample } from '../../src/export/run-series.js';
import { areaBalanceFigure, failuresFigure, occupancyFigure } from '../../src/report/figures-pool.js';
import { scalingFigure } from '../../src/report/figures-throughput.js';
import { type Painter2D, paintPoolMap, poolMapHeight, slotAt } from '../../src/report/pool-map.js';
import { FIGURE_WIDTH, renderFigure } from '../../src/report/render-png.js';
import { type ReportInput, SIZE_LABELS } from '../../src/report/report-input.js';
import { chartFigures, poolMapPng } from '../../src/report/write-report.js';
import { SwiotlbPool } from '../../src/model/pool.js';
import { allocatePool } from '../../src/model/pool-layout.js';
import { DmaArena } from '../../src/model/dma-arena.js';
import { readPng } from './png.js';

const BASE = 0x4000_0000;

function row(strategy: string, workload: string, threads: number, repeat: number, mapsPerS: number): ThroughputRow {
  return { strategy, workload, threads, repeat, maps_per_s: mapsPerS, map_p50_ns: 500, map_p99_ns: 2000, unmap_p50_ns: 300, unmap_p99_ns: 1500, hiwater_slots: 100 + repeat } as ThroughputRow;
}

function sample(strategy: string, threads: number, tMs: number, used: number, extra: Record<string, number> = {}): FragmentationRow {
  return { strategy, workload: 'w', threads, repeat: 0, t_ms: tMs, io_tlb_used: used, io_tlb_used_hiwater: used + 5, unusable_1: 0, unusable_8: 0.1, unusable_32: 0.2, unusable_128: 0.5, ...extra } as FragmentationRow;
}

/** Two strategies, one workload, 1 and 2 threads, 3 repeats, with pool samples, area use and one snapshot each. */
function input(): ReportInput {
  const pool = new SwiotlbPool(allocatePool(256, 2, BASE, { withData: false }));
  pool.tblMapSingle(0, BASE * 2 + 0x800, 5000, 0, 0xfff);
  const states = Buffer.from(slotStates(pool)).toString('base64');
  const snapshot = (moment: 'peak' | 'end') => ({ moment, tMs: 100, used: 4, pools: [{ label: 'pool', nslabs: 256, nareas: 2, states }] });
  const rates: Record<string, number[]> = { a: [100, 200, 300], b: [400, 500, 600] };
  return {
    command: 'test',
    repeats: 3,
    duration: 1,
    rows: ['a', 'b'].flatMap((s) => [1, 2].flatMap((t) => rates[s].map((r, k) => row(s, 'w', t, k, r * t)))),
    predicted: [],
    fragmentation: ['a', 'b'].flatMap((s) => {
      const dynamic: Record<string, number> = s === 'b' ? { io_tlb_nslabs: 512, io_tlb_transient_nslabs: 0 } : {};
      return [sample(s, 2, 0, 10, dynamic), sample(s, 2, 100, 30, dynamic)];
    }),
    runs: ['a', 'b'].flatMap((s) => [1, 2].flatMap((t) => [0, 1, 2].map((repeat) => ({
      strategy: s, workload: 'w', threads: t, repeat,
      failuresBySize: (s === 'a' && t === 2 ? { '4096': 3, '65536': 2, '1048576': 1 } : {}) as Record<string, number>,
      areaUsed: [{ tMs: 0, used: { 'area 0': 3, 'area 1': 1 } }, { tMs: 100, used: { 'area 0': 0, 'area 1': 7, 'transient@512, area 0': 2 } }] as AreaSample[],
      snapshots: [snapshot('peak'), snapshot('end')],
    })))),
    mappingSizes: { w: [1, 2, 3, 0, 0, 0, 0, 0, 0] },
  };
}

describe('slot states', () => {
  it('marks used slots and the padding slots pad_slots counts, and frees them again', () => {
    const pool = new SwiotlbPool(allocatePool(256, 1, BASE, { withData: false }));
    // 5000 bytes at 0x800 into a page, alloc_align_mask and min_align_mask 0xfff (iommu-dma):
    // swiotlb_align_offset() = 0x800 makes 1 padding slot; the size rounds up to the page, so 3 slots follow.
    const padded = pool.tblMapSingle(0, BASE * 2 + 0x1800, 5000, 0xfff, 0xfff);
    // 3000 bytes at 0x7ff into a slot, no alloc_align_mask (dma-direct): no padding, 3 slots.
    const plain = pool.tblMapSingle(0, BASE * 2 + 0x87ff, 3000, 0, 0xfff);
    const states = slotStates(pool);
    const count = (s: number) => states.filter((x) => x === s).length;
    expect([count(SLOT_PADDING), count(SLOT_USED)]).toEqual([1, 6]);
    expect(256 - count(SLOT_FREE)).toBe(pool.usedSlots());
    pool.releaseSlots(padded, 0xfff, 5000);
    pool.releaseSlots(plain, 0xfff, 3000);
    expect(count(SLOT_FREE)).toBe(256 - 7); // the copy above is a snapshot
    expect(slotStates(pool).every((s) => s === SLOT_FREE)).toBe(true);
  });

  it('names pools by their own label, else by node, else by position', () => {
    const arena = new DmaArena();
    const a = allocatePool(128, 1, BASE, { withData: false, arena });
    const b = allocatePool(128, 1, BASE, { withData: false, arena });
    expect(poolLabels([a])).toEqual(['pool']);
    expect(poolLabels([a, b])).toEqual(['node 0', 'node 1']);
    const shared = allocatePool(128, 1, BASE, { withData: false, arena, mem: { ...a.mem } }); // a copy, as a posted pool carries
    expect(poolLabels([a, shared])).toEqual(['pool 0', 'pool 1']);
    expect(poolLabels([{ ...a, label: 'transient@512' }, shared])).toEqual(['transient@512', 'pool 1']);
  });
});

describe('figures', () => {
  it('scaling: one panel per workload, one line per strategy, mean and min-max of the repeats', () => {
    const fig = scalingFigure(input());
    expect(fig.panels).toHaveLength(1);
    const datasets = fig.panels[0].data.datasets as { label: string; data: { y: number; yMin: number; yMax: number }[] }[];
    expect(datasets.map((d) => d.label)).toEqual(['a', 'b']);
    expect(datasets[1].data[1]).toEqual({ y: 1000, yMin: 800, yMax: 1200 });
    expect(fig.title).toContain('a, b · w · 1,2 threads · 3 x 1 s');
  });

  it('failures: bucketed by mapping size per strategy, with the workload sizes beside', () => {
    const fig = failuresFigure(input());
    const [a, b, sizes] = fig.panels[0].data.datasets as { data: number[] }[];
    const at = (label: string) => SIZE_LABELS.indexOf(label);
    // Three runs (repeats) of strategy a at 2 threads each failed 3 x 4 KiB, 2 x 64 KiB, 1 x 1 MiB.
    expect(a.data[at('≤4 KiB')]).toBe(9);
    expect(a.data[at('≤64 KiB')]).toBe(6);
    expect(a.data[at('>256 KiB')]).toBe(3);
    expect(b.data.every((n) => n === 0)).toBe(true);
    expect(sizes.data.slice(0, 3)).toEqual([1, 2, 3]);
  });

  it('area balance has a row per area ever seen, cells only where its pool was live', () => {
    const panel = areaBalanceFigure(input()).panels[0];
    expect((panel.options!.scales!.y as { labels: string[] }).labels).toEqual(['area 0', 'area 1', 'transient@512, area 0']);
    const cells = panel.data.datasets[0].data as { x: string; y: string; v: number }[];
    expect(cells).toHaveLength(5);
    expect(cells.find((c) => c.y === 'transient@512, area 0')).toEqual({ x: '0.1 s', y: 'transient@512, area 0', v: 2 });
  });

  it('occupancy adds io_tlb_nslabs and transient slots only for strategies that sample them', () => {
    const labels = (occupancyFigure(input()).panels[0].data.datasets as { label: string }[]).map((d) => d.label);
    expect(labels).toEqual(['a io_tlb_used', 'a hiwater', 'b io_tlb_used', 'b hiwater', 'b io_tlb_nslabs', 'b transient slots']);
  });

  it('every figure renders as an opaque 1200-px PNG with ink in every panel', async () => {
    for (const fig of chartFigures(input())) {
      const png = await readPng(renderFigure(fig));
      expect(png.width, fig.file).toBe(FIGURE_WIDTH);
      const cols = fig.panels.length > 1 ? 2 : 1;
      const rows = Math.ceil(fig.panels.length / cols);
      const cellW = png.width / cols;
      const cellH = (png.height - 44) / rows;
      for (let p = 0; p < fig.panels.length; p++) {
        const ink = png.ink((p % cols) * cellW, 44 + Math.floor(p / cols) * cellH, cellW, cellH);
        expect(ink, `${fig.file} panel ${p}`).toBeGreaterThan(0.01);
      }
    }
  });
});

describe('pool map', () => {
  it('paints one block per slot in the colour of its state', () => {
    const states = new Uint8Array(256);
    states.fill(SLOT_USED, 0, 10);
    states[10] = SLOT_USED;
    states.fill(SLOT_PADDING, 130, 132);
    states.fill(SLOT_USED, 132, 140);
    const painted = new Map<string, number>();
    const ctx: Painter2D = {
      fillStyle: '', font: '', textAlign: '', textBaseline: '',
      fillText() {},
      fillRect(x, y, w, h) {
        if (y < 42) return; // title and legend
        if (h > 1 && w >= 1) painted.set(String(this.fillStyle), (painted.get(String(this.fillStyle)) ?? 0) + w);
      },
    };
    paintPoolMap(ctx, { title: 't', pools: [{ label: 'pool', nslabs: 256, nareas: 2, states }] }, 1200, 400);
    const total = [...painted.values()].reduce((s, n) => s + n, 0);
    const perSlot = total / 256;
    expect(Number.isInteger(perSlot)).toBe(true);
    expect((painted.get('#1f77b4') ?? 0) / perSlot).toBe(19);
    expect((painted.get('#ff7f0e') ?? 0) / perSlot).toBe(2);
    expect((painted.get('#e6e6e6') ?? 0) / perSlot).toBe(256 - 21);
  });

  it('finds the slot under a pointer from the painted layout', () => {
    const states = new Uint8Array(512);
    states[10] = SLOT_USED;
    states[300] = SLOT_PADDING;
    const ctx: Painter2D = { fillStyle: '', font: '', textAlign: '', textBaseline: '', fillText() {}, fillRect() {} };
    const layout = paintPoolMap(ctx, { title: 't', pools: [{ label: 'pool', nslabs: 512, nareas: 2, states }] }, 600, 300);
    // Centre of a slot's block: area row, segment line and column, slot in the segment.
    const at = (area: number, slotInArea: number) => {
      const segment = Math.floor(slotInArea / 128);
      return slotAt(layout, layout.x0 + (segment % layout.cols) * layout.colStep + (slotInArea % 128) * layout.bw + layout.bw / 2,
        layout.areas[area].y + Math.floor(segment / layout.cols) * layout.bh + layout.bh / 2);
    };
    expect(at(0, 10)).toBe('area 0: slot 10 (segment 0, slot 10 of 128): used');
    expect(at(1, 300 - 256)).toBe('area 1: slot 300 (segment 2, slot 44 of 128): padding (pad_slots)');
    expect(at(1, 255)).toBe('area 1: slot 511 (segment 3, slot 127 of 128): free');
    expect(slotAt(layout, 1, 1)).toBeNull();
  });

  it('pool-map.png shows a panel per snapshot of each strategy\'s fullest run', async () => {
    const png = await readPng(poolMapPng(input()));
    expect(png.width).toBe(FIGURE_WIDTH);
    const panel = poolMapHeight({ pools: [{ nslabs: 256, nareas: 2 }] }, 1200);
    expect(png.height).toBe(44 + 4 * panel); // 2 strategies x (peak, end)
    for (let k = 0; k < 4; k++) expect(png.ink(0, 44 + k * panel, 1200, panel)).toBeGreaterThan(0.02);
  });
});
