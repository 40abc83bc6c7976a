/**
 * A figure: one PNG (and one block of the HTML report) made of Chart.js
 * panels. Configurations hold data and options only, no callbacks, so the
 * same object renders headless in Node and, serialised as JSON, in a browser.
 */
import type { ChartConfiguration } from 'chart.js';

/** One figure: a file name, a title and its panels (rendered by report/render-png.ts, inlined by report/html.ts). */
export interface Figure {
  /** File name beside the CSVs, e.g. `scaling.png`. */
  file: string;
  /** Figure title: what is plotted and the run's strategy/workload/thread facts. */
  title: string;
  /** One Chart.js configuration per panel (JSON-serialisable). */
  panels: ChartConfiguration[];
}
