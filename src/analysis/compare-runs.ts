/**
 * Comparing runs: for every (workload, threads) that the baseline (first run)
 * and another run both measured, the ratio other / baseline of maps/s and of
 * map p99 latency, each with a t CI of the log-ratio over the repeats (Welch:
 * separate runs do not pair), plus full
 * failures and high-water marks side by side. Pure functions: loading is in
 * compare-input.ts, writing in compare-cli.ts.
 */
import { max, mean, sum } from 'simple-statistics';
import { InputError } from '../base/errors.js';
import type { DecisionOptions } from '../stats/decision.js';
import { type RatioEstimate, ratioInterval } from '../stats/ratio-interval.js';
import type { CompareRow, LoadedRun } from '../export/read-summary.js';
import { groupBy } from '../stats/group.js';
import { workloadThreadsKey } from './groups.js';

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
   * `config` (the ignored fields left out: see {@link CompareOptions}); empty when they
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
 * The whole comparison, as compareMarkdown, compareCsvRows and compareFigure
 * read it: the runs in argument order (baseline first, with the summary.json
 * each came from and its command, machine and config), the bootstrap settings
 * used, one pairing per non-baseline run, and every pair compared (ratios
 * other / baseline; maps/s, ns, slots).
 */
export interface CompareResult {
  runs: { label: string; file: string; command?: string; machine?: LoadedRun['machine']; config?: LoadedRun['config'] }[];
  options: DecisionOptions;
  pairings: Pairing[];
  pairs: PairComparison[];
}

/** How runs are compared: the decision rule's settings, and the config fields whose differences do not matter. */
export interface CompareOptions extends DecisionOptions {
  /**
   * summary.json `config` fields that do not change what a ratio means
   * (where results go, how they are shown, what is matched pair by pair):
   * the bench options declared `compared: false`.
   */
  ignoreConfig?: ReadonlySet<string>;
}

/** A value compared and shown in one form: JSON with object keys sorted. */
export function canonical(value: unknown): string {
  if (value === undefined) return '(not set)';
  return JSON.stringify(value, (_k, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b))) : v);
}

/**
 * Every config field (outside `ignore`) whose value differs
 * between two runs, in the baseline's key order then the other's new keys;
 * undefined when either run has no config.
 */
export function configDifferences(baseline: Record<string, unknown> | undefined, other: Record<string, unknown> | undefined, ignore: ReadonlySet<string> = new Set()): ConfigDifference[] | undefined {
  if (!baseline || !other) return undefined;
  const fields = [...new Set([...Object.keys(baseline), ...Object.keys(other)])].filter((f) => !ignore.has(f));
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

/**
 * Rows of two sides paired by repeat index (strategies of one job alternate
 * inside each repeat), or undefined when the repeats do not match one to one.
 */
function pairByRepeat(baseline: readonly CompareRow[], other: readonly CompareRow[]): [CompareRow[], CompareRow[]] | undefined {
  if (baseline.length !== other.length) return undefined;
  const byRepeat = (rows: readonly CompareRow[]) => [...rows].sort((a, b) => a.repeat - b.repeat);
  const [b, o] = [byRepeat(baseline), byRepeat(other)];
  return b.every((r, i) => r.repeat === o[i].repeat && (i === 0 || r.repeat !== b[i - 1].repeat)) ? [b, o] : undefined;
}

/**
 * Compare one pair's repeats. `paired`: the two sides come from one job
 * (--reference), so repeat i of one is paired with repeat i of the other when
 * the repeats match; otherwise (two runs) Welch's interval.
 */
export function comparePair(workload: string, threads: number, baseline: SideFigures & { rows: CompareRow[] }, other: SideFigures & { rows: CompareRow[] }, opts: DecisionOptions, paired = false): PairComparison {
  const pairs = paired ? pairByRepeat(baseline.rows, other.rows) : undefined;
  const [brows, orows] = pairs ?? [baseline.rows, other.rows];
  const estimate = (k: 'maps_per_s' | 'map_p99_ns') => ratioInterval(brows.map((r) => r[k]), orows.map((r) => r[k]), pairs !== undefined, opts.confidence);
  const { rows: _b, ...b } = baseline;
  const { rows: _o, ...o } = other;
  return { workload, threads, baseline: b, other: o, maps: estimate('maps_per_s'), p99: estimate('map_p99_ns') };
}

/**
 * Compare every run after the first with the first (the baseline).
 * @param runs at least two loaded runs, labels already unique.
 * @throws InputError when fewer than two runs are given, or when a run shares
 *   no (workload, threads) with the baseline (names both files and what each has).
 */
export function compareRuns(runs: readonly LoadedRun[], opts: CompareOptions): CompareResult {
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
    pairings.push({ run: run.label, mode, unpaired, notShared, configDifferences: configDifferences(base.config, run.config, opts.ignoreConfig) });
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
  const { ignoreConfig: _ignored, ...decision } = opts;
  return { runs: runs.map(({ label, file, command, machine, config }) => ({ label, file, command, machine, config })), options: decision, pairings, pairs };
}
