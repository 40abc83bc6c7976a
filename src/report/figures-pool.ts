/**
 * occupancy.png, fragmentation.png, failures.png and area-balance.png: the
 * pool over time, from the main thread's samples (debugfs-style racy reads).
 * Time series show one run per (strategy, workload): the most threads, repeat 0.
 */
import type { FragmentationRow } from '../export/columns.js';
import { axis, panelOptions, shownRun, shownThreads } from './chart-parts.js';
import type { Figure } from './figure.js';
import { colour } from './palette.js';
import { type ReportInput, SIZE_LABELS, dimensions, runFacts, sizeBucket } from './report-input.js';
import { fn } from './scriptables.js';

/** At most this many panels per figure, so each stays readable. */
const MAX_PANELS = 8;

function samplesOf(input: ReportInput, strategy: string, workload: string): FragmentationRow[] {
  const threads = shownThreads(input);
  return input.fragmentation.filter((f) => f.strategy === strategy && f.workload === workload && f.threads === threads && f.repeat === 0);
}

const seconds = (f: FragmentationRow) => f.t_ms / 1000;
const timeAxis = () => axis('time since measuring started (s)', { type: 'linear', bounds: 'data' });

function series(label: string, rows: FragmentationRow[], column: string, colourText: string, dash: number[] = []) {
  return { label, borderColor: colourText, backgroundColor: colourText, borderDash: dash, pointRadius: 1.5, data: rows.map((f) => ({ x: seconds(f), y: Number(f[column]) })) };
}

/** io_tlb_used and its hiwater against time per strategy; dynamic pools add io_tlb_nslabs and transient slots. */
export function occupancyFigure(input: ReportInput): Figure {
  const { strategies, workloads } = dimensions(input);
  const panels = workloads.map((workload) => ({
    type: 'line' as const,
    data: {
      datasets: strategies.flatMap((strategy, i) => {
        const rows = samplesOf(input, strategy, workload);
        if (rows.length === 0) return [];
        const sets = [series(`${strategy} io_tlb_used`, rows, 'io_tlb_used', colour(i)), series(`${strategy} hiwater`, rows, 'io_tlb_used_hiwater', colour(i, 0.6), [6, 4])];
        if ('io_tlb_nslabs' in rows[0]) sets.push(series(`${strategy} io_tlb_nslabs`, rows, 'io_tlb_nslabs', colour(i, 0.4), [2, 3]));
        if ('io_tlb_transient_nslabs' in rows[0]) sets.push(series(`${strategy} transient slots`, rows, 'io_tlb_transient_nslabs', colour(i, 0.8), [10, 3, 2, 3]));
        return sets;
      }),
    },
    options: panelOptions(`${workload}, ${shownThreads(input)} threads, repeat 0`, { x: timeAxis(), y: axis('slots (2 KiB each)', { beginAtZero: true }) }),
  }));
  return { file: 'occupancy.png', title: `Pool occupancy (io_tlb_used, hiwater) · ${runFacts(input)}`, panels: panels as Figure['panels'] };
}

const UNUSABLE = [
  { column: 'unusable_1', label: 'unusable_1 (any slot)' },
  { column: 'unusable_8', label: 'unusable_8 (16 KiB)' },
  { column: 'unusable_32', label: 'unusable_32 (64 KiB)' },
  { column: 'unusable_128', label: 'unusable_128 (256 KiB)' },
];

/** Unusable free-space index for 1/8/32/128-slot requests against time, a panel per (strategy, workload). */
export function fragmentationFigure(input: ReportInput): Figure {
  const { strategies, workloads } = dimensions(input);
  const pairs = workloads.flatMap((workload) => strategies.map((strategy) => ({ strategy, workload }))).slice(0, MAX_PANELS);
  const panels = pairs.map(({ strategy, workload }) => {
    const rows = samplesOf(input, strategy, workload);
    return {
      type: 'line' as const,
      data: { datasets: UNUSABLE.map((u, k) => series(u.label, rows, u.column, colour(k + 2))) },
      options: panelOptions(`${strategy}, ${workload}, ${shownThreads(input)} threads`, {
        x: timeAxis(),
        y: axis('share of free slots unusable (0-1)', { beginAtZero: true, suggestedMax: 0.01 }),
      }),
    };
  });
  return { file: 'fragmentation.png', title: `Fragmentation: unusable free-space index · ${runFacts(input)}`, panels: panels as Figure['panels'] };
}

/** Full failures by padded mapping size per strategy (all runs), against the workloads' mapping sizes. */
export function failuresFigure(input: ReportInput): Figure {
  const { strategies } = dimensions(input);
  const failures = strategies.map((strategy) => {
    const counts = new Array<number>(SIZE_LABELS.length).fill(0);
    for (const run of input.runs.filter((r) => r.strategy === strategy)) {
      for (const [size, n] of Object.entries(run.failuresBySize)) counts[sizeBucket(Number(size))] += n;
    }
    return counts;
  });
  const total = failures.flat().reduce((s, n) => s + n, 0);
  const mappings = new Array<number>(SIZE_LABELS.length).fill(0);
  for (const counts of Object.values(input.mappingSizes)) counts.forEach((n, k) => (mappings[k] += n));
  const panel = {
    type: 'bar' as const,
    data: {
      labels: SIZE_LABELS,
      datasets: [
        ...strategies.map((strategy, i) => ({ label: `${strategy}: full failures`, backgroundColor: colour(i), data: failures[i], yAxisID: 'y' })),
        { label: 'mappings per trace pass (all workloads)', backgroundColor: 'rgba(127,127,127,0.35)', data: mappings, yAxisID: 'y2' },
      ],
    },
    options: panelOptions(total === 0 ? 'No full failures in this run: the pool never ran out ("swiotlb buffer is full" never logged)' : `${total} full failures ("swiotlb buffer is full") by mapping size`, {
      x: axis('mapping size incl. min_align_mask offset'),
      y: axis('full failures (count, all runs)', { beginAtZero: true, suggestedMax: 1, position: 'left' }),
      y2: axis('mappings per pass (count)', { beginAtZero: true, position: 'right', grid: { drawOnChartArea: false } }),
    }),
  };
  return { file: 'failures.png', title: `Full failures by request size · ${runFacts(input)}`, panels: [panel] as Figure['panels'] };
}

/** Used slots per area against time as a heat map, a panel per (strategy, workload). */
export function areaBalanceFigure(input: ReportInput): Figure {
  const { strategies, workloads } = dimensions(input);
  const pairs = workloads.flatMap((workload) => strategies.map((strategy) => ({ strategy, workload }))).slice(0, MAX_PANELS);
  const panels = pairs.map(({ strategy, workload }) => {
    const samples = shownRun(input, strategy, workload)?.areaUsed ?? [];
    // Rows: every area seen (pools of dynamic-growth come and go), in natural order: node, pool@slot, transient@slot.
    const names = [...new Set(samples.flatMap((s) => Object.keys(s.used)))].sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
    const areas = Math.max(1, names.length);
    const peak = Math.max(1, ...samples.flatMap((s) => Object.values(s.used)));
    // Category labels must be unique: the last sample can land in the same tenth of a second as the one before.
    const times = samples.map((s, k) => `${(s.tMs / 1000).toFixed(k > 0 && Math.round(s.tMs / 100) === Math.round(samples[k - 1].tMs / 100) ? 3 : 1)} s`);
    // An area absent from a sample (its pool not live then) gets no cell.
    const data = samples.flatMap((s, col) => Object.entries(s.used).map(([name, v]) => ({ x: times[col], y: name, v })));
    return {
      type: 'matrix' as const,
      data: {
        datasets: [{
          label: 'slots in use',
          data,
          backgroundColor: fn('heat', peak),
          borderWidth: 0,
          width: fn('cellWidth', Math.max(1, samples.length)),
          height: fn('cellHeight', areas),
        }],
      },
      options: panelOptions(`${strategy}, ${workload}, ${shownThreads(input)} threads: white 0 → dark blue ${peak} slots`, {
        x: axis('time since measuring started (pool samples)', { type: 'category', labels: times, offset: true, grid: { display: false } }),
        y: axis('area (pool, area)', { type: 'category', labels: names, offset: true, reverse: true, grid: { display: false } }),
      }, false),
    };
  });
  return { file: 'area-balance.png', title: `Used slots per area over time · ${runFacts(input)}`, panels: panels as unknown as Figure['panels'] };
}
