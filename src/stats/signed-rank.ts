/**
 * Wilcoxon's signed-rank statistics for paired observations (the gate's
 * block log-ratios): the Hodges-Lehmann estimate of their centre, its exact
 * distribution-free confidence interval, and the one-sided test against a
 * shifted centre (Hollander & Wolfe, Nonparametric Statistical Methods, 3rd
 * ed., sections 3.1-3.2). On a shared runner a block's log-ratio now and then
 * jumps (a preempted run); the mean and its t interval follow such a jump,
 * the signed-rank interval hardly moves.
 *
 * Exact for any n up to 1000: the null distribution of T+ (the sum of the
 * ranks of the positive values) is built by convolution over the ranks, in
 * probabilities so that it never overflows.
 */

/** P(T+ = k) for k = 0..n(n+1)/2 under the null (each sign equally likely). @throws RangeError for n outside 0..1000. */
export function signedRankNull(n: number): Float64Array {
  if (!Number.isInteger(n) || n < 0 || n > 1000) throw new RangeError(`signedRankNull: n ${n} is not an integer from 0 to 1000`);
  const max = (n * (n + 1)) / 2;
  let p = new Float64Array(max + 1);
  p[0] = 1;
  for (let r = 1; r <= n; r++) {
    const next = new Float64Array(max + 1);
    for (let k = 0; k <= max; k++) {
      if (p[k] === 0) continue;
      next[k] += p[k] / 2;
      next[k + r] += p[k] / 2;
    }
    p = next;
  }
  return p;
}

/** The Walsh averages (x_i + x_j) / 2 for i <= j, sorted ascending. */
export function walshAverages(x: readonly number[]): number[] {
  const out: number[] = [];
  for (let i = 0; i < x.length; i++) for (let j = i; j < x.length; j++) out.push((x[i] + x[j]) / 2);
  return out.sort((a, b) => a - b);
}

/** Hodges-Lehmann estimate with its signed-rank confidence interval. */
export interface SignedRankInterval {
  /** Median of the Walsh averages. */
  estimate: number;
  /** Interval bounds; absent when n is too small for the level asked (n < 6 at 95%). */
  low?: number;
  high?: number;
  /** The confidence the interval really has (>= the level asked; the distribution is discrete). */
  achieved?: number;
}

/**
 * Hodges-Lehmann estimate and exact interval of the centre of `x`: the k-th
 * smallest and k-th largest Walsh averages, k the largest with
 * P(T+ < k) <= (1 - confidence) / 2.
 * @throws RangeError for an empty sample or a level outside (0, 1).
 */
export function signedRankInterval(x: readonly number[], confidence: number): SignedRankInterval {
  if (x.length === 0) throw new RangeError('signedRankInterval: no values');
  if (!(confidence > 0 && confidence < 1)) throw new RangeError(`signedRankInterval: confidence ${confidence} is not in (0, 1)`);
  const w = walshAverages(x);
  const m = w.length;
  const estimate = m % 2 === 1 ? w[(m - 1) / 2] : (w[m / 2 - 1] + w[m / 2]) / 2;
  const p = signedRankNull(x.length);
  const half = (1 - confidence) / 2;
  let tail = 0; // P(T+ <= k - 1)
  let k = 0;
  while (k < m && tail + p[k] <= half) tail += p[k++];
  // k Walsh averages may be cut from each end: the interval is [w_(k), w_(m+1-k)] in 1-based terms.
  if (k === 0) return { estimate };
  return { estimate, low: w[k - 1], high: w[m - k], achieved: 1 - 2 * tail };
}

/**
 * One-sided signed-rank p-value that the centre of `x` lies below `shift`
 * (H0: centre >= shift): P(T+ <= t) for the observed T+ of x - shift; values
 * equal to the shift are dropped, as Wilcoxon does. 1 when nothing is left.
 */
export function signedRankLowerP(x: readonly number[], shift: number): number {
  const d = x.map((v) => v - shift).filter((v) => v !== 0);
  if (d.length === 0) return 1;
  const order = d.map((v, i) => [Math.abs(v), i] as const).sort((a, b) => a[0] - b[0]);
  const rank = new Array<number>(d.length);
  // Average ranks for ties of |d|; a half-integer T+ is rounded up (the conservative side of a lower-tail p).
  for (let i = 0; i < order.length;) {
    let j = i;
    while (j + 1 < order.length && order[j + 1][0] === order[i][0]) j++;
    for (let k = i; k <= j; k++) rank[order[k][1]] = (i + j) / 2 + 1;
    i = j + 1;
  }
  const tPlus = Math.ceil(d.reduce((s, v, i) => s + (v > 0 ? rank[i] : 0), 0));
  const p = signedRankNull(d.length);
  let sum = 0;
  for (let k = 0; k <= tPlus; k++) sum += p[k];
  return Math.min(1, sum);
}
