/**
 * sizing.png's figure: one panel per workload, x = CPUs, y = MiB on a log
 * scale; a solid line per static strategy (its smallest pool with no
 * failure; a gap where even 1 GiB fails), a dashed line per growing strategy
 * (its peak memory from the default boot pool), and thin grey lines for the
 * confidential-VM default pool at each --vm-memory. Plain data, no callbacks.
 */
import type { ChartConfiguration } from 'chart.js';
import { type SizingAnswer, mib, vmPoolSlots } from '../export/sizing-answer.js';
import { IO_TLB_SIZE } from '../model/constants.js';
import { axis, panelOptions } from './chart-parts.js';
import type { Figure } from './figure.js';
import { colour } from './palette.js';

const GREYS = ['#555555', '#777777', '#999999', '#aaaaaa', '#bbbbbb', '#cccccc'];

/** The MiB a line shows for an answer: the smallest pool (static) or the peak memory (dynamic). */
function shown(a: SizingAnswer | undefined): number | null {
  if (!a) return null;
  if (a.kind === 'dynamic') return mib(a.dynamic!.peakMemoryBytes / IO_TLB_SIZE);
  return a.minPool ? mib(a.minPool.slots) : null;
}

function panel(answers: readonly SizingAnswer[], workload: string, strategies: string[], vmGiB: readonly number[]): ChartConfiguration {
  const mine = answers.filter((a) => a.workload === workload);
  const cpus = [...new Set(mine.map((a) => a.cpus))].sort((x, y) => x - y);
  const lines = strategies.map((s, i) => {
    const dynamic = mine.some((a) => a.strategy === s && a.kind === 'dynamic');
    return {
      label: dynamic ? `${s}: peak memory, growing from the default pool` : `${s}: smallest pool`,
      data: cpus.map((c) => shown(mine.find((a) => a.strategy === s && a.cpus === c))),
      borderColor: colour(i), backgroundColor: colour(i), borderDash: dynamic ? [6, 4] : [], pointRadius: 4, borderWidth: 2, spanGaps: false,
    };
  });
  const coco = vmGiB.map((g, k) => ({
    label: `${g} GiB VM default`,
    data: cpus.map((c) => mib(vmPoolSlots(g, c))),
    borderColor: GREYS[k % GREYS.length], backgroundColor: GREYS[k % GREYS.length], borderDash: [2, 3], borderWidth: 1, pointRadius: 0,
  }));
  return {
    type: 'line',
    data: { labels: cpus.map(String), datasets: [...lines, ...coco] },
    options: panelOptions(`${workload}: pool needed against CPUs`, { x: axis('CPUs'), y: axis('MiB (log)', { type: 'logarithmic' }) }),
  } as unknown as ChartConfiguration;
}

/** The figure of sizing.png: one panel per workload. */
export function sizingFigure(answers: readonly SizingAnswer[], vmGiB: readonly number[]): Figure {
  const workloads = [...new Set(answers.map((a) => a.workload))];
  const strategies = [...new Set(answers.map((a) => a.strategy))];
  return {
    file: 'sizing.png',
    title: `smallest swiotlb pool without failures (solid), dynamic growth's peak memory (dashed), confidential-VM defaults (grey) for ${vmGiB.join(', ')} GiB`,
    panels: workloads.map((w) => panel(answers, w, strategies, vmGiB)),
  };
}
