/**
 * Strategies of one run ranked per (workload, threads), and the closing
 * sentence that names the fastest against the runner-up (console, summary.md,
 * report.html). Only strategies that failed no more than the others (the
 * rule of failures.ts) are ranked by maps/s; the rest are named with their
 * failure rates.
 */
import { mean, sampleStandardDeviation } from 'simple-statistics';
import { DEFAULT_MIN_EFFECT, type DecisionOptions, decide } from '../stats/decision.js';
import { DEFAULT_CONFIDENCE } from '../stats/ratio-interval.js';
import { formatRate } from '../export/format.js';
import { comparePair, sideFigures } from './compare-runs.js';
import { bandWords, formatCi, intervalKind } from './ratio-words.js';
import type { ThroughputRow } from '../export/columns.js';
import { groupBy } from '../stats/group.js';
import { FAILURE_MARGIN, failureRate, formatFailureRate, splitByFailures } from './failures.js';
import { workloadThreadsKey } from './groups.js';

/** One strategy's repeats of one (workload, threads). */
export interface StrategyFigures {
  strategy: string;
  mapsPerS: number;
  sdMapsPerS: number;
  repeats: number;
  /** Full failures over map attempts, summed over repeats (0..1). */
  failureRate: number;
  rows: ThroughputRow[];
}

/** Strategies of one run on one workload and thread count. */
export interface Ranking {
  workload: string;
  threads: number;
  /** Strategies within FAILURE_MARGIN of the lowest failure rate, fastest (highest mean maps/s) first. */
  ranked: StrategyFigures[];
  /** Strategies that failed more, not ranked by maps/s (fastest first). */
  failing: StrategyFigures[];
}

/** Rank the strategies of each (workload, threads) in `rows` by mean maps/s over repeats, those failing more set apart. */
export function rankStrategies(rows: readonly ThroughputRow[]): Ranking[] {
  return [...groupBy(rows, workloadThreadsKey).values()].map((group) => {
    const byStrategy = groupBy(group, (r) => r.strategy);
    const all = [...byStrategy.entries()].map(([strategy, rs]) => {
      const rates = rs.map((r) => r.maps_per_s);
      return { strategy, mapsPerS: mean(rates), sdMapsPerS: rates.length > 1 ? sampleStandardDeviation(rates) : 0, repeats: rs.length, failureRate: failureRate(rs), rows: rs };
    });
    all.sort((a, b) => b.mapsPerS - a.mapsPerS);
    const { comparable, failing } = splitByFailures(all, (f) => f.failureRate);
    return { workload: group[0].workload, threads: group[0].threads, ranked: comparable, failing };
  });
}

/** ` Not ranked by maps/s (...): X 38.2% of its map attempts, Y 12.0% failed.`, or '' when every strategy is ranked. */
function notRanked(r: Ranking): string {
  if (r.failing.length === 0) return '';
  const ceiling = Math.max(...r.ranked.map((f) => f.failureRate));
  const list = r.failing.map((f, i) => `${f.strategy} ${formatFailureRate(f.failureRate)}${i === 0 ? ' of its map attempts' : ''}`).join(', ');
  return ` Not ranked by maps/s, for failing more than ${100 * FAILURE_MARGIN} percentage point above the rest (at most ${formatFailureRate(ceiling)}): ${list} failed.`;
}

/** The decision settings of the console summary: the defaults of `npm run compare`. */
const SUMMARY_DECISION: DecisionOptions = { confidence: DEFAULT_CONFIDENCE, minEffect: DEFAULT_MIN_EFFECT };

/**
 * One sentence per (workload, threads): the fastest strategy (highest mean
 * maps/s) against the runner-up, decided by the rule of src/stats/decision.ts
 * (the same as --reference, `npm run compare` and the gate), on a t CI of the
 * log-ratio paired by repeat (the strategies alternate inside each repeat):
 * - `better`: `per-cpu-areas fastest, 1.31x global-lock (1.23M vs 941.4k maps/s, ...; 95% CI 1.21–1.40, paired over 3 repeats).`
 * - `same`: `per-cpu-areas and global-lock the same within ±5%: 1.02x (...; 95% CI 0.99–1.04, ...).`
 * - `inconclusive`: `no clear winner: per-cpu-areas 1.06x global-lock (...; 95% CI 0.97–1.15, ...), the CI crosses the ±5% band; use a larger --repeat.`
 * - one repeat on a side: `per-cpu-areas fastest, 1.06x global-lock (...); one repeat, so no noise estimate (use --repeat).`
 */
export function rankingWords(rankings: Ranking[], opts: DecisionOptions = SUMMARY_DECISION): string[] {
  return rankings.map((r) => rankingSentence(r, opts) + notRanked(r));
}

/** The sentence of {@link rankingWords} about the ranked strategies of one (workload, threads). */
function rankingSentence({ workload, threads, ranked, failing }: Ranking, opts: DecisionOptions): string {
  const [best, next] = ranked;
  const head = `${workload}, ${threads} thread${threads === 1 ? '' : 's'}:`;
  const failed = (f: StrategyFigures) => `${formatFailureRate(f.failureRate)} of maps failed`;
  if (!next) return `${head} ${best.strategy} ${failing.length ? 'the only one ranked' : 'only'}, ${formatRate(best.mapsPerS)} maps/s, ${failed(best)}.`;
  if (!(best.mapsPerS > 0)) return `${head} no strategy completed a map.`;
  const e = comparePair(workload, threads, { ...sideFigures('', next.strategy, next.rows), rows: next.rows }, { ...sideFigures('', best.strategy, best.rows), rows: best.rows }, opts, true).maps;
  const ratio = Number.isFinite(e.ratio) ? `${e.ratio.toFixed(2)}x` : 'ahead of';
  const means = `${formatRate(best.mapsPerS)} vs ${formatRate(next.mapsPerS)} maps/s, ${formatFailureRate(best.failureRate)} vs ${formatFailureRate(next.failureRate)} failed`;
  const figures = (stats: string) => `${ratio} ${next.strategy} (${[means, stats].filter((x) => x !== '').join('; ')})`;
  const ci = `${formatCi(e, opts.confidence)}, ${intervalKind(e)}`;
  const band = bandWords(opts.minEffect);
  // The virtual-time engine repeats itself exactly: no noise to test, the figures are a prediction.
  if (best.rows.every((r) => r.engine === 'sim') && next.rows.every((r) => r.engine === 'sim')) {
    return best.mapsPerS === next.mapsPerS
      ? `${head} ${best.strategy} and ${next.strategy} predicted alike (${formatRate(best.mapsPerS)} maps/s; virtual-time engine).`
      : `${head} ${best.strategy} predicted fastest, ${figures('virtual-time engine: deterministic, no noise estimate')}.`;
  }
  if (best.repeats < 2 || next.repeats < 2) return `${head} ${best.strategy} fastest, ${figures('')}; one repeat, so no noise estimate (use --repeat).`;
  switch (decide(e, true, opts.minEffect)) {
    case 'better':
      return `${head} ${best.strategy} fastest, ${figures(ci)}.`;
    case 'same':
      return `${head} ${best.strategy} and ${next.strategy} the same within ${band}: ${figures(ci)}.`;
    case 'no-ci':
      // Repeats on both sides but no interval: the runner-up measured 0 maps/s.
      return `${head} ${best.strategy} fastest, ${figures('')}; no CI (${next.strategy} completed no maps).`;
    default:
      // inconclusive, or (the best mean is never below the runner-up's) a CI wholly on the wrong side.
      return `${head} no clear winner: ${best.strategy} ${figures(ci)}, the CI crosses the ${band} band; use a larger --repeat.`;
  }
}
