/**
 * Headless Chart.js on `@napi-rs/canvas` (prebuilt binaries, no cairo):
 * a {@link Figure} of one or more chart panels becomes one PNG with an
 * opaque white background.
 */
import { type SKRSContext2D, createCanvas } from '@napi-rs/canvas';
import { Chart, type ChartConfiguration, type ChartItem, type Plugin, registerables } from 'chart.js';

/** What Chart.js accepts as its surface; napi-rs's 2D context provides the methods it calls. */
type ChartItemContext = ChartItem;
import { LineWithErrorBarsController, PointWithErrorBar } from 'chartjs-chart-error-bars';
import { MatrixController, MatrixElement } from 'chartjs-chart-matrix';
import type { Figure } from './figure.js';
import { reviveFunctions } from './scriptables.js';

Chart.register(...registerables, LineWithErrorBarsController, PointWithErrorBar, MatrixController, MatrixElement);

/** Paints the chart area white first: PNGs are opaque, not transparent. */
const whiteBackground: Plugin = {
  id: 'whiteBackground',
  beforeDraw(chart) {
    const { ctx, width, height } = chart;
    ctx.save();
    ctx.fillStyle = '#ffffff';
    ctx.fillRect(0, 0, width, height);
    ctx.restore();
  },
};

/** Pixel width of every figure. */
export const FIGURE_WIDTH = 1200;
/** Pixel height of a figure of up to two panel rows (more rows add 330 px each). */
export const FIGURE_HEIGHT = 700;
const TITLE_HEIGHT = 44;

/** Columns and rows for `n` panels: at most two columns, so every panel stays readable. */
export function gridFor(n: number): { cols: number; rows: number } {
  const cols = n <= 1 ? 1 : 2;
  return { cols, rows: Math.max(1, Math.ceil(n / cols)) };
}

/**
 * Draw one Chart.js configuration at (x, y) of `target`, `width` x `height` px.
 * The chart is drawn on its own canvas and copied before Chart.js's destroy() clears it.
 */
export function drawChart(target: SKRSContext2D, config: ChartConfiguration, x: number, y: number, width: number, height: number): void {
  const canvas = createCanvas(width, height);
  const revived = reviveFunctions(config);
  const chart = new Chart(canvas.getContext('2d') as unknown as ChartItemContext, {
    ...revived,
    options: { ...revived.options, responsive: false, animation: false, devicePixelRatio: 1 },
    plugins: [...(revived.plugins ?? []), whiteBackground],
  });
  target.drawImage(canvas, x, y);
  chart.destroy();
}

/** A custom panel: draws itself into a context of the given size (the pool map). */
export type PanelPainter = (ctx: SKRSContext2D, width: number, height: number) => void;

/**
 * Render a figure to PNG bytes: its title on top (run facts), then its panels
 * in a grid; each panel is a Chart.js configuration or a painter.
 * Height grows past {@link FIGURE_HEIGHT} when there are more than two rows;
 * `layout` overrides the grid (columns, px per row).
 * @throws Error when Chart.js rejects a configuration (unknown chart type or scale).
 */
export function renderFigure(figure: Figure, painters: PanelPainter[] = [], layout: { cols?: number; rowHeights?: number[] } = {}): Buffer {
  const count = figure.panels.length + painters.length;
  const grid = gridFor(count);
  const cols = layout.cols ?? grid.cols;
  const rows = Math.max(1, Math.ceil(count / cols));
  const rowHeight = rows <= 2 ? Math.floor((FIGURE_HEIGHT - TITLE_HEIGHT) / rows) : 330;
  const heights = Array.from({ length: rows }, (_, r) => layout.rowHeights?.[r] ?? rowHeight);
  const tops = heights.map((_, r) => TITLE_HEIGHT + heights.slice(0, r).reduce((a, b) => a + b, 0));
  const height = TITLE_HEIGHT + heights.reduce((a, b) => a + b, 0);
  const width = FIGURE_WIDTH;
  const colWidth = Math.floor(width / cols);
  const canvas = createCanvas(width, height);
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, width, height);
  ctx.fillStyle = '#222222';
  ctx.font = 'bold 18px sans-serif';
  ctx.textAlign = 'center';
  ctx.textBaseline = 'middle';
  ctx.fillText(figure.title, width / 2, TITLE_HEIGHT / 2, width - 20);
  let k = 0;
  const place = () => ({ x: (k % cols) * colWidth, y: tops[Math.floor(k / cols)], h: heights[Math.floor(k / cols)] });
  for (const panel of figure.panels) {
    const { x, y, h } = place();
    drawChart(ctx, panel, x, y, colWidth, h);
    k++;
  }
  for (const paint of painters) {
    const { x, y, h } = place();
    const sub = createCanvas(colWidth, h);
    const subCtx = sub.getContext('2d');
    subCtx.fillStyle = '#ffffff';
    subCtx.fillRect(0, 0, colWidth, h);
    paint(subCtx, colWidth, h);
    ctx.drawImage(sub, x, y);
    k++;
  }
  return canvas.toBuffer('image/png');
}
