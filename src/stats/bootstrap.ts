/**
 * Ratio of two means with a percentile-bootstrap confidence interval, and the
 * verdict it supports. Used by `npm run compare` (two runs) and by
 * `npm run bench -- --reference` (strategies of one run).
 *
 * The interval comes from the repeats: each side's repeats are resampled with
 * replacement, independently, and the ratio of the resampled means is taken
 * `resamples` times; the CI is the central `confidence` share of those
 * ratios. The random source is seeded, so the same inputs give the same CI.
 */
import { mean, permutationTest, quantile, sampleWithReplacement } from 'simple-statistics';
import { xorshift32 } from './prng.js';

/** Default two-sided confidence level of the CI (0.95), shared by compare, --reference and the console summary. */
export const DEFAULT_CONFIDENCE = 0.95;
/** Default number of bootstrap resamples (and permutation-test shuffles), 10,000. */
export const DEFAULT_RESAMPLES = 10_000;
/** Default seed of the resampling PRNG (1): the same inputs give the same CI and p. */
export const DEFAULT_SEED = 1;

/** How {@link bootstrapRatio} resamples; out-of-range values make it throw a RangeError. */
export interface BootstrapOptions {
  /** Two-sided confidence level, 0 < confidence < 1 (e.g. 0.95). */
  confidence: number;
  /** Bootstrap resamples (>= 100). */
  resamples: number;
  /** Seed of the resampling PRNG (any integer). */
  seed: number;
}

/**
 * `other` against `baseline`: `ratio` = mean(other) / mean(baseline), and,
 * when both sides have at least two values, the CI `[low, high]` of that
 * ratio and a two-sided permutation-test p-value of the difference of means.
 */
export interface RatioEstimate {
  ratio: number;
  /** CI bounds; absent when a side has fewer than 2 values or the baseline mean is not positive. */
  low?: number;
  high?: number;
  /** Permutation test (difference of means, two-sided); absent with the CI. */
  pValue?: number;
  /** The confidence level the CI was built for. */
  confidence: number;
  baselineMean: number;
  otherMean: number;
  baselineN: number;
  otherN: number;
}

/**
 * Estimate mean(other) / mean(baseline) with a bootstrap CI.
 * @param baseline values of the baseline side (e.g. maps/s of each repeat); at least one.
 * @param other values of the other side; at least one.
 * @throws RangeError when a side is empty or an option is out of range.
 */
export function bootstrapRatio(baseline: readonly number[], other: readonly number[], opts: BootstrapOptions): RatioEstimate {
  if (baseline.length === 0 || other.length === 0) throw new RangeError('bootstrapRatio: both sides need at least one value');
  if (!(opts.confidence > 0 && opts.confidence < 1)) throw new RangeError(`bootstrapRatio: confidence ${opts.confidence} is not in (0, 1)`);
  if (!Number.isInteger(opts.resamples) || opts.resamples < 100) throw new RangeError(`bootstrapRatio: resamples ${opts.resamples} is not an integer >= 100`);
  const baselineMean = mean(baseline as number[]);
  const otherMean = mean(other as number[]);
  const base: RatioEstimate = { ratio: otherMean / baselineMean, confidence: opts.confidence, baselineMean, otherMean, baselineN: baseline.length, otherN: other.length };
  if (!(baselineMean > 0) || baseline.length < 2 || other.length < 2) return base;
  const rand = xorshift32(opts.seed);
  const ratios: number[] = [];
  for (let i = 0; i < opts.resamples; i++) {
    const b = mean(sampleWithReplacement(baseline as number[], baseline.length, rand));
    // A resampled baseline mean of 0 has no ratio; such draws are dropped.
    if (b > 0) ratios.push(mean(sampleWithReplacement(other as number[], other.length, rand)) / b);
  }
  if (ratios.length < opts.resamples / 2) return base;
  const alpha = (1 - opts.confidence) / 2;
  const [low, high] = quantile(ratios, [alpha, 1 - alpha]);
  const pValue = permutationTest(other as number[], baseline as number[], 'two_side', opts.resamples, rand);
  return { ...base, low, high, pValue };
}

/**
 * What an estimate says. `no-ci`: no interval (fewer than 2 repeats on a side,
 * or nothing measured); `within-noise`: the CI contains 1; `better`/`worse`:
 * the CI lies wholly on one side of 1 and the permutation test agrees
 * (p below 1 - confidence), read with the metric's direction;
 * `likely-better`/`likely-worse`: the CI excludes 1 but the test cannot
 * confirm it (with 3 repeats a side p is never below 0.1): a hint, not a win.
 */
export type Verdict = 'no-ci' | 'within-noise' | 'likely-better' | 'likely-worse' | 'better' | 'worse';

/**
 * The verdict of an estimate for a metric where higher is better (maps/s) or
 * lower is better (latency).
 */
export function verdictOf(e: RatioEstimate, higherIsBetter: boolean): Verdict {
  if (e.low === undefined || e.high === undefined) return 'no-ci';
  if (e.low <= 1 && e.high >= 1) return 'within-noise';
  const good = e.low > 1 === higherIsBetter;
  const confirmed = e.pValue !== undefined && e.pValue < 1 - e.confidence;
  if (good) return confirmed ? 'better' : 'likely-better';
  return confirmed ? 'worse' : 'likely-worse';
}
