/**
 * The ratio of two sides' repeats (other / baseline) with a Student-t
 * confidence interval of its logarithm: paired when the repeats pair up (the
 * strategies of one job alternate inside each repeat; the gate's ABBA blocks),
 * Welch's unequal-variance interval otherwise (two separate runs). Ratios of
 * rates are multiplicative, so the interval is built on logs and mapped back:
 * it is never negative and a 2x and a 0.5x are equally far from 1.
 *
 * Why t and not the bootstrap: with the default 3 repeats a side, a percentile
 * bootstrap interval is far too narrow (it cannot see the tails three values
 * do not show), while t's quantile (4.30 at 2 degrees of freedom) widens it
 * honestly; a large, clean difference still clears it.
 */
import tQuantile from '@stdlib/stats-base-dists-t-quantile';
import { mean, sampleVariance } from 'simple-statistics';

/** Default two-sided confidence level of every interval (0.95): bench, --reference, compare, gate. */
export const DEFAULT_CONFIDENCE = 0.95;

/**
 * `other` against `baseline`: `ratio` = exp(mean log other - mean log
 * baseline) (paired: the geometric mean of the per-pair ratios), and, when
 * both sides have at least two positive values, the CI `[low, high]` of that
 * ratio at `confidence`.
 */
export interface RatioEstimate {
  /** Geometric-mean ratio other / baseline (NaN when a side has a value <= 0). */
  ratio: number;
  /** CI bounds of the ratio; absent with fewer than 2 values a side (pairs, when paired) or a value <= 0. */
  low?: number;
  high?: number;
  /** Two-sided confidence level of the CI. */
  confidence: number;
  /** Paired (one log-ratio per pair) or Welch (two independent samples). */
  paired: boolean;
  /** Mean of the log-ratio and its standard error (natural log units); absent without a CI. */
  logMean?: number;
  logSe?: number;
  /** Degrees of freedom of the t quantile (n - 1 paired; Welch-Satterthwaite otherwise). */
  df?: number;
  /** Arithmetic means of each side (for tables: "941k -> 1.23M"). */
  baselineMean: number;
  otherMean: number;
  baselineN: number;
  otherN: number;
}

/** log of every value, or undefined when one is not positive (a rate of 0 has no ratio). */
function logs(values: readonly number[]): number[] | undefined {
  return values.every((v) => v > 0 && Number.isFinite(v)) ? values.map(Math.log) : undefined;
}

/**
 * Estimate other / baseline with a t interval on the log scale.
 * @param baseline values of the baseline side (maps/s or ns of each repeat); at least one.
 * @param other values of the other side; at least one. When `paired`, `other[i]` pairs with `baseline[i]` and the lengths must match.
 * @param confidence two-sided level, 0 < confidence < 1.
 * @throws RangeError when a side is empty, a paired sample's lengths differ, or the level is out of range.
 */
export function ratioInterval(baseline: readonly number[], other: readonly number[], paired: boolean, confidence = DEFAULT_CONFIDENCE): RatioEstimate {
  if (baseline.length === 0 || other.length === 0) throw new RangeError('ratioInterval: both sides need at least one value');
  if (paired && baseline.length !== other.length) throw new RangeError(`ratioInterval: paired sides differ in length (${baseline.length} vs ${other.length})`);
  if (!(confidence > 0 && confidence < 1)) throw new RangeError(`ratioInterval: confidence ${confidence} is not in (0, 1)`);
  const base = { confidence, paired, baselineMean: mean(baseline as number[]), otherMean: mean(other as number[]), baselineN: baseline.length, otherN: other.length };
  const lb = logs(baseline);
  const lo = logs(other);
  if (!lb || !lo) return { ...base, ratio: base.otherMean === 0 && base.baselineMean > 0 ? 0 : NaN };
  const point = mean(lo) - mean(lb);
  const estimate: RatioEstimate = { ...base, ratio: Math.exp(point) };
  let se: number;
  let df: number;
  if (paired) {
    if (lb.length < 2) return estimate;
    const d = lo.map((v, i) => v - lb[i]);
    se = Math.sqrt(sampleVariance(d) / d.length);
    df = d.length - 1;
  } else {
    if (lb.length < 2 || lo.length < 2) return estimate;
    const vb = sampleVariance(lb) / lb.length;
    const vo = sampleVariance(lo) / lo.length;
    se = Math.sqrt(vb + vo);
    // Welch-Satterthwaite; two spotless sides (variance 0) keep the smaller side's n - 1.
    df = vb + vo > 0 ? (vb + vo) ** 2 / (vb ** 2 / (lb.length - 1) + vo ** 2 / (lo.length - 1)) : Math.min(lb.length, lo.length) - 1;
  }
  const half = tQuantile(1 - (1 - confidence) / 2, df) * se;
  return { ...estimate, low: Math.exp(point - half), high: Math.exp(point + half), logMean: point, logSe: se, df };
}
