/**
 * report.html in a real browser (the Chromium of @sparticuz/chromium, through playwright-core):
 * a short bench writes the report, and the page must load offline without
 * errors, with every Chart.js chart holding data and drawing pixels, and every
 * pool map painted. The second test checks that these checks can fail.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../../src/base/paths.js';
import { inspectPage, launchChromium, openPage, pageProblems } from './browser.js';
import { runCli, tempDir } from '../helpers.js';
import { readPng } from './png.js';

/** The pictures every result directory must hold (issue 5). */
const REPORT_PNGS = ['scaling.png', 'latency.png', 'occupancy.png', 'fragmentation.png', 'failures.png', 'area-balance.png', 'pool-map.png'];

// Launched by the first test that needs it, so a missing Chromium fails each test (never skips it).
let launched: Promise<Browser> | undefined;
const browser = (): Promise<Browser> => (launched ??= launchChromium());
afterAll(async () => {
  await (await launched?.catch(() => undefined))?.close();
});

async function problemsOf(file: string): Promise<{ problems: string[]; poolMaps: number }> {
  const opened = await openPage(await browser(), pathToFileURL(file).href);
  try {
    const facts = await inspectPage(opened.page);
    return { problems: pageProblems(opened, facts), poolMaps: facts.poolMaps.length };
  } finally {
    await opened.close();
  }
}

describe('report.html in Chromium', () => {
  it('a bench run writes a report that renders offline with data in every chart', async () => {
    const b = await browser();
    const out = tempDir('report');
    const r = runCli('bench', ['--strategy', 'global-lock,per-cpu-areas', '--workload', 'msr-hm0', '--threads', '1,2', '--repeat', '2', '--duration', '0.3', '--warmup', '0.1', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    const dirs = readdirSync(out).filter((d) => d !== 'latest' && !d.startsWith('.'));
    expect(dirs, `result directories in ${out}`).toHaveLength(1);
    const dir = join(out, dirs[0]);
    const report = join(dir, 'report.html');
    expect(existsSync(report), `${report} missing (files: ${readdirSync(dir).join(', ')}): bench must write report.html`).toBe(true);
    expect(existsSync(join(out, 'latest', 'report.html')), 'latest/report.html missing').toBe(true);
    for (const file of REPORT_PNGS) {
      const png = await readPng(readFileSync(join(dir, file)));
      expect(png.width, file).toBe(1200);
      expect(png.ink(0, 44, png.width, png.height - 44), `${file}: share of inked pixels below the title`).toBeGreaterThan(0.02);
    }

    const opened = await openPage(b, pathToFileURL(report).href);
    try {
      const facts = await inspectPage(opened.page);
      const shotDir = join(projectRoot(), 'test', 'output');
      mkdirSync(shotDir, { recursive: true });
      const shot = join(shotDir, 'report.png');
      await opened.page.screenshot({ path: shot, fullPage: true });
      console.log(`report.html screenshot: ${shot} (${facts.charts.length} charts, ${facts.poolMaps.length} pool maps)`);
      expect(pageProblems(opened, facts)).toEqual([]);
      expect(facts.poolMaps.length, 'canvas.pool-map elements').toBeGreaterThan(0);
      // Hovering the first slot line of the first pool map names a slot.
      const poolMap = opened.page.locator('canvas.pool-map').first();
      await poolMap.scrollIntoViewIfNeeded();
      const box = (await poolMap.boundingBox())!;
      const size = { w: Number(await poolMap.getAttribute('width')), h: Number(await poolMap.getAttribute('height')) };
      await opened.page.mouse.move(box.x + 110 * (box.width / size.w), box.y + 44 * (box.height / size.h));
      expect(await poolMap.getAttribute('title')).toMatch(/^area 0: slot [0-3] \(segment 0, slot [0-3] of 128\): (free|used)/);
    } finally {
      await opened.close();
    }
  }, 180_000);

  it('the checks catch console errors, empty charts, network requests and blank pool maps', async () => {
    const chartJs = readFileSync(join(projectRoot(), 'node_modules', 'chart.js', 'dist', 'chart.umd.js'), 'utf8').replace(/<\/script/gi, '<\\/script');
    const dir = tempDir('report-selftest');
    const page = (name: string, opts: { data?: string; poolMap?: string; extra?: string } = {}): string => {
      const file = join(dir, `${name}.html`);
      writeFileSync(
        file,
        `<!doctype html><html><head><meta charset="utf-8"><title>${name}</title><script>${chartJs}</script></head><body>
<div style="width:600px;height:300px"><canvas id="tput"></canvas></div>
<canvas class="pool-map" id="pool" width="256" height="32"></canvas>
<script>
new Chart(document.getElementById('tput'), { type: 'line', options: { animation: { duration: 200 } },
  data: { labels: ['1', '2'], datasets: [{ label: 'maps/s', borderColor: '#1f77b4', data: ${opts.data ?? '[540039, 941400]'} }] } });
const ctx = document.getElementById('pool').getContext('2d');
${opts.poolMap ?? "ctx.fillStyle = '#d62728'; for (let i = 0; i < 8; i++) ctx.fillRect(i * 32, 0, 12 + i, 32);"}
${opts.extra ?? ''}
</script></body></html>`,
      );
      return file;
    };

    const good = await problemsOf(page('good'));
    expect(good).toEqual({ problems: [], poolMaps: 1 });

    const broken: [string, Parameters<typeof page>[1], RegExp][] = [
      ['console-error', { extra: "console.error('boom');" }, /^console error: boom$/],
      ['page-error', { extra: "throw new Error('kaput');" }, /^page error: .*kaput/],
      ['empty-data', { data: '[]' }, /^chart line #0 \(#tput\): no dataset with data/],
      ['network', { extra: "fetch('http://example.com/x').catch(() => {});" }, /^network request: GET http:\/\/example\.com\/x$/],
      ['blank-pool-map', { poolMap: "ctx.fillStyle = '#fff'; ctx.fillRect(0, 0, 256, 32);" }, /^canvas\.pool-map #0 \(#pool\): 256x32 has no painted pixels$/],
    ];
    for (const [name, opts, expected] of broken) {
      const { problems } = await problemsOf(page(name, opts));
      expect(problems.some((p) => expected.test(p)), `${name}: ${JSON.stringify(problems)}`).toBe(true);
    }
  }, 60_000);
});
