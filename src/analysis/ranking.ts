/** The readable parts of a report: summary.md and the closing words on the console. */
import { mean, sampleStandardDeviation } from 'simple-statistics';
import { type BootstrapOptions, DEFAULT_CONFIDENCE, DEFAULT_RESAMPLES, DEFAULT_SEED, bootstrapRatio, mixSeed, verdictOf } from '../stats/bootstrap.js';
import type { MachineFacts } from '../run/machine.js';
import { formatCi, formatP, formatRate } from './ratio-words.js';
import { type ReferenceSummary, referenceMarkdown } from './reference.js';
import { type ThroughputRow, groupBy, workloadThreadsKey } from '../export/rows.js';

/** One strategy's repeats of one (workload, threads). */
export interface StrategyFigures {
  strategy: string;
  mapsPerS: number;
  sdMapsPerS: number;
  repeats: number;
  rows: ThroughputRow[];
}

/** Strategies compared on one workload and thread count, fastest first. */
export interface Comparison {
  workload: string;
  threads: number;
  ranked: StrategyFigures[];
}

export function compareStrategies(rows: ThroughputRow[]): Comparison[] {
  return [...groupBy(rows, workloadThreadsKey).values()].map((group) => {
    const byStrategy = groupBy(group, (r) => r.strategy);
    const ranked = [...byStrategy.entries()].map(([strategy, rs]) => {
      const rates = rs.map((r) => r.maps_per_s);
      return { strategy, mapsPerS: mean(rates), sdMapsPerS: rates.length > 1 ? sampleStandardDeviation(rates) : 0, repeats: rs.length, rows: rs };
    });
    ranked.sort((a, b) => b.mapsPerS - a.mapsPerS);
    return { workload: group[0].workload, threads: group[0].threads, ranked };
  });
}

/** The bootstrap settings of the console summary: the defaults of `npm run compare`. */
const SUMMARY_BOOTSTRAP: BootstrapOptions = { confidence: DEFAULT_CONFIDENCE, resamples: DEFAULT_RESAMPLES, seed: DEFAULT_SEED };

/**
 * One sentence per (workload, threads): the fastest strategy (highest mean
 * maps/s) against the runner-up, with the verdict of bench/bootstrap.ts (the
 * same rule as --reference and `npm run compare`):
 * - `better`: `per-cpu-areas fastest, 1.31x global-lock (1.23M vs 941.4k maps/s; 95% CI 1.21–1.40, p=0.002).`
 * - `likely-better`: `per-cpu-areas probably fastest, ... (...; 95% CI 1.21–1.40, p=0.100), by the CI only; use --repeat 6 or more to confirm.`
 *   (`use a larger --repeat` from 6 repeats a side)
 * - `within-noise`: `no clear winner: per-cpu-areas 1.06x global-lock (...; 95% CI 0.97–1.15), within run-to-run noise.`
 * - one repeat on a side: `per-cpu-areas fastest, 1.06x global-lock (...); one repeat, so no noise estimate (use --repeat).`
 * The resampling seed is `opts.seed` mixed with the workload, thread count and
 * the two strategies, so the words are the same every time for the same rows.
 */
export function summaryWords(comparisons: Comparison[], opts: BootstrapOptions = SUMMARY_BOOTSTRAP): string[] {
  return comparisons.map(({ workload, threads, ranked }) => {
    const [best, next] = ranked;
    const head = `${workload}, ${threads} thread${threads === 1 ? '' : 's'}:`;
    if (!next) return `${head} ${best.strategy} only, ${formatRate(best.mapsPerS)} maps/s.`;
    if (!(best.mapsPerS > 0)) return `${head} no strategy completed a map.`;
    const rates = (f: StrategyFigures) => f.rows.map((r) => r.maps_per_s);
    const e = bootstrapRatio(rates(next), rates(best), { ...opts, seed: mixSeed(opts.seed, `${workload}/${threads}/${next.strategy}/${best.strategy}`) });
    const ratio = Number.isFinite(e.ratio) ? `${e.ratio.toFixed(2)}x` : 'ahead of';
    const means = `${formatRate(best.mapsPerS)} vs ${formatRate(next.mapsPerS)} maps/s`;
    const figures = (stats: string) => `${ratio} ${next.strategy} (${[means, stats].filter((x) => x !== '').join('; ')})`;
    const ci = formatCi(e, opts.confidence);
    const ciP = [ci, formatP(e)].filter((x) => x !== '').join(', ');
    if (best.repeats < 2 || next.repeats < 2) return `${head} ${best.strategy} fastest, ${figures('')}; one repeat, so no noise estimate (use --repeat).`;
    switch (verdictOf(e, true)) {
      case 'better':
        return `${head} ${best.strategy} fastest, ${figures(ciP)}.`;
      case 'likely-better':
        return `${head} ${best.strategy} probably fastest, ${figures(ciP)}, by the CI only; ${Math.min(best.repeats, next.repeats) < 6 ? 'use --repeat 6 or more' : 'use a larger --repeat'} to confirm.`;
      case 'no-ci':
        // Repeats on both sides but no interval: the runner-up measured 0 maps/s.
        return `${head} ${best.strategy} fastest, ${figures('')}; no CI (${next.strategy} completed no maps).`;
      default:
        // within-noise, or (the best mean is never below the runner-up's) a CI on the wrong side of 1.
        return `${head} no clear winner: ${best.strategy} ${figures(ci)}, within run-to-run noise.`;
    }
  });
}

export interface SummaryContext {
  command: string;
  machine: MachineFacts;
  warnings: string[];
  notes: string[];
  rows: ThroughputRow[];
  /** Per row index: the dma_map_benchmark lines. */
  benchmarkLines: string[][];
  messages: string[];
  /** --reference: ratios of every strategy to one of them (a section after the words). */
  reference?: ReferenceSummary;
}

/** Columns every ThroughputRow has; anything else is a strategy's own counter. */
const BASE_COLUMNS = new Set(['strategy', 'workload', 'threads', 'nareas', 'pool_slots', 'repeat', 'seconds', 'maps', 'maps_per_s', 'mib_per_s', 'full_failures',
  'map_mean_ns', 'map_sd_ns', 'map_p50_ns', 'map_p99_ns', 'map_p999_ns', 'unmap_mean_ns', 'unmap_p50_ns', 'unmap_p99_ns', 'slots_scanned_per_map',
  'area_fallbacks_per_map', 'lock_contended_pct', 'hiwater_slots', 'unmaps', 'lock_wait_ns_per_map', 'latency_samples', 'handoff_waits', 'trace_passes', 'io_tlb_used_after']);

/** One line per strategy run that has counters of its own, next to its failures. */
function strategyCounters(comparisons: Comparison[]): string[] {
  const lines: string[] = [];
  for (const c of comparisons) {
    for (const f of c.ranked) {
      const keys = Object.keys(f.rows[0]).filter((k) => !BASE_COLUMNS.has(k) && typeof f.rows[0][k] === 'number');
      if (keys.length === 0) continue;
      const avg = (k: string) => mean(f.rows.map((r) => Number(r[k])));
      const fmt = (x: number) => (Number.isInteger(x) ? String(x) : x.toFixed(x < 10 ? 3 : 1));
      lines.push(`- ${c.workload}, ${c.threads} threads, ${f.strategy}: full_failures ${fmt(avg('full_failures'))}; ${keys.map((k) => `${k} ${fmt(avg(k))}`).join(', ')}`);
    }
  }
  return lines;
}

/** summary.md: header, the table of means, the words, and per-run dma_map_benchmark lines. */
export function summaryMarkdown(ctx: SummaryContext): string {
  const { machine } = ctx;
  const out: string[] = [];
  out.push('# swiotlb-bench results', '');
  out.push(`- Command: \`${ctx.command}\``);
  out.push(`- Machine: ${machine.cores} cores (${machine.cpuModel}), ${machine.memoryGiB} GiB, Node ${machine.node}, ${machine.platform}`);
  for (const w of ctx.warnings) out.push(`- **Warning:** ${w}`);
  for (const n of ctx.notes) out.push(`- Note: ${n}`);
  out.push('', '## Throughput (mean of repeats)', '');
  out.push('| workload | threads | strategy | nareas | maps/s | ± sd | MiB/s | map p50 ns | map p99 ns | unmap p50 ns | full failures | hiwater slots | lock contended % | slots scanned/map |');
  out.push('|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  const comparisons = compareStrategies(ctx.rows);
  for (const c of comparisons) {
    for (const f of c.ranked) {
      const avg = (k: keyof ThroughputRow) => mean(f.rows.map((r) => r[k] as number));
      out.push(`| ${c.workload} | ${c.threads} | ${f.strategy} | ${f.rows[0].nareas} | ${formatRate(f.mapsPerS)} | ${formatRate(f.sdMapsPerS)} | ${avg('mib_per_s').toFixed(0)} | ${avg('map_p50_ns').toFixed(0)} | ${avg('map_p99_ns').toFixed(0)} | ${avg('unmap_p50_ns').toFixed(0)} | ${avg('full_failures').toFixed(0)} | ${Math.max(...f.rows.map((r) => r.hiwater_slots))} | ${avg('lock_contended_pct').toFixed(2)} | ${avg('slots_scanned_per_map').toFixed(2)} |`);
    }
  }
  out.push('', '## In words', '', ...summaryWords(comparisons).map((s) => `- ${s}`));
  if (ctx.reference) out.push('', ...referenceMarkdown(ctx.reference));
  const counters = strategyCounters(comparisons);
  if (counters.length) out.push('', '## Strategy counters (mean of repeats)', '', ...counters);
  out.push('', '## dma_map_benchmark lines per run', '', '```');
  ctx.rows.forEach((r, i) => {
    out.push(`${r.strategy} ${r.workload} threads=${r.threads} repeat=${r.repeat}`);
    for (const line of ctx.benchmarkLines[i]) out.push(`  ${line}`);
  });
  out.push('```');
  if (ctx.messages.length) out.push('', '## First "buffer is full" messages', '', '```', ...ctx.messages, '```');
  return out.join('\n') + '\n';
}
