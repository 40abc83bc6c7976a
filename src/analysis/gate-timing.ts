/**
 * The gate's timing verdicts from paired blocks. Each block of a cell runs
 * base (A) and candidate (B) as ABBA or BAAB, so a linear drift of the
 * machine cancels, and gives one paired observation: the mean log maps/s of
 * B's two runs minus A's. Over the blocks, the Hodges-Lehmann estimate of
 * that log-ratio and its exact signed-rank interval (robust to the odd block
 * a preempted run throws off, which a t interval is not) are read with the
 * rule of src/stats/decision.ts against the slowdown budget:
 * REGRESSION when the interval lies wholly beyond it (and the cell survives
 * Benjamini-Hochberg over all timed cells), SAME when wholly inside it,
 * IMPROVEMENT when wholly beyond it on the good side, INCONCLUSIVE otherwise.
 */
import { benjaminiHochberg, decide } from '../stats/decision.js';
import type { RatioEstimate } from '../stats/ratio-interval.js';
import { signedRankInterval, signedRankLowerP } from '../stats/signed-rank.js';

/** One block's runs of one cell: maps/s of each side's two runs, in run order (`order` says which ran when). */
export interface Block {
  order: 'ABBA' | 'BAAB';
  /** maps/s of the base's two runs. */
  base: [number, number];
  /** maps/s of the candidate's two runs. */
  candidate: [number, number];
}

/** The paired observation of a block: mean log(candidate) - mean log(base); NaN when a run measured 0 maps/s. */
export function blockLogRatio(b: Block): number {
  const lg = (xs: readonly number[]) => xs.reduce((s, x) => s + Math.log(x), 0) / xs.length;
  return b.base.every((x) => x > 0) && b.candidate.every((x) => x > 0) ? lg(b.candidate) - lg(b.base) : NaN;
}

/** A timing verdict (Pinpoint's three, plus the good side). */
export type TimingVerdict = 'REGRESSION' | 'SUSPECTED' | 'INCONCLUSIVE' | 'SAME' | 'IMPROVEMENT';

/** Where a cell stands after its blocks. */
export interface TimingState {
  cell: string;
  blocks: Block[];
  /** Candidate / base maps/s with its CI, from the blocks' log-ratios (paired). */
  estimate: RatioEstimate;
  /** One-sided p that the slowdown exceeds the budget (worsePValue). */
  pWorse: number;
  verdict: TimingVerdict;
}

/**
 * The estimate of candidate / base over `blocks` (each block one paired
 * observation): exp of the Hodges-Lehmann estimate of the log-ratios, with
 * the signed-rank interval at `confidence` (none below 6 blocks at 95%, or
 * when a run measured 0 maps/s).
 */
export function blocksEstimate(blocks: readonly Block[], confidence: number): RatioEstimate {
  const d = blocks.map(blockLogRatio);
  const base = { confidence, paired: true, baselineMean: 0, otherMean: 0, baselineN: d.length, otherN: d.length };
  if (d.length === 0 || d.some((x) => !Number.isFinite(x))) return { ...base, ratio: NaN };
  const ci = signedRankInterval(d, confidence);
  return { ...base, ratio: Math.exp(ci.estimate), ...(ci.low === undefined ? {} : { low: Math.exp(ci.low), high: Math.exp(ci.high!) }) };
}

/** One-sided signed-rank p that the blocks' log-ratio lies below -log(1 + budget) (a slowdown beyond the budget); 1 without blocks. */
export function blocksPWorse(blocks: readonly Block[], budget: number): number {
  const d = blocks.map(blockLogRatio);
  return d.length === 0 || d.some((x) => !Number.isFinite(x)) ? 1 : signedRankLowerP(d, -Math.log(1 + budget));
}

/**
 * Verdicts for every cell at once from each cell's estimate: a cell is
 * SUSPECTED (a regression to confirm) when its worse-than-budget p-value is
 * a Benjamini-Hochberg discovery at `q` among all cells and its CI lies
 * wholly beyond the budget; otherwise the decision rule at the estimate's
 * confidence gives SAME, IMPROVEMENT or INCONCLUSIVE.
 * @param budget slowdown budget as a fraction (0.05 = 5%).
 */
export function judgeEstimates<T extends { estimate: RatioEstimate; pWorse: number }>(cells: readonly T[], budget: number, q: number): (T & { verdict: TimingVerdict })[] {
  const discovered = benjaminiHochberg(cells.map((c) => c.pWorse), q);
  return cells.map((c, i) => {
    const d = decide(c.estimate, true, budget);
    const verdict: TimingVerdict = discovered[i] && d === 'worse' ? 'SUSPECTED' : d === 'same' ? 'SAME' : d === 'better' ? 'IMPROVEMENT' : 'INCONCLUSIVE';
    return { ...c, verdict };
  });
}

/** {@link judgeEstimates} over blocks: each cell's estimate from its blocks' paired log-ratios. */
export function judgeCells(cells: ReadonlyMap<string, readonly Block[]>, budget: number, confidence: number, q = 1 - confidence): TimingState[] {
  return judgeEstimates([...cells].map(([cell, blocks]) => ({ cell, blocks: [...blocks], estimate: blocksEstimate(blocks, confidence), pWorse: blocksPWorse(blocks, budget) })), budget, q);
}
