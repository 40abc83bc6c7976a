/**
 * The one decision rule of bench, --reference, compare and gate, after
 * Chromium's Pinpoint: a difference is called only when its confidence
 * interval clears a stated minimum effect, and "the same" is a finding too.
 *
 * With a minimum effect d (0.05 = 5%) the band of "no real difference" is
 * [1/(1+d), 1+d] on the ratio (symmetric on the log scale):
 * - `better` / `worse`: the CI lies wholly beyond the band on that side;
 * - `same`: the CI lies wholly inside the band (an equivalence finding);
 * - `inconclusive`: the CI crosses an edge of the band: more repeats (or
 *   blocks) would tell;
 * - `no-ci`: no interval (one repeat a side, or a rate of 0).
 */
import tCdf from '@stdlib/stats-base-dists-t-cdf';
import type { RatioEstimate } from './ratio-interval.js';

/** Default minimum effect (5%): the gate's slowdown budget and the band bench and compare call "same". */
export const DEFAULT_MIN_EFFECT = 0.05;

/** What an estimate says about a metric, read with its direction. */
export type Decision = 'better' | 'worse' | 'same' | 'inconclusive' | 'no-ci';

/**
 * Decide what `e` says for a metric where higher is better (maps/s) or lower is better (latency).
 * @param minEffect the band's half-width as a fraction (0.05 = 5%), >= 0.
 * @throws RangeError when minEffect is negative or not finite.
 */
export function decide(e: RatioEstimate, higherIsBetter: boolean, minEffect = DEFAULT_MIN_EFFECT): Decision {
  if (!(minEffect >= 0) || !Number.isFinite(minEffect)) throw new RangeError(`decide: minimum effect ${minEffect} is not a fraction >= 0`);
  if (e.low === undefined || e.high === undefined) return 'no-ci';
  const top = 1 + minEffect;
  const bottom = 1 / top;
  if (e.low > top) return higherIsBetter ? 'better' : 'worse';
  if (e.high < bottom) return higherIsBetter ? 'worse' : 'better';
  if (e.low >= bottom && e.high <= top) return 'same';
  return 'inconclusive';
}

/**
 * One-sided p-value that the true ratio lies beyond the band on the bad side
 * (H0: the change is within budget or better; H1: worse by more than
 * `minEffect`), from the estimate's t statistic on the log scale; 1 without
 * an interval. Small values mean a regression; the gate controls the false
 * discovery rate over these with {@link benjaminiHochberg}.
 */
export function worsePValue(e: RatioEstimate, higherIsBetter: boolean, minEffect = DEFAULT_MIN_EFFECT): number {
  if (e.logMean === undefined || e.logSe === undefined || e.df === undefined) return 1;
  const edge = Math.log(1 + minEffect);
  // Distance past the bad edge, in the direction of "worse".
  const past = higherIsBetter ? -edge - e.logMean : e.logMean - edge;
  if (e.logSe === 0) return past > 0 ? 0 : 1;
  return 1 - tCdf(past / e.logSe, e.df);
}

/**
 * Benjamini-Hochberg step-up: which of `pValues` are discoveries at false
 * discovery rate `q`. The largest k with p_(k) <= k q / m, and every p at or
 * below p_(k), are rejected.
 * @returns one boolean per p-value, in input order.
 * @throws RangeError when q is not in (0, 1).
 */
export function benjaminiHochberg(pValues: readonly number[], q: number): boolean[] {
  if (!(q > 0 && q < 1)) throw new RangeError(`benjaminiHochberg: q ${q} is not in (0, 1)`);
  const m = pValues.length;
  const order = pValues.map((p, i) => [p, i] as const).sort((a, b) => a[0] - b[0]);
  let cut = -1;
  order.forEach(([p], k) => {
    if (p <= ((k + 1) * q) / m) cut = k;
  });
  const out = new Array<boolean>(m).fill(false);
  for (let k = 0; k <= cut; k++) out[order[k][1]] = true;
  return out;
}

/** How ratios are decided: the CI's level and the minimum effect (fractions). */
export interface DecisionOptions {
  /** Two-sided confidence level, 0 < confidence < 1 (0.95). */
  confidence: number;
  /** Half-width of the "same" band as a fraction (0.05 = ±5%). */
  minEffect: number;
}
