/**
 * The pictures of docs/proposals.md: grouped bars of maps/s measured (1-2
 * threads) and predicted (8, 64, 256 CPUs), failures against pool size, and
 * the pool an iommu-dma bounce takes per IOVA granule. Plain data, no callbacks.
 */
import type { ChartConfiguration } from 'chart.js';
import { axis, panelOptions } from './chart-parts.js';
import type { Figure } from './figure.js';
import { colour } from './palette.js';

/** One bar or line series: its label and one value per category (null: none). */
export interface Series {
  label: string;
  values: (number | null)[];
}

/** A panel of grouped bars: a group per category, a bar per series. */
export function barPanel(title: string, categories: string[], series: readonly Series[], xTitle: string, yTitle: string, logY = false): ChartConfiguration {
  return {
    type: 'bar',
    data: { labels: categories, datasets: series.map((s, i) => ({ label: s.label, data: s.values, backgroundColor: colour(i, 0.8), borderColor: colour(i), borderWidth: 1 })) },
    options: panelOptions(title, { x: axis(xTitle), y: axis(yTitle, logY ? { type: 'logarithmic' } : { beginAtZero: true }) }),
  } as unknown as ChartConfiguration;
}

/** A panel of lines over categories (pool sizes), a point per value. */
export function linePanel(title: string, categories: string[], series: readonly Series[], xTitle: string, yTitle: string): ChartConfiguration {
  return {
    type: 'line',
    data: { labels: categories, datasets: series.map((s, i) => ({ label: s.label, data: s.values, borderColor: colour(i), backgroundColor: colour(i), pointRadius: 4, borderWidth: 2 })) },
    options: panelOptions(title, { x: axis(xTitle), y: axis(yTitle, { beginAtZero: true }) }),
  } as unknown as ChartConfiguration;
}

/** A figure of `panels` under `title`, written as `file`. */
export function proposalFigure(file: string, title: string, panels: ChartConfiguration[]): Figure {
  return { file, title, panels };
}
