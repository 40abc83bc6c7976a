/**
 * Comparing runs: for every (workload, threads) that the baseline (first run)
 * and another run both measured, the ratio other / baseline of maps/s and of
 * map p99 latency, each with a bootstrap CI over the repeats, plus full
 * failures and high-water marks side by side. Pure functions: loading is in
 * compare-input.ts, writing in compare-cli.ts.
 */
import { max, mean, sum } from 'simple-statistics';
import { InputError } from '../base/errors.js';
import { type BootstrapOptions, type RatioEstimate, bootstrapRatio, mixSeed } from '../stats/bootstrap.js';
import type { CompareRow, LoadedRun } from '../export/read-summary.js';
import { groupBy, workloadThreadsKey } from '../export/rows.js';
import { MAPS_PER_S, MAP_P99, ciBounds, emphasizeVerdict, formatP, formatRatio, formatRate, ratioSentence, verdictWords } from './ratio-words.js';

/** One side of a pair: a strategy of a run on one (workload, threads), summarised over its repeats. */
export interface SideFigures {
  /** Run label (result directory name or --label). */
  run: string;
  strategy: string;
  repeats: number;
  /** Mean maps/s over repeats. */
  mapsPerS: number;
  /** Mean map p99 latency over repeats, ns. */
  p99Ns: number;
  /** Full failures ("swiotlb buffer is full"): mean per repeat, and sum over repeats. */
  fullFailuresMean: number;
  fullFailuresSum: number;
  /** Largest io_tlb_used_hiwater over repeats, slots. */
  hiwaterMax: number;
}

/** One pair compared on one (workload, threads). Ratios are other / baseline. */
export interface PairComparison {
  workload: string;
  threads: number;
  baseline: SideFigures;
  other: SideFigures;
  maps: RatioEstimate;
  p99: RatioEstimate;
}

/** How strategies were paired between the baseline and one other run. */
export interface Pairing {
  run: string;
  /** `same-name`: shared strategy names paired; `all-pairs`: no shared names, every baseline strategy against every other. */
  mode: 'same-name' | 'all-pairs';
  /** Strategies present in only one of the two runs, when pairing by name. */
  unpaired: string[];
  /** (workload, threads) measured by only one of the two runs, as `workload/threads`. */
  notShared: string[];
  /**
   * Options that differ between the baseline's and this run's summary.json
   * `config` (fields in {@link CONFIG_NOT_COMPARED} left out); empty when they
   * agree, undefined when either file has no `config`.
   */
  configDifferences?: ConfigDifference[];
}

/** One option that two runs set differently: its `config` key and both values (undefined where a run lacks it). */
export interface ConfigDifference {
  field: string;
  baseline: unknown;
  other: unknown;
}

/**
 * Config fields that do not change what a ratio means: where results go, how
 * they are shown, and what is compared (strategies, threads and workloads are
 * matched pair by pair; repeats only change the CI's width).
 */
export const CONFIG_NOT_COMPARED: ReadonlySet<string> = new Set(['out', 'label', 'progress', 'reference', 'list', 'verbose', 'strategies', 'threads', 'workloads', 'repeat']);

/**
 * The whole comparison, as compareMarkdown, compareCsvRows and compareFigure
 * read it: the runs in argument order (baseline first, with the summary.json
 * each came from and its command, machine and config), the bootstrap settings
 * used, one pairing per non-baseline run, and every pair compared (ratios
 * other / baseline; maps/s, ns, slots).
 */
export interface CompareResult {
  runs: { label: string; file: string; command?: string; machine?: LoadedRun['machine']; config?: LoadedRun['config'] }[];
  options: BootstrapOptions;
  pairings: Pairing[];
  pairs: PairComparison[];
}

/** A value compared and shown in one form: JSON with object keys sorted. */
function canonical(value: unknown): string {
  if (value === undefined) return '(not set)';
  return JSON.stringify(value, (_k, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b))) : v);
}

/**
 * Every config field (outside {@link CONFIG_NOT_COMPARED}) whose value differs
 * between two runs, in the baseline's key order then the other's new keys;
 * undefined when either run has no config.
 */
export function configDifferences(baseline: Record<string, unknown> | undefined, other: Record<string, unknown> | undefined): ConfigDifference[] | undefined {
  if (!baseline || !other) return undefined;
  const fields = [...new Set([...Object.keys(baseline), ...Object.keys(other)])].filter((f) => !CONFIG_NOT_COMPARED.has(f));
  return fields.filter((f) => canonical(baseline[f]) !== canonical(other[f])).map((field) => ({ field, baseline: baseline[field], other: other[field] }));
}

type Groups = Map<string, Map<string, CompareRow[]>>;

/** Rows grouped by (workload, threads), then by strategy; insertion order kept. */
function group(rows: readonly CompareRow[]): Groups {
  return new Map([...groupBy(rows, workloadThreadsKey)].map(([k, g]) => [k, groupBy(g, (r) => r.strategy)]));
}

function strategiesOf(rows: readonly CompareRow[]): string[] {
  return [...new Set(rows.map((r) => r.strategy))];
}

/** One strategy's repeats on one (workload, threads) summarised: means, failure sum, high-water max. */
export function sideFigures(run: string, strategy: string, rows: CompareRow[]): SideFigures {
  const failures = rows.map((r) => r.full_failures);
  return {
    run, strategy, repeats: rows.length,
    mapsPerS: mean(rows.map((r) => r.maps_per_s)),
    p99Ns: mean(rows.map((r) => r.map_p99_ns)),
    fullFailuresMean: mean(failures), fullFailuresSum: sum(failures),
    hiwaterMax: max(rows.map((r) => r.hiwater_slots)),
  };
}

/**
 * Strategy pairs (baseline name, other name): same-named strategies when the
 * runs share any name (two versions of one allocator), else every pair (two proposals).
 */
export function pairStrategies(baseline: readonly string[], other: readonly string[]): { mode: Pairing['mode']; pairs: [string, string][]; unpaired: string[] } {
  const shared = baseline.filter((s) => other.includes(s));
  if (shared.length > 0) {
    const unpaired = [...baseline, ...other].filter((s) => !shared.includes(s));
    return { mode: 'same-name', pairs: shared.map((s) => [s, s]), unpaired: [...new Set(unpaired)] };
  }
  return { mode: 'all-pairs', pairs: baseline.flatMap((b) => other.map((o): [string, string] => [b, o])), unpaired: [] };
}

/** Compare one pair's repeats; the resampling seed depends on what is compared, not on its position. */
export function comparePair(workload: string, threads: number, baseline: SideFigures & { rows: CompareRow[] }, other: SideFigures & { rows: CompareRow[] }, opts: BootstrapOptions): PairComparison {
  const id = `${workload}/${threads}/${baseline.run}:${baseline.strategy}/${other.run}:${other.strategy}`;
  const estimate = (k: 'maps_per_s' | 'map_p99_ns', salt: string) =>
    bootstrapRatio(baseline.rows.map((r) => r[k]), other.rows.map((r) => r[k]), { ...opts, seed: mixSeed(opts.seed, `${id}/${salt}`) });
  const { rows: _b, ...b } = baseline;
  const { rows: _o, ...o } = other;
  return { workload, threads, baseline: b, other: o, maps: estimate('maps_per_s', 'maps'), p99: estimate('map_p99_ns', 'p99') };
}

/**
 * Compare every run after the first with the first (the baseline).
 * @param runs at least two loaded runs, labels already unique.
 * @throws InputError when fewer than two runs are given, or when a run shares
 *   no (workload, threads) with the baseline (names both files and what each has).
 */
export function compareRuns(runs: readonly LoadedRun[], opts: BootstrapOptions): CompareResult {
  if (runs.length < 2) throw new InputError('compare needs at least two runs: the baseline first, then the runs to compare with it');
  const [base, ...others] = runs;
  const baseGroups = group(base.rows);
  const pairings: Pairing[] = [];
  const pairs: PairComparison[] = [];
  for (const run of others) {
    const groups = group(run.rows);
    const common = [...baseGroups.keys()].filter((k) => groups.has(k));
    const describe = (g: Groups) => [...g.values()].map((m) => { const r = [...m.values()][0][0]; return `${r.workload}/${r.threads}`; }).join(', ');
    if (common.length === 0) {
      throw new InputError(`no (workload, threads) in common between ${base.label} (${base.file}: ${describe(baseGroups)}) and ${run.label} (${run.file}: ${describe(groups)})`);
    }
    const { mode, pairs: strategyPairs, unpaired } = pairStrategies(strategiesOf(base.rows), strategiesOf(run.rows));
    const notShared = [...new Set([...baseGroups.keys(), ...groups.keys()])].filter((k) => !common.includes(k)).map((k) => k.replace('\u0000', '/'));
    pairings.push({ run: run.label, mode, unpaired, notShared, configDifferences: configDifferences(base.config, run.config) });
    for (const k of common) {
      const bg = baseGroups.get(k)!;
      const og = groups.get(k)!;
      for (const [bs, os] of strategyPairs) {
        const brows = bg.get(bs);
        const orows = og.get(os);
        if (!brows || !orows) continue;
        const { workload, threads } = brows[0];
        pairs.push(comparePair(workload, threads, { ...sideFigures(base.label, bs, brows), rows: brows }, { ...sideFigures(run.label, os, orows), rows: orows }, opts));
      }
    }
  }
  if (pairs.length === 0) throw new InputError(`no strategy measured on a (workload, threads) that both ${base.label} and the other runs measured`);
  return { runs: runs.map(({ label, file, command, machine, config }) => ({ label, file, command, machine, config })), options: opts, pairings, pairs };
}

/** `run:strategy`, the name of one side. */
export function sideName(s: Pick<SideFigures, 'run' | 'strategy'>): string {
  return `${s.run}:${s.strategy}`;
}

const num = (x: number) => (Number.isInteger(x) ? String(x) : x.toFixed(1));

/** Machine facts in one line, to show that two runs ran on different machines. */
function machineLine(m: LoadedRun['machine']): string {
  return m ? `${m.cores ?? '?'} cores (${m.cpuModel ?? '?'}), Node ${m.node ?? '?'}` : 'machine unknown';
}

/** compare.md: what was compared, how to read it, one table per workload, and the comparison in words. */
export function compareMarkdown(result: CompareResult): string {
  const { options: o } = result;
  const conf = `${Math.round(o.confidence * 1000) / 10}%`;
  const out: string[] = ['# swiotlb-bench comparison', ''];
  const [base, ...others] = result.runs;
  out.push(`- Baseline: **${base.label}** (\`${base.file}\`), ${machineLine(base.machine)}`);
  for (const r of others) {
    const p = result.pairings.find((x) => x.run === r.label)!;
    out.push(`- Compared: **${r.label}** (\`${r.file}\`), ${machineLine(r.machine)}; strategies paired ${p.mode === 'same-name' ? 'by name' : 'every one with every one (no shared names)'}`);
    if (machineLine(r.machine) !== machineLine(base.machine)) out.push(`- **Warning:** ${r.label} ran on a different machine or Node than the baseline; ratios include that difference.`);
    const diffs = p.configDifferences;
    if (diffs === undefined) out.push(`- Note: ${r.config ? base.label : r.label} has no \`config\` in its summary.json, so its options cannot be checked against ${r.config ? r.label : 'the baseline'}.`);
    else if (diffs.length) out.push(`- **Warning:** ${r.label} ran with different options than the baseline (${diffs.map((d) => `${d.field}: ${canonical(d.baseline)} → ${canonical(d.other)}`).join('; ')}); ratios include that difference.`);
    if (p.unpaired.length) out.push(`- Not paired (in one run only): ${p.unpaired.join(', ')}`);
    if (p.notShared.length) out.push(`- Not compared (measured by one run only): ${p.notShared.join(', ')}`);
  }
  out.push(`- Ratios are other / baseline of the means over repeats. CI: ${conf} percentile bootstrap, each side's repeats resampled independently (${o.resamples} resamples, seed ${o.seed}); p: two-sided permutation test of the difference of means.`);
  out.push('- A CI that contains 1.00 is **within noise**; with fewer than 2 repeats on a side there is **no CI**. Faster/slower needs a CI wholly above or below 1 and p below 1 − confidence; a CI that excludes 1 without that p is marked "by the CI only" (with 3 repeats a side p cannot go below 0.1). For p99 latency lower is better.');
  for (const workload of [...new Set(result.pairs.map((p) => p.workload))]) {
    out.push('', `## ${workload}`, '');
    out.push(`| threads | baseline | other | repeats | maps/s | maps/s ratio | ${conf} CI | p | maps/s verdict | map p99 ns | p99 ratio | ${conf} CI | p99 verdict | full failures (sum) | hiwater slots (max) |`);
    out.push('|---:|---|---|---:|---:|---:|---|---:|---|---:|---:|---|---|---:|---:|');
    for (const p of result.pairs.filter((x) => x.workload === workload)) {
      const ci = (e: RatioEstimate) => ciBounds(e, o.confidence);
      out.push(`| ${p.threads} | ${sideName(p.baseline)} | ${sideName(p.other)} | ${p.baseline.repeats} / ${p.other.repeats} | ${formatRate(p.baseline.mapsPerS)} → ${formatRate(p.other.mapsPerS)} | ${formatRatio(p.maps)} | ${ci(p.maps)} | ${formatP(p.maps).replace('p=', '')} | ${emphasizeVerdict(p.maps, verdictWords(p.maps, MAPS_PER_S), true)} | ` +
        `${num(p.baseline.p99Ns)} → ${num(p.other.p99Ns)} | ${formatRatio(p.p99)} | ${ci(p.p99)} | ${emphasizeVerdict(p.p99, verdictWords(p.p99, MAP_P99), false)} | ${p.baseline.fullFailuresSum} → ${p.other.fullFailuresSum} | ${p.baseline.hiwaterMax} → ${p.other.hiwaterMax} |`);
    }
  }
  out.push('', '## In words', '', ...compareWords(result).map((s) => `- ${s}`));
  return out.join('\n') + '\n';
}

/** One hyperfine-style sentence per pair. */
export function compareWords(result: CompareResult): string[] {
  return result.pairs.map((p) => `${p.workload}, ${p.threads} thread${p.threads === 1 ? '' : 's'}: ${ratioSentence(sideName(p.other), sideName(p.baseline), p.maps, p.p99, result.options.confidence)}`);
}

/** compare.csv rows: one per pair; CI and p-value cells empty where there is none. Units: maps/s, ns, slots. */
export function compareCsvRows(result: CompareResult): Record<string, string | number>[] {
  const opt = (x: number | undefined) => (x === undefined || !Number.isFinite(x) ? '' : x);
  return result.pairs.map((p) => ({
    workload: p.workload, threads: p.threads,
    baseline_run: p.baseline.run, baseline_strategy: p.baseline.strategy, other_run: p.other.run, other_strategy: p.other.strategy,
    baseline_repeats: p.baseline.repeats, other_repeats: p.other.repeats,
    baseline_maps_per_s: p.baseline.mapsPerS, other_maps_per_s: p.other.mapsPerS,
    maps_ratio: opt(p.maps.ratio), maps_ci_low: opt(p.maps.low), maps_ci_high: opt(p.maps.high), maps_p_value: opt(p.maps.pValue), maps_verdict: verdictWords(p.maps, MAPS_PER_S),
    baseline_map_p99_ns: p.baseline.p99Ns, other_map_p99_ns: p.other.p99Ns,
    p99_ratio: opt(p.p99.ratio), p99_ci_low: opt(p.p99.low), p99_ci_high: opt(p.p99.high), p99_p_value: opt(p.p99.pValue), p99_verdict: verdictWords(p.p99, MAP_P99),
    baseline_full_failures_sum: p.baseline.fullFailuresSum, other_full_failures_sum: p.other.fullFailuresSum,
    baseline_full_failures_mean: p.baseline.fullFailuresMean, other_full_failures_mean: p.other.fullFailuresMean,
    baseline_hiwater_slots_max: p.baseline.hiwaterMax, other_hiwater_slots_max: p.other.hiwaterMax,
  }));
}
