/**
 * report.html: one self-contained file (Chart.js, its plug-ins, the data and
 * the drawing code inlined; nothing fetched) that reads top-down as a person
 * would: the command and warnings, the summary in words, the interactive
 * charts (scaling first) and the pool maps, the tables of summary.md, and
 * last, folded, every option and the machine facts.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { marked } from 'marked';
import type { Figure } from './figure.js';
import { paintPoolMap, poolMapHeight, slotAt } from './pool-map.js';
import { gridFor } from './render-png.js';
import { SCRIPTABLES, reviveFunctions } from './scriptables.js';

const require = createRequire(import.meta.url);

/** What the page shows besides the figures. */
export interface HtmlReportContent {
  title: string;
  command: string;
  /** Every option as typed: `--flag` -> value (src/cli/option-spec.ts typedOptions), shown folded at the end. */
  options: Record<string, string>;
  machine: Record<string, unknown>;
  warnings: string[];
  /** Facts to read the numbers right (plan notes, why hiwater exceeds the pool). */
  notes: string[];
  /** The summary in words, one sentence per line. */
  words: string[];
  /** summary.md, whose tables are rendered as HTML. */
  summaryMarkdown: string;
  figures: Figure[];
  /** Pool-map panels (states as base64, decoded in the page). */
  poolMaps: { title: string; pools: { label: string; nslabs: number; nareas: number; states: string }[] }[];
}

/** A browser-ready copy of a file beside an npm package's main entry, without its source-map comment. */
function inlineScript(pkg: string, file: string): string {
  const source = readFileSync(join(dirname(require.resolve(pkg)), file), 'utf8').replace(/\/\/# sourceMappingURL=.*$/gm, '');
  return `<script>${source.replace(/<\/script/gi, '<\\/script')}</script>`;
}

function esc(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** JSON that is safe inside a <script> element. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c');
}

function keyValueTable(obj: Record<string, unknown>): string {
  const rows = Object.entries(obj)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `<tr><th>${esc(k)}</th><td>${esc(Array.isArray(v) ? v.join(', ') : typeof v === 'object' ? JSON.stringify(v) : String(v))}</td></tr>`);
  return `<table class="kv">${rows.join('')}</table>`;
}

const PANEL_WIDTH = 1200;

function figureHtml(figure: Figure, f: number): string {
  const { cols } = gridFor(figure.panels.length);
  const width = Math.floor(PANEL_WIDTH / cols) - 8;
  const height = cols === 1 ? 560 : 330;
  const canvases = figure.panels.map((_, p) => `<canvas id="chart-${f}-${p}" width="${width}" height="${height}"></canvas>`).join('');
  return `<section class="figure"><h3>${esc(figure.title)}</h3><p class="file">${esc(figure.file)}</p><div class="grid cols-${cols}">${canvases}</div></section>`;
}

/** The browser side: register nothing (the UMD builds self-register), revive scriptables, draw. */
function pageScript(): string {
  const factories = `{${Object.entries(SCRIPTABLES).map(([k, v]) => `${JSON.stringify(k)}: ${v.toString()}`).join(',\n')}}`;
  return `<script>
'use strict';
const SCRIPTABLES = ${factories};
const reviveFunctions = ${reviveFunctions.toString()};
const paintPoolMap = ${paintPoolMap.toString()};
const slotAt = ${slotAt.toString()};
const data = JSON.parse(document.getElementById('report-data').textContent);
data.figures.forEach((figure, f) => figure.panels.forEach((config, p) => {
  const revived = reviveFunctions(config, SCRIPTABLES);
  revived.options = Object.assign({}, revived.options, { responsive: false, animation: false });
  new Chart(document.getElementById('chart-' + f + '-' + p), revived);
}));
const decode = (b64) => Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
document.querySelectorAll('canvas.pool-map').forEach((canvas, k) => {
  const panel = data.poolMaps[k];
  const layout = paintPoolMap(canvas.getContext('2d'), { title: panel.title, pools: panel.pools.map((p) => Object.assign({}, p, { states: decode(p.states) })) }, canvas.width, canvas.height);
  // Hover: the slot under the pointer, in canvas pixels (the canvas may be scaled by CSS).
  canvas.addEventListener('mousemove', (ev) => {
    const box = canvas.getBoundingClientRect();
    const x = (ev.clientX - box.left) * (canvas.width / box.width);
    const y = (ev.clientY - box.top) * (canvas.height / box.height);
    canvas.title = slotAt(layout, x, y) || '';
  });
});
</script>`;
}

const STYLE = `body{font:14px/1.45 system-ui,sans-serif;margin:24px auto;max-width:1240px;color:#222;padding:0 12px}
h1{font-size:22px}h2{font-size:18px;border-bottom:1px solid #ddd;padding-bottom:4px;margin-top:32px}h3{font-size:15px;margin:18px 0 2px}
table{border-collapse:collapse;margin:8px 0;font-size:13px;display:block;overflow-x:auto;max-width:100%}td,th{border:1px solid #ddd;padding:3px 7px;text-align:left}
table.kv th{background:#f6f6f6;font-weight:600}.warn{background:#fff4e5;border-left:4px solid #ff9800;padding:6px 10px;margin:4px 0}.note{background:#eef4fb;border-left:4px solid #1f77b4;padding:6px 10px;margin:4px 0}
.grid{display:grid;gap:8px}.grid.cols-2{grid-template-columns:1fr 1fr}canvas{max-width:100%;border:1px solid #eee}
.file{color:#777;font-size:12px;margin:0 0 6px}pre,code{font-size:12px;background:#f6f6f6}pre{padding:8px;overflow:auto}`;

/** summary.md from its first table on, without its "In words" section (the page shows the words at the top). */
function tablesOf(markdown: string): string {
  const sections = markdown.slice(Math.max(0, markdown.indexOf('## Throughput'))).split(/^(?=## )/m);
  return sections.filter((section) => !section.startsWith('## In words')).join('');
}

/** The whole page as a string. */
export function reportHtml(c: HtmlReportContent): string {
  const tablesMd = tablesOf(c.summaryMarkdown);
  const poolMaps = c.poolMaps.map((p, k) => `<canvas class="pool-map" width="${PANEL_WIDTH}" height="${poolMapHeight(p, PANEL_WIDTH)}" id="pool-map-${k}"></canvas>`).join('');
  const data = { figures: c.figures.map((f) => ({ file: f.file, panels: f.panels })), poolMaps: c.poolMaps };
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(c.title)}</title><style>${STYLE}</style></head>
<body>
<h1>${esc(c.title)}</h1>
<p><code>${esc(c.command)}</code></p>
${c.warnings.map((w) => `<div class="warn">Warning: ${esc(w)}</div>`).join('\n')}
${c.notes.map((n) => `<div class="note">Note: ${esc(n)}</div>`).join('\n')}
<h2>In words</h2>
<ul>${c.words.map((w) => `<li>${esc(w)}</li>`).join('')}</ul>
<h2>Charts</h2>
${c.figures.map(figureHtml).join('\n')}
${poolMaps ? `<section class="figure"><h3>Pool map: one block per slot, one line per segment, areas and pools apart (hover for the slot)</h3><p class="file">pool-map.png</p>${poolMaps}</section>` : ''}
<h2>Tables</h2>
${marked.parse(tablesMd, { async: false })}
<h2>Configuration and machine</h2>
<details><summary>Every option of the run (as typed on the command line) and the machine it ran on</summary>
<h3>Options</h3>${keyValueTable(c.options)}
<h3>Machine</h3>${keyValueTable(c.machine)}
</details>
${inlineScript('chart.js', 'chart.umd.min.js')}
${inlineScript('chartjs-chart-error-bars', 'index.umd.min.js')}
${inlineScript('chartjs-chart-matrix', 'chartjs-chart-matrix.min.js')}
<script type="application/json" id="report-data">${scriptJson(data)}</script>
${pageScript()}
</body></html>
`;
}
