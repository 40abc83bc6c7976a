/**
 * summary.md: the run's header (command, machine, warnings, plan notes), a
 * table of means over repeats whose columns and legend come from the column
 * declarations, the verdicts in words, each strategy's own counters, the
 * dma_map_benchmark lines per run, and the first "buffer is full" messages.
 */
import { mean } from 'simple-statistics';
import type { LatencySummary } from '../stats/latency.js';
import { THROUGHPUT_COLUMNS, type ThroughputRow } from './columns.js';
import { formatRate } from './format.js';
import type { MachineFacts } from './machine.js';

/** One strategy's repeats on one (workload, threads); `mapsPerS` and `sdMapsPerS` over the repeats. */
export interface StrategyRows {
  strategy: string;
  mapsPerS: number;
  sdMapsPerS: number;
  rows: ThroughputRow[];
}

/** The strategies of one (workload, threads), in the order the table lists them (fastest first). */
export interface RowGroup {
  workload: string;
  threads: number;
  ranked: StrategyRows[];
}

/** Everything summary.md shows; the sections in words are made elsewhere (src/analysis) and passed as lines. */
export interface SummaryContent {
  command: string;
  machine: MachineFacts;
  warnings: string[];
  /** The strategies' plan notes (rounding, topology), `strategy threads=N: note`. */
  notes: string[];
  groups: RowGroup[];
  /** "In words": one sentence per (workload, threads). */
  words: string[];
  /** Extra sections after the words (e.g. --reference ratios), markdown lines. */
  sections: string[];
  /** Per run, in `runs` order: its rows' map and unmap latency summaries. */
  runs: { row: ThroughputRow; map: LatencySummary; unmap: LatencySummary }[];
  /** The first "swiotlb buffer is full" messages of the job. */
  messages: string[];
}

/** The throughput.csv columns of the table of means, in order (values are means over repeats, hiwater the max). */
const TABLE_COLUMNS = ['nareas', 'maps_per_s', 'mib_per_s', 'map_p50_ns', 'map_p99_ns', 'unmap_p50_ns', 'full_failures', 'hiwater_slots', 'lock_contended_pct', 'slots_scanned_per_map'] as const;

const OWN_COLUMNS = new Set<string>(THROUGHPUT_COLUMNS.map((c) => c.name));

/** A number for a table cell: rates as `540.0k`/`1.23M`, small values with decimals, the rest whole. */
function cell(column: string, x: number): string {
  if (column === 'maps_per_s') return formatRate(x);
  if (column === 'lock_contended_pct' || column === 'slots_scanned_per_map') return x.toFixed(2);
  return x.toFixed(0);
}

/**
 * The two lines tools/testing/selftests/dma/dma_map_benchmark.c prints, from
 * the same figures: mean and standard deviation in microseconds, one decimal.
 */
export function dmaMapBenchmarkLines(map: LatencySummary, unmap: LatencySummary): string[] {
  const us = (ns: number) => (ns / 1000).toFixed(1);
  return [
    `average map latency(us):${us(map.meanNs)} standard deviation:${us(map.sdNs)}`,
    `average unmap latency(us):${us(unmap.meanNs)} standard deviation:${us(unmap.sdNs)}`,
  ];
}

/** The table of means and its legend, generated from the column declarations. */
function meansTable(groups: RowGroup[]): string[] {
  const specs = TABLE_COLUMNS.map((name) => THROUGHPUT_COLUMNS.find((c) => c.name === name)!);
  const out = [
    `| workload | threads | strategy | ${specs.map((c) => (c.name === 'maps_per_s' ? 'maps_per_s | ± sd' : c.name)).join(' | ')} |`,
    `|---|---:|---|${specs.map((c) => (c.name === 'maps_per_s' ? '---:|---:' : '---:')).join('|')}|`,
  ];
  for (const g of groups) {
    for (const s of g.ranked) {
      const value = (name: string) => (name === 'hiwater_slots' ? Math.max(...s.rows.map((r) => r.hiwater_slots)) : mean(s.rows.map((r) => Number(r[name]))));
      const cells = specs.map((c) => (c.name === 'maps_per_s' ? `${formatRate(s.mapsPerS)} | ${formatRate(s.sdMapsPerS)}` : cell(c.name, value(c.name))));
      out.push(`| ${g.workload} | ${g.threads} | ${s.strategy} | ${cells.join(' | ')} |`);
    }
  }
  out.push('', 'Means over repeats (hiwater_slots: the largest). Columns (throughput.csv):');
  for (const c of specs) out.push(`- \`${c.name}\` (${c.unit}): ${c.description}${c.name === 'maps_per_s' ? '; `± sd` is its standard deviation over repeats' : ''}`);
  return out;
}

/** One line per strategy run that has columns of its own (strategy counters, per-node marks), next to its failures. */
function strategyCounters(groups: RowGroup[]): string[] {
  const lines: string[] = [];
  for (const g of groups) {
    for (const s of g.ranked) {
      const keys = Object.keys(s.rows[0]).filter((k) => !OWN_COLUMNS.has(k) && typeof s.rows[0][k] === 'number');
      if (keys.length === 0) continue;
      const avg = (k: string) => mean(s.rows.map((r) => Number(r[k])));
      const fmt = (x: number) => (Number.isInteger(x) ? String(x) : x.toFixed(x < 10 ? 3 : 1));
      lines.push(`- ${g.workload}, ${g.threads} threads, ${s.strategy}: full_failures ${fmt(avg('full_failures'))}; ${keys.map((k) => `${k} ${fmt(avg(k))}`).join(', ')}`);
    }
  }
  return lines;
}

/** summary.md as text. */
export function summaryMarkdown(c: SummaryContent): string {
  const { machine } = c;
  const out: string[] = ['# swiotlb-bench results', ''];
  out.push(`- Command: \`${c.command}\``);
  out.push(`- Machine: ${machine.cores} cores (${machine.cpuModel}), ${machine.memoryGiB} GiB, Node ${machine.node}, ${machine.platform}`);
  for (const w of c.warnings) out.push(`- **Warning:** ${w}`);
  for (const n of c.notes) out.push(`- Note: ${n}`);
  out.push('', '## Throughput (mean of repeats)', '', ...meansTable(c.groups));
  out.push('', '## In words', '', ...c.words.map((s) => `- ${s}`));
  if (c.sections.length) out.push('', ...c.sections);
  const counters = strategyCounters(c.groups);
  if (counters.length) out.push('', '## Strategy counters (mean of repeats)', '', ...counters);
  out.push('', '## dma_map_benchmark lines per run', '', '```');
  for (const { row: r, map, unmap } of c.runs) {
    out.push(`${r.strategy} ${r.workload} threads=${r.threads} repeat=${r.repeat}`);
    for (const line of dmaMapBenchmarkLines(map, unmap)) out.push(`  ${line}`);
  }
  out.push('```');
  if (c.messages.length) out.push('', '## First "buffer is full" messages', '', '```', ...c.messages, '```');
  return out.join('\n') + '\n';
}
