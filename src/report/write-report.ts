/**
 * Every picture of a run and report.html, as file name -> bytes, ready for
 * the result directory: scaling, latency, occupancy, fragmentation, failures,
 * area-balance and pool-map PNGs, and the self-contained HTML report.
 */
import type { SKRSContext2D } from '@napi-rs/canvas';
import type { Figure } from './figure.js';
import { areaBalanceFigure, failuresFigure, fragmentationFigure, occupancyFigure } from './figures-pool.js';
import { latencyFigure, scalingFigure } from './figures-throughput.js';
import { type HtmlReportContent, reportHtml } from './html.js';
import { type Painter2D, paintPoolMap, poolMapHeight } from './pool-map.js';
import { decodePanel, poolMapSnapshots } from './pool-map-panels.js';
import { FIGURE_WIDTH, renderFigure } from './render-png.js';
import { type ReportInput, runFacts } from './report-input.js';

/** The Chart.js figures of a run, in report order. */
export function chartFigures(input: ReportInput): Figure[] {
  return [scalingFigure(input), latencyFigure(input), occupancyFigure(input), fragmentationFigure(input), failuresFigure(input), areaBalanceFigure(input)];
}

/** pool-map.png: one full-width panel per snapshot (peak and end of each strategy's fullest run). */
export function poolMapPng(input: ReportInput): Buffer {
  const panels = poolMapSnapshots(input).map((p) => decodePanel(p, (b64) => new Uint8Array(Buffer.from(b64, 'base64'))));
  const painters = panels.map((panel) => (ctx: SKRSContext2D, w: number, h: number) => paintPoolMap(ctx as unknown as Painter2D, panel, w, h));
  const rowHeights = panels.map((p) => poolMapHeight(p, FIGURE_WIDTH));
  return renderFigure({ file: 'pool-map.png', title: `Pool map at the fullest sample and at the end · ${runFacts(input)}`, panels: [] }, painters, { cols: 1, rowHeights });
}

/** The page parts that come from elsewhere in the run (words, tables, facts). */
export type ReportPageFacts = Omit<HtmlReportContent, 'figures' | 'poolMaps' | 'title'>;

/**
 * All report files of a run: `*.png` and `report.html`.
 * @returns file name -> contents, in a stable order.
 * @throws Error when a chart cannot be drawn (bench-main keeps the run and writes REPORT-ERROR.txt).
 */
export function reportFiles(input: ReportInput, page: ReportPageFacts): Map<string, Uint8Array | string> {
  const figures = chartFigures(input);
  const files = new Map<string, Uint8Array | string>();
  for (const figure of figures) files.set(figure.file, renderFigure(figure));
  files.set('pool-map.png', poolMapPng(input));
  files.set('report.html', reportHtml({
    ...page,
    title: `swiotlb-bench report · ${runFacts(input)}`,
    figures,
    poolMaps: poolMapSnapshots(input),
  }));
  return files;
}
