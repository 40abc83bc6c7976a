/**
 * `npm run bench -- --reference STRATEGY`: every other strategy's maps/s and
 * map p99 latency as ratios to one strategy of the same run, per (workload,
 * threads), with the CI and verdict rule of `npm run compare` (paired by
 * repeat: the strategies alternate inside each repeat), in hyperfine's
 * words ("per-cpu-areas: 1.16 ± 0.05 times the maps/s of global-lock").
 */
import { InputError } from '../base/errors.js';
import type { DecisionOptions } from '../stats/decision.js';
import type { RatioEstimate } from '../stats/ratio-interval.js';
import { comparePair, sideFigures } from './compare-runs.js';
import { MAPS_PER_S, MAP_P99, bandWords, ciBounds, emphasizeVerdict, formatRatio, ratioSentence, verdictWords } from './ratio-words.js';
import type { ThroughputRow } from '../export/columns.js';
import { groupBy } from '../stats/group.js';
import { FAILURE_MARGIN, failureRate, formatFailureRate } from './failures.js';
import { workloadThreadsKey } from './groups.js';

/** One strategy against the reference on one (workload, threads); ratios are strategy / reference. */
export interface ReferenceEntry {
  workload: string;
  threads: number;
  strategy: string;
  repeats: number;
  referenceRepeats: number;
  /** Full failures over map attempts of the strategy and of the reference (0..1). */
  failureRate: number;
  referenceFailureRate: number;
  maps: RatioEstimate & { verdict: string };
  p99: RatioEstimate & { verdict: string };
}

/** summary.json's `reference`: the reference strategy, the decision settings (fractions), and every ratio. */
export interface ReferenceSummary {
  strategy: string;
  confidence: number;
  minEffect: number;
  entries: ReferenceEntry[];
}

/**
 * The reference strategy's name among the run's strategies, matched by the
 * item given to --strategy (a name or a plug-in path) or by the loaded
 * strategy's name; undefined when there is no --reference.
 * @param items the --strategy items, in order.
 * @param names the loaded strategies' names, in the same order.
 * @throws InputError when it names none of them.
 */
export function resolveReference(reference: string | undefined, items: readonly string[], names: readonly string[]): string | undefined {
  if (reference === undefined) return undefined;
  const i = items.indexOf(reference);
  if (i >= 0) return names[i];
  if (names.includes(reference)) return reference;
  throw new InputError(`--reference '${reference}': not one of this run's strategies (${names.join(', ')})`);
}

/**
 * Ratios of every strategy to `reference` for each (workload, threads) where
 * the reference ran; the reference itself is left out.
 * @param rows throughput rows of one run (several repeats per strategy give the CI).
 */
export function referenceRatios(rows: readonly ThroughputRow[], reference: string, opts: DecisionOptions): ReferenceSummary {
  const entries: ReferenceEntry[] = [];
  for (const group of groupBy(rows, workloadThreadsKey).values()) {
    const refRows = group.filter((r) => r.strategy === reference);
    if (refRows.length === 0) continue;
    const { workload, threads } = group[0];
    for (const strategy of [...new Set(group.map((r) => r.strategy))].filter((s) => s !== reference)) {
      const own = group.filter((r) => r.strategy === strategy);
      const p = comparePair(workload, threads, { ...sideFigures('', reference, refRows), rows: refRows }, { ...sideFigures('', strategy, own), rows: own }, opts, true);
      const rate = failureRate(own);
      const refRate = failureRate(refRows);
      // maps/s counts successful maps only: with failure rates further apart than the margin, faster means "failed sooner".
      const apart = Math.abs(rate - refRate) > FAILURE_MARGIN;
      entries.push({
        workload, threads, strategy, repeats: own.length, referenceRepeats: refRows.length, failureRate: rate, referenceFailureRate: refRate,
        maps: { ...p.maps, verdict: apart ? `not comparable: ${formatFailureRate(rate)} vs ${formatFailureRate(refRate)} of maps failed` : verdictWords(p.maps, MAPS_PER_S, opts.minEffect) },
        p99: { ...p.p99, verdict: verdictWords(p.p99, MAP_P99, opts.minEffect) },
      });
    }
  }
  return { strategy: reference, confidence: opts.confidence, minEffect: opts.minEffect, entries };
}

/** Console lines: one hyperfine-style sentence per strategy and (workload, threads). */
export function referenceWords(summary: ReferenceSummary): string[] {
  return summary.entries.map((e) => `${e.workload}, ${e.threads} thread${e.threads === 1 ? '' : 's'}: ` +
    ratioSentence(e.strategy, summary.strategy, e.maps, e.p99, summary.confidence, summary.minEffect, { words: `${formatFailureRate(e.failureRate)} vs ${formatFailureRate(e.referenceFailureRate)} of maps failed`, mapsVerdict: e.maps.verdict }));
}

/** The summary.md section: a table of ratios to the reference and how to read it. */
export function referenceMarkdown(summary: ReferenceSummary): string[] {
  const conf = `${Math.round(summary.confidence * 1000) / 10}%`;
  const ci = (e: RatioEstimate) => ciBounds(e, summary.confidence);
  const out = [`## Ratios to ${summary.strategy} (--reference)`, ''];
  out.push(`Each strategy's geometric mean over repeats divided by ${summary.strategy}'s, with a ${conf} Student-t CI of the log-ratio, paired by repeat (the strategies alternate inside each repeat). ` +
    `Faster/slower when the CI lies wholly beyond the ${bandWords(summary.minEffect)} band, same when it lies inside it, inconclusive when it crosses an edge; fewer than 2 repeats give no CI. For p99 latency lower is better. ` +
    `maps/s counts successful maps only, so when the failure rates differ by more than ${100 * FAILURE_MARGIN} percentage point the maps/s ratio is not compared.`, '');
  out.push(`| workload | threads | strategy | failed (strategy / reference) | maps/s ratio | ${conf} CI | maps/s verdict | map p99 ratio | ${conf} CI | p99 verdict |`);
  out.push('|---|---:|---|---|---:|---|---|---:|---|---|');
  for (const e of summary.entries) {
    out.push(`| ${e.workload} | ${e.threads} | ${e.strategy} | ${formatFailureRate(e.failureRate)} / ${formatFailureRate(e.referenceFailureRate)} | ${formatRatio(e.maps)} | ${ci(e.maps)} | ${e.maps.verdict.startsWith('not comparable') ? e.maps.verdict : emphasizeVerdict(e.maps, e.maps.verdict, true, summary.minEffect)} | ${formatRatio(e.p99)} | ${ci(e.p99)} | ${emphasizeVerdict(e.p99, e.p99.verdict, false, summary.minEffect)} |`);
  }
  if (summary.entries.length === 0) out.push(`| (only ${summary.strategy} ran) | | | | | | | | | |`);
  out.push('', ...referenceWords(summary).map((s) => `- ${s}`));
  return out;
}
