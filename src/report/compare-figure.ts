/**
 * compare.png's figure: one panel per workload, x = thread count, y = the
 * maps/s ratio other / baseline with its bootstrap CI as error bars, one line
 * per pair, and a dashed line at 1.0 (the baseline). No callbacks, so the
 * configuration is plain data.
 */
import type { ChartConfiguration } from 'chart.js';
import type { Figure } from './figure.js';
import { colour as paletteColour } from './palette.js';
import type { CompareResult } from '../analysis/compare-runs.js';
import { sideName } from '../analysis/compare-output.js';

/** A point with its error bar; without a CI the bar has no length. */
interface ErrorPoint {
  y: number;
  yMin: number;
  yMax: number;
}

/** One panel: the maps/s ratios of every pair on `workload` against thread count. */
function panel(result: CompareResult, workload: string): ChartConfiguration {
  const pairs = result.pairs.filter((p) => p.workload === workload);
  const threads = [...new Set(pairs.map((p) => p.threads))].sort((a, b) => a - b);
  const names = [...new Set(pairs.map((p) => `${sideName(p.other)} vs ${sideName(p.baseline)}`))];
  let lo = 1;
  let hi = 1;
  const datasets = names.map((name, i) => {
    const data: (ErrorPoint | null)[] = threads.map((t) => {
      const p = pairs.find((x) => x.threads === t && `${sideName(x.other)} vs ${sideName(x.baseline)}` === name);
      if (!p || !Number.isFinite(p.maps.ratio)) return null;
      const point = { y: p.maps.ratio, yMin: p.maps.low ?? p.maps.ratio, yMax: p.maps.high ?? p.maps.ratio };
      lo = Math.min(lo, point.yMin);
      hi = Math.max(hi, point.yMax);
      return point;
    });
    const colour = paletteColour(i);
    return { type: 'lineWithErrorBars', label: name, data, borderColor: colour, backgroundColor: colour, errorBarColor: colour, errorBarWhiskerColor: colour, errorBarWhiskerSize: 12, pointRadius: 4, spanGaps: true };
  });
  const baseline = { type: 'line', label: 'baseline (ratio 1.0)', data: threads.map(() => 1), borderColor: '#444444', borderDash: [6, 4], borderWidth: 1.5, pointRadius: 0, fill: false };
  const pad = Math.max(0.02, (hi - lo) * 0.1);
  const conf = Math.round(result.options.confidence * 1000) / 10;
  return {
    type: 'lineWithErrorBars',
    data: { labels: threads.map(String), datasets: [...datasets, baseline] },
    options: {
      plugins: {
        title: { display: true, text: `${workload}: maps/s ratio with ${conf}% bootstrap CI` },
        legend: { display: true, position: 'bottom' },
      },
      scales: {
        x: { type: 'category', offset: true, title: { display: true, text: 'threads (worker CPUs)' } },
        y: { type: 'linear', suggestedMin: Math.max(0, lo - pad), suggestedMax: hi + pad, title: { display: true, text: 'maps/s ratio, other / baseline (1.0 = same)' } },
      },
    },
  } as unknown as ChartConfiguration;
}

/**
 * The comparison figure for compare.png.
 * @returns a Figure with one panel per workload, titled with the runs compared.
 */
export function compareFigure(result: CompareResult): Figure {
  const [base, ...others] = result.runs;
  const workloads = [...new Set(result.pairs.map((p) => p.workload))];
  return {
    file: 'compare.png',
    title: `maps/s: ${others.map((r) => r.label).join(', ')} vs baseline ${base.label}`,
    panels: workloads.map((w) => panel(result, w)),
  };
}
