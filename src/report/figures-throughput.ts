/** scaling.png and latency.png: per-workload panels over thread counts. */
import { max, mean, min } from 'simple-statistics';
import type { ThroughputRow } from '../export/columns.js';
import { axis, panelOptions } from './chart-parts.js';
import type { Figure } from './figure.js';
import { colour } from './palette.js';
import { type ReportInput, dimensions, runFacts } from './report-input.js';

function rowsOf(rows: readonly ThroughputRow[], strategy: string, workload: string, threads: number): ThroughputRow[] {
  return rows.filter((r) => r.strategy === strategy && r.workload === workload && r.threads === threads);
}

/** A point a line has no figure for (the error-bar plugin cannot take null; NaN leaves a gap). */
const GAP = { y: Number.NaN, yMin: Number.NaN, yMax: Number.NaN };

/**
 * maps/s against threads, one line per strategy, one panel per workload;
 * bars span the repeats' min..max. With a sim sweep (or a sim job) the
 * predicted points are dashed lines, on CPU counts spaced as powers of two.
 */
export function scalingFigure(input: ReportInput): Figure {
  const { strategies, workloads, threads } = dimensions(input);
  const predicted = input.predicted ?? [];
  const allThreads = [...new Set([...threads, ...predicted.map((r) => r.threads)])].sort((a, b) => a - b);
  const simJob = input.rows.length > 0 && input.rows.every((r) => r.engine === 'sim');
  const dash = (i: number) => ({ borderColor: colour(i), backgroundColor: colour(i, 0.5), borderDash: [6, 4] });
  const panels = workloads.map((workload) => ({
    type: 'lineWithErrorBars' as const,
    data: {
      labels: allThreads.map(String),
      datasets: [
        ...strategies.map((strategy, i) => ({
          label: simJob ? `${strategy} (predicted)` : strategy,
          ...(simJob ? dash(i) : { borderColor: colour(i), backgroundColor: colour(i, 0.5) }),
          errorBarColor: colour(i),
          errorBarWhiskerColor: colour(i),
          spanGaps: true,
          data: allThreads.map((t) => {
            const rates = rowsOf(input.rows, strategy, workload, t).map((r) => r.maps_per_s);
            return rates.length ? { y: mean(rates), yMin: min(rates), yMax: max(rates) } : GAP;
          }),
        })),
        ...(predicted.length ? strategies : []).map((strategy, i) => ({
          label: `${strategy} (predicted)`,
          ...dash(i),
          spanGaps: true,
          data: allThreads.map((t) => {
            const r = rowsOf(predicted, strategy, workload, t)[0];
            return r ? { y: r.maps_per_s, yMin: r.maps_per_s, yMax: r.maps_per_s } : GAP;
          }),
        })),
      ],
    },
    options: panelOptions(`${workload}: maps/s (${predicted.length || simJob ? 'solid: measured, mean and min-max of repeats; dashed: predicted by the virtual-time engine' : `mean; bars: min-max of ${input.repeats} repeats`})`, {
      x: axis(predicted.length || simJob ? 'CPUs (worker threads measured; virtual CPUs predicted)' : 'worker threads (one per CPU)'),
      y: axis('maps per second (map+unmap pairs/s)', { beginAtZero: true }),
    }),
  }));
  return { file: 'scaling.png', title: `Throughput scaling · ${runFacts(input)}`, panels: panels as Figure['panels'] };
}

const LATENCIES = [
  { key: 'map_p50_ns', label: 'map p50', alpha: 0.45 },
  { key: 'map_p99_ns', label: 'map p99', alpha: 1 },
  { key: 'unmap_p50_ns', label: 'unmap p50', alpha: 0.25 },
  { key: 'unmap_p99_ns', label: 'unmap p99', alpha: 0.7 },
] as const;

/** Map and unmap p50/p99 per strategy and thread count (mean over repeats), one panel per workload. */
export function latencyFigure(input: ReportInput): Figure {
  const { strategies, workloads, threads } = dimensions(input);
  const panels = workloads.map((workload) => ({
    type: 'bar' as const,
    data: {
      labels: threads.map((t) => `${t} thread${t === 1 ? '' : 's'}`),
      datasets: strategies.flatMap((strategy, i) =>
        LATENCIES.map((l) => ({
          label: `${strategy} ${l.label}`,
          backgroundColor: colour(i, l.alpha),
          borderColor: colour(i),
          borderWidth: 1,
          data: threads.map((t) => {
            const v = rowsOf(input.rows, strategy, workload, t).map((r) => r[l.key]);
            return v.length ? mean(v) : null;
          }),
        })),
      ),
    },
    options: panelOptions(`${workload}: map/unmap latency (mean of repeats' percentiles)`, {
      x: axis('worker threads'),
      // Log scale: p50 and p99 differ by 5-10x and both must stay readable.
      y: axis('latency (ns, log scale)', { type: 'logarithmic' }),
    }),
  }));
  return { file: 'latency.png', title: `Map and unmap latency p50/p99 · ${runFacts(input)}`, panels: panels as Figure['panels'] };
}
