/**
 * Strategies of one run ranked per (workload, threads), and the closing
 * sentence that names the fastest against the runner-up (console, summary.md,
 * report.html).
 */
import { mean, sampleStandardDeviation } from 'simple-statistics';
import { type BootstrapOptions, DEFAULT_CONFIDENCE, DEFAULT_RESAMPLES, DEFAULT_SEED, bootstrapRatio, verdictOf } from '../stats/bootstrap.js';
import { mixSeed } from '../stats/hash.js';
import { formatRate } from '../export/format.js';
import { formatCi, formatP } from './ratio-words.js';
import type { ThroughputRow } from '../export/columns.js';
import { groupBy } from '../stats/group.js';
import { workloadThreadsKey } from './groups.js';

/** One strategy's repeats of one (workload, threads). */
export interface StrategyFigures {
  strategy: string;
  mapsPerS: number;
  sdMapsPerS: number;
  repeats: number;
  rows: ThroughputRow[];
}

/** Strategies of one run on one workload and thread count, fastest (highest mean maps/s) first. */
export interface Ranking {
  workload: string;
  threads: number;
  ranked: StrategyFigures[];
}

/** Rank the strategies of each (workload, threads) in `rows` by mean maps/s over repeats. */
export function rankStrategies(rows: readonly ThroughputRow[]): Ranking[] {
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
 * maps/s) against the runner-up, with the verdict of src/stats/bootstrap.ts (the
 * same rule as --reference and `npm run compare`):
 * - `better`: `per-cpu-areas fastest, 1.31x global-lock (1.23M vs 941.4k maps/s; 95% CI 1.21–1.40, p=0.002).`
 * - `likely-better`: `per-cpu-areas probably fastest, ... (...; 95% CI 1.21–1.40, p=0.100), by the CI only; use --repeat 6 or more to confirm.`
 *   (`use a larger --repeat` from 6 repeats a side)
 * - `within-noise`: `no clear winner: per-cpu-areas 1.06x global-lock (...; 95% CI 0.97–1.15), within run-to-run noise.`
 * - one repeat on a side: `per-cpu-areas fastest, 1.06x global-lock (...); one repeat, so no noise estimate (use --repeat).`
 * The resampling seed is `opts.seed` mixed with the workload, thread count and
 * the two strategies, so the words are the same every time for the same rows.
 */
export function rankingWords(rankings: Ranking[], opts: BootstrapOptions = SUMMARY_BOOTSTRAP): string[] {
  return rankings.map(({ workload, threads, ranked }) => {
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
