/**
 * The gate's files, one function per format: gate.md (a pull-request
 * comment, regressions first), Bencher Metric Format (bencher.json) and
 * github-action-benchmark's custom formats (benchmark-bigger.json,
 * benchmark-smaller.json), so both tools ingest results with no adapter.
 */
import { formatRate } from '../export/format.js';
import { ratioInterval } from '../stats/ratio-interval.js';
import { FIGURES, type FigureChange, figureSpec } from './gate-figures.js';
import { type GateResult, type TimedCellResult, regressionsOf } from './gate-result.js';

const pct = (x: number) => `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)}%`;
const num = (x: number) => (Number.isInteger(x) ? String(x) : Math.abs(x) >= 1000 ? formatRate(x) : x.toPrecision(4));
const ci = (low?: number, high?: number) => (low === undefined || high === undefined ? 'no CI' : `${low.toFixed(3)}–${high.toFixed(3)}`);
const ratio = (x?: number) => (x === undefined || !Number.isFinite(x) ? 'n/a' : x.toFixed(3));

/** Order of timing verdicts in tables: what needs a look first. */
const TIMING_ORDER = ['REGRESSION', 'SUSPECTED', 'INCONCLUSIVE', 'SAME', 'IMPROVEMENT'];
const FIGURE_ORDER = ['REGRESSION', 'WITHIN-TOLERANCE', 'IMPROVEMENT', 'SAME'];

/** Most figure rows gate.md lists (the rest are counted; gate.json has all). */
const MAX_FIGURE_ROWS = 200;

function figureRow(c: FigureChange): string {
  const change = c.relativeChange === undefined ? (c.candidate === c.base ? '0' : `${num(c.base)} → ${num(c.candidate)}`) : pct(c.relativeChange);
  const tol = [c.tolerance.absolute ? `±${c.tolerance.absolute} ${c.unit}` : '', c.tolerance.relative ? `±${(c.tolerance.relative * 100).toFixed(1)}%` : ''].filter(Boolean).join(', ') || 'exact';
  return `| ${c.cell} | ${c.figure} (${c.unit}) | ${num(c.base)} | ${num(c.candidate)} | ${change} | exact (tolerance ${tol}) | **${c.verdict}** |`;
}

function timingRow(t: TimedCellResult, confidence: number): string {
  const conf = t.confirmation ? `; confirmation ${ratio(t.confirmation.ratio)} (${ci(t.confirmation.low, t.confirmation.high)}) over ${t.confirmation.blocks.length ? `${t.confirmation.blocks.length} fresh blocks` : 'fresh runs'}` : '';
  const n = t.blocks.length ? `${t.blocks.length} blocks` : 'vs stored runs';
  return `| ${t.cell} | maps/s | ${n} | ${ratio(t.ratio)} | ${Math.round(confidence * 100)}% CI ${ci(t.low, t.high)}, p(worse than budget) ${t.pWorse < 0.001 ? '<0.001' : t.pWorse.toFixed(3)}${conf} | ${t.verdict === 'REGRESSION' ? '**REGRESSION**' : t.verdict} |`;
}

/** gate.md: verdict, regressions first, then the deterministic figures that changed, the timing cells, and the notes. */
export function gateMarkdown(r: GateResult): string {
  const n = regressionsOf(r);
  const budget = `${(r.budget * 100).toFixed(1)}%`;
  const out = [`# swiotlb-bench gate: ${r.verdict === 'PASS' ? 'PASS' : `REGRESSION (${n.figures} figure${n.figures === 1 ? '' : 's'}, ${n.timing} timing)`}`, ''];
  const base = r.mode === 'base' ? `base \`${r.base.ref}\` (${r.base.commit?.slice(0, 12) ?? 'unknown'})` : `stored baseline \`${r.base.ref}\` (${r.base.commit?.slice(0, 12) ?? 'unknown'})`;
  out.push(`${base} against candidate \`${r.candidate.ref}\` (${r.candidate.commit?.slice(0, 12) ?? 'unknown'}) on ${r.machine.cores} cores (${r.machine.cpuModel}), Node ${r.machine.node}. ` +
    `Slowdown budget ${budget}, ${Math.round(r.confidence * 100)}% confidence; ${Math.round(r.wallSeconds)} s. Exit code ${r.exitCode}.`, '');
  const regressions = [...r.figures.changes.filter((c) => c.verdict === 'REGRESSION').map(figureRow), ...r.timing.filter((t) => t.verdict === 'REGRESSION').map((t) => timingRow(t, r.confidence))];
  const header = ['| cell | figure | base | candidate | change | confidence | verdict |', '|---|---|---:|---:|---:|---|---|'];
  if (regressions.length) out.push('## Regressions', '', ...header, ...regressions, '');
  const changes = [...r.figures.changes].sort((a, b) => FIGURE_ORDER.indexOf(a.verdict) - FIGURE_ORDER.indexOf(b.verdict));
  const count = (v: string) => changes.filter((c) => c.verdict === v).length;
  out.push('## Deterministic figures (virtual-time engine, compared exactly)', '');
  out.push(`${changes.length} figures on ${new Set(changes.map((c) => c.cell)).size} cells: ${count('SAME')} same, ${count('WITHIN-TOLERANCE')} worse within tolerance, ${count('IMPROVEMENT')} better, ${count('REGRESSION')} regressions.`);
  const moved = changes.filter((c) => c.verdict !== 'SAME');
  if (moved.length) out.push('', ...header, ...moved.slice(0, MAX_FIGURE_ROWS).map(figureRow));
  if (moved.length > MAX_FIGURE_ROWS) out.push('', `${moved.length - MAX_FIGURE_ROWS} more changed figures in gate.json.`);
  if (r.figures.unmatched.length) out.push('', `Not compared (one side only): ${r.figures.unmatched.join(', ')}.`);
  out.push('', '## Timing (real threads, randomised ABBA blocks, paired log-ratio)', '');
  out.push(`REGRESSION: the CI lies wholly beyond the ${budget} slowdown budget, Benjamini-Hochberg across cells agrees, and fresh blocks confirm it; SAME: the CI lies wholly inside ±${budget}; IMPROVEMENT: wholly beyond it on the good side, confirmed the same way; INCONCLUSIVE: neither, or not confirmed (passes, listed).`, '');
  out.push(...header.map((h, i) => (i === 0 ? '| cell | measure | blocks | candidate / base | confidence | verdict |' : '|---|---|---:|---:|---|---|')));
  const timing = [...r.timing].sort((a, b) => TIMING_ORDER.indexOf(a.verdict) - TIMING_ORDER.indexOf(b.verdict));
  out.push(...timing.map((t) => timingRow(t, r.confidence)));
  if (timing.length === 0) out.push('| (no timed cell) | | | | | |');
  if (r.notes.length) out.push('', '## Notes', '', ...r.notes.map((x) => `- ${x}`));
  return out.join('\n') + '\n';
}

/** The candidate's geometric-mean maps/s over its runs, with its 95% interval (t on logs). */
function candidateRate(maps: readonly number[]): { value: number; lower?: number; upper?: number } {
  const e = ratioInterval(maps.map(() => 1), maps, true);
  return { value: e.ratio, lower: e.low, upper: e.high };
}

/** `maps-per-s` / `full-failures`...: Bencher measure slugs. */
const slug = (key: string) => key.replace(/@/g, '-at-').replace(/_/g, '-');

/**
 * Bencher Metric Format: `{"<benchmark>": {"<measure>": {"value", "lower_value", "upper_value"}}}`,
 * timed cells as `STRATEGY/WORKLOAD/threads=N` (measure maps-per-s, the candidate's runs), sim cells as `STRATEGY/WORKLOAD/cpus=N (sim)`.
 */
export function bencherJson(r: GateResult): Record<string, Record<string, { value: number; lower_value?: number; upper_value?: number }>> {
  const out: Record<string, Record<string, { value: number; lower_value?: number; upper_value?: number }>> = {};
  for (const [cell, maps] of Object.entries(r.candidateRuns.timing)) {
    if (maps.length === 0) continue;
    const c = candidateRate(maps);
    out[cell] = { 'maps-per-s': { value: c.value, ...(c.lower !== undefined ? { lower_value: c.lower, upper_value: c.upper } : {}) } };
  }
  for (const c of r.figures.changes) {
    const name = `${c.cell} (sim)`;
    (out[name] ??= {})[slug(c.figure)] = { value: c.candidate };
  }
  return out;
}

/** One entry of github-action-benchmark's custom formats. */
export interface ActionBenchmarkEntry {
  name: string;
  unit: string;
  value: number;
  range?: string;
  extra?: string;
}

/**
 * github-action-benchmark `customBiggerIsBetter` and `customSmallerIsBetter`
 * arrays: measured maps/s and predicted maps/s in `bigger`, the other sim figures in `smaller`.
 */
export function actionBenchmarkJson(r: GateResult): { bigger: ActionBenchmarkEntry[]; smaller: ActionBenchmarkEntry[] } {
  const bigger: ActionBenchmarkEntry[] = [];
  const smaller: ActionBenchmarkEntry[] = [];
  for (const t of r.timing) {
    const maps = r.candidateRuns.timing[t.cell] ?? [];
    if (maps.length === 0) continue;
    const c = candidateRate(maps);
    bigger.push({ name: `${t.cell} maps/s`, unit: 'maps/s', value: c.value, ...(c.lower !== undefined ? { range: `± ${((c.upper! - c.lower) / 2).toFixed(0)}` } : {}), extra: `candidate/base ${ratio(t.ratio)} (${Math.round(r.confidence * 100)}% CI ${ci(t.low, t.high)}): ${t.verdict}` });
  }
  for (const c of r.figures.changes) {
    const spec = figureSpec(c.figure);
    const entry = { name: `${c.cell} ${c.figure} (sim)`, unit: c.unit, value: c.candidate, extra: `base ${num(c.base)}: ${c.verdict}` };
    (spec.higherIsBetter ? bigger : smaller).push(entry);
  }
  return { bigger, smaller };
}

/** The figure keys and what they mean, for docs/ci.md and --help. */
export function figureList(): string[] {
  return FIGURES.map((f) => `${f.key}: ${f.label} (${f.unit}; ${f.higherIsBetter ? 'higher' : 'lower'} is better)`);
}
