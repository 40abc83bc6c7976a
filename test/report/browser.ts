/**
 * Browser helpers for the report tests: find a Chromium, open a page with
 * every error and network request recorded, and check what the page drew.
 *
 * The browser comes from npm: `@sparticuz/chromium` carries a headless
 * Chromium inside its tarball (no download at install or run time, no system
 * package), driven by playwright-core. Version 143.x is the last whose
 * `engines` field admits Node 20 (>= 20.11); 147+ wants Node 22.
 * `$CHROMIUM_PATH` overrides it with any Chromium or Chrome executable.
 */
import { accessSync, constants, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import sparticuz from '@sparticuz/chromium';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { projectRoot } from '../../src/base/paths.js';

/** Every browser step (launch, navigation, evaluation) gives up after this long. */
export const BROWSER_TIMEOUT_MS = 30_000;

/**
 * Where the npm package's Chromium is unpacked (once; later runs reuse it):
 * inside the repository, under node_modules, so tests write nothing outside it.
 */
export const CHROMIUM_CACHE = join(projectRoot(), 'node_modules', '.cache', 'swiotlb-bench-chromium');

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * The Chromium to drive: `$CHROMIUM_PATH` when it names an executable file,
 * else the one inside `@sparticuz/chromium`, unpacked into {@link CHROMIUM_CACHE}
 * (about 200 MB, 2 s the first time).
 * @throws Error when CHROMIUM_PATH is set but not an executable file (a typo
 *   should not silently test another browser), or when unpacking fails.
 */
export async function findChromium(env: NodeJS.ProcessEnv = process.env): Promise<string> {
  if (env.CHROMIUM_PATH !== undefined && env.CHROMIUM_PATH !== '') {
    if (!isExecutable(env.CHROMIUM_PATH)) throw new Error(`CHROMIUM_PATH=${env.CHROMIUM_PATH} is not an executable file; unset it to use the Chromium of @sparticuz/chromium`);
    return env.CHROMIUM_PATH;
  }
  mkdirSync(CHROMIUM_CACHE, { recursive: true });
  // The package unpacks into os.tmpdir(), read synchronously when the call starts: point it at the cache for that moment only.
  const saved = process.env.TMPDIR;
  process.env.TMPDIR = CHROMIUM_CACHE;
  let unpacked: Promise<string>;
  try {
    unpacked = sparticuz.executablePath();
  } finally {
    if (saved === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = saved;
  }
  return unpacked;
}

/**
 * Launch headless Chromium ({@link findChromium}).
 * @throws Error naming the executable when it does not start within BROWSER_TIMEOUT_MS.
 */
export async function launchChromium(): Promise<Browser> {
  const executablePath = await findChromium();
  try {
    return await chromium.launch({ executablePath, args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu'], timeout: BROWSER_TIMEOUT_MS });
  } catch (err) {
    throw new Error(`could not start ${executablePath} within ${BROWSER_TIMEOUT_MS / 1000} s: ${(err as Error).message}`);
  }
}

/** A page opened by {@link openPage}, with what went wrong while it loaded; `close()` closes its context. */
export interface OpenedPage {
  /** The loaded page (load event seen, Chart.js animations finished). */
  page: Page;
  /** Its own browser context (so cookies, routes and listeners are per page). */
  context: BrowserContext;
  /** Console errors, uncaught page errors, crashes and network requests, in the order seen. */
  problems: string[];
  close(): Promise<void>;
}

const LOCAL_SCHEMES = ['file:', 'data:', 'blob:', 'about:'];

/**
 * Open `url` in a fresh context, recording console errors, page errors and every
 * request that is not file:, data:, blob: or about: (those are aborted, so
 * nothing leaves the machine). Waits for the load event and for Chart.js
 * animations to finish.
 */
export async function openPage(browser: Browser, url: string): Promise<OpenedPage> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  context.setDefaultTimeout(BROWSER_TIMEOUT_MS);
  context.setDefaultNavigationTimeout(BROWSER_TIMEOUT_MS);
  const problems: string[] = [];
  await context.route(/^(?!file:|data:|blob:|about:)/, (route) => route.abort('blockedbyclient'));
  context.on('request', (req) => {
    if (!LOCAL_SCHEMES.some((s) => req.url().startsWith(s))) problems.push(`network request: ${req.method()} ${req.url()}`);
  });
  const page = await context.newPage();
  page.on('console', (msg) => {
    if (msg.type() === 'error') problems.push(`console error: ${msg.text()}`);
  });
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  page.on('crash', () => problems.push('page crashed'));
  page.on('websocket', (ws) => problems.push(`websocket: ${ws.url()}`));
  await page.goto(url, { waitUntil: 'load', timeout: BROWSER_TIMEOUT_MS });
  await waitForCharts(page);
  return { page, context, problems, close: () => context.close() };
}

/** Wait (at most 10 s) until no Chart.js chart is animating, then two more frames. */
export async function waitForCharts(page: Page): Promise<void> {
  await page.evaluate(async () => {
    const C = (globalThis as { Chart?: { instances?: Record<string, unknown>; animator?: { running(c: unknown): boolean } } }).Chart;
    const raf = (globalThis as unknown as { requestAnimationFrame(cb: () => void): number }).requestAnimationFrame;
    const frame = () => new Promise<void>((r) => raf(() => r()));
    const deadline = Date.now() + 10_000;
    while (C?.animator && C.instances && Date.now() < deadline && Object.values(C.instances).some((c) => C.animator!.running(c))) {
      await new Promise((r) => setTimeout(r, 50));
    }
    await frame();
    await frame();
  });
}

/** What one canvas drew, read in the page by {@link inspectPage}; sizes in device pixels. */
export interface CanvasFacts {
  /** Position among its kind, its id and size in device pixels. */
  index: number;
  id: string;
  width: number;
  height: number;
  /** Pixels neither (nearly) transparent nor (nearly) white. */
  painted: number;
}

/** A Chart.js chart's canvas facts plus its configuration's type and how much data it holds. */
export interface ChartFacts extends CanvasFacts {
  /** The chart's config type, e.g. `line`, `bar`, `matrix` ('?' when unset). */
  type: string;
  /** Number of datasets. */
  datasets: number;
  /** Non-null data points, per dataset. */
  points: number[];
}

/** Everything {@link inspectPage} reads from a report page; {@link pageProblems} judges it. */
export interface PageFacts {
  /** Whether the global `Chart` (the inlined Chart.js UMD build) exists. */
  chartDefined: boolean;
  /** Every Chart.js instance, in `Chart.instances` order. */
  charts: ChartFacts[];
  /** Every `canvas.pool-map`, in document order. */
  poolMaps: CanvasFacts[];
}

/** Read the Chart.js instances and the pool-map canvases, counting painted pixels in each canvas. */
export async function inspectPage(page: Page): Promise<PageFacts> {
  return page.evaluate(() => {
    // Minimal DOM shapes (the test tsconfig has no DOM lib).
    interface CanvasEl { id: string; width: number; height: number; getContext(kind: '2d'): Ctx2D | null }
    interface Ctx2D { drawImage(c: CanvasEl, x: number, y: number): void; getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } }
    const document = (globalThis as unknown as { document: { createElement(tag: 'canvas'): CanvasEl; querySelectorAll(sel: string): ArrayLike<CanvasEl> } }).document;
    function painted(canvas: CanvasEl): number {
      if (!canvas.width || !canvas.height) return 0;
      // Copy into a fresh 2D canvas: works whatever context the original uses.
      const copy = document.createElement('canvas');
      copy.width = canvas.width;
      copy.height = canvas.height;
      const ctx = copy.getContext('2d');
      if (!ctx) return 0;
      ctx.drawImage(canvas, 0, 0);
      const px = ctx.getImageData(0, 0, copy.width, copy.height).data;
      let n = 0;
      for (let i = 0; i < px.length; i += 4) {
        if (px[i + 3] > 16 && !(px[i] >= 245 && px[i + 1] >= 245 && px[i + 2] >= 245)) n++;
      }
      return n;
    }
    const facts = (canvas: CanvasEl, index: number) => ({ index, id: canvas.id, width: canvas.width, height: canvas.height, painted: painted(canvas) });
    type ChartLike = { canvas: CanvasEl; config: { type?: string; data?: { datasets?: { data?: unknown[] }[] } } };
    const C = (globalThis as { Chart?: { instances?: Record<string, ChartLike> } }).Chart;
    const charts = Object.values(C?.instances ?? {}).map((chart, i) => {
      const datasets = chart.config?.data?.datasets ?? [];
      return {
        ...facts(chart.canvas, i),
        type: String(chart.config?.type ?? '?'),
        datasets: datasets.length,
        points: datasets.map((d) => (Array.isArray(d.data) ? d.data.filter((v) => v !== null && v !== undefined).length : 0)),
      };
    });
    const poolMaps = Array.from(document.querySelectorAll('canvas.pool-map')).map(facts);
    return { chartDefined: typeof C === 'function', charts, poolMaps };
  });
}

/** What is wrong with a page: the recorded problems, then the report contract's checks on `facts`. */
export function pageProblems(opened: Pick<OpenedPage, 'problems'>, facts: PageFacts): string[] {
  const out = [...opened.problems];
  const name = (kind: string, c: CanvasFacts) => `${kind} #${c.index}${c.id ? ` (#${c.id})` : ''}`;
  if (!facts.chartDefined) out.push('Chart is not defined (Chart.js UMD not inlined?)');
  if (facts.charts.length === 0) out.push('no Chart instances');
  for (const c of facts.charts) {
    if (!c.points.some((n) => n > 0)) out.push(`${name(`chart ${c.type}`, c)}: no dataset with data (${c.datasets} datasets, points ${JSON.stringify(c.points)})`);
    if (c.painted === 0) out.push(`${name(`chart ${c.type}`, c)}: canvas ${c.width}x${c.height} has no painted pixels`);
  }
  for (const m of facts.poolMaps) {
    if (m.painted === 0) out.push(`${name('canvas.pool-map', m)}: ${m.width}x${m.height} has no painted pixels`);
  }
  return out;
}
