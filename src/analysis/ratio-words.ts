/**
 * Ratios in words, shared by `npm run compare` and `--reference`: hyperfine's
 * "1.16 ± 0.05 times" style, the CI, and a verdict that never calls noise a win.
 */
import { type RatioEstimate, verdictOf } from '../stats/bootstrap.js';

/** A metric compared: its row key, its name in sentences, its direction, and the words for its verdicts. */
export interface Metric {
  /** Key in the throughput rows. */
  key: 'maps_per_s' | 'map_p99_ns';
  /** Short name in sentences, e.g. `maps/s`. */
  label: string;
  higherIsBetter: boolean;
  better: string;
  worse: string;
}

/** Throughput: successful maps per second (all workers); higher is better. */
export const MAPS_PER_S: Metric = { key: 'maps_per_s', label: 'maps/s', higherIsBetter: true, better: 'faster', worse: 'slower' };
/** 99th-percentile map latency, ns; lower is better. */
export const MAP_P99: Metric = { key: 'map_p99_ns', label: 'map p99 latency', higherIsBetter: false, better: 'lower p99 (better)', worse: 'higher p99 (worse)' };

/**
 * Why a CI-only verdict is not a win, and what to do, for `repeats` (the
 * smaller side's count): below 6 a side the permutation test cannot reach
 * p < 0.05 (3 against 3 cannot go below 0.1), so more repeats are needed;
 * from 6 up the test simply did not confirm the CI.
 */
export function ciOnlyAdvice(repeats: number): string {
  return repeats < 6 ? 'too few repeats to confirm; use --repeat 6 or more' : 'the permutation test does not confirm it; use a larger --repeat';
}

/**
 * The verdict in words for `metric`: "faster", "within noise", "faster by the
 * CI only (too few repeats to confirm; use --repeat 6 or more)", "no CI (1
 * repeat on a side)"...
 */
export function verdictWords(e: RatioEstimate, metric: Metric): string {
  const v = verdictOf(e, metric.higherIsBetter);
  if (v === 'better') return metric.better;
  if (v === 'worse') return metric.worse;
  if (v === 'within-noise') return 'within noise';
  if (v === 'likely-better' || v === 'likely-worse') {
    const words = v === 'likely-better' ? metric.better : metric.worse;
    // The p-value is in the sentence's statistics already (ratioSentence, compare.md's p column).
    return `${words} by the CI only (${ciOnlyAdvice(Math.min(e.baselineN, e.otherN))})`;
  }
  if (!(e.baselineMean > 0)) return 'no CI (baseline is 0: not measured)';
  const n = Math.min(e.baselineN, e.otherN);
  return n < 2 ? `no CI (${n} repeat on a side)` : 'no CI';
}

/**
 * `1.16 ± 0.05` (± half the CI's width) when the CI is about symmetric around
 * the ratio, `0.89 +8.93/−0.52` when it is not (bootstrap CIs of ratios often
 * are not), `1.16` without a CI, `n/a` when the ratio is undefined.
 */
export function formatRatio(e: RatioEstimate): string {
  if (!Number.isFinite(e.ratio)) return 'n/a';
  if (e.low === undefined || e.high === undefined) return e.ratio.toFixed(2);
  const up = Math.max(0, e.high - e.ratio);
  const down = Math.max(0, e.ratio - e.low);
  if (up.toFixed(2) === down.toFixed(2) || Math.abs(up - down) <= 0.25 * Math.max(up, down)) return `${e.ratio.toFixed(2)} ± ${((e.high - e.low) / 2).toFixed(2)}`;
  return `${e.ratio.toFixed(2)} +${up.toFixed(2)}/−${down.toFixed(2)}`;
}

/** `95% CI 1.11–1.21`, or `no CI`. */
export function formatCi(e: RatioEstimate, confidence: number): string {
  if (e.low === undefined || e.high === undefined) return 'no CI';
  return `${Math.round(confidence * 1000) / 10}% CI ${e.low.toFixed(2)}–${e.high.toFixed(2)}`;
}

/** The CI's bounds alone for a table cell (`1.11–1.21`), or `no CI`. */
export function ciBounds(e: RatioEstimate, confidence: number): string {
  return formatCi(e, confidence).replace(/^\S+ CI /, '');
}

/** Verdict words in markdown bold when the verdict is a confirmed win or loss, plain otherwise. */
export function emphasizeVerdict(e: RatioEstimate, words: string, higherIsBetter: boolean): string {
  const v = verdictOf(e, higherIsBetter);
  return v === 'better' || v === 'worse' ? `**${words}**` : words;
}

/** `p=0.10` (permutation test), or an empty string without one. */
export function formatP(e: RatioEstimate): string {
  return e.pValue === undefined ? '' : `p=${e.pValue < 0.001 ? '<0.001' : e.pValue.toFixed(3)}`;
}

/**
 * One hyperfine-style sentence (`failures`, from --reference: the failure
 * rates in words and the maps/s verdict they allow):
 * `per-cpu-areas: 1.16 ± 0.05 times the maps/s of global-lock (95% CI 1.11–1.21, p=0.100): faster;
 * map p99 latency 0.90 ± 0.04 times (95% CI ...): lower p99 (better).`
 */
export function ratioSentence(other: string, baseline: string, maps: RatioEstimate, p99: RatioEstimate, confidence: number, failures?: { words: string; mapsVerdict: string }): string {
  const stats = (e: RatioEstimate, extra = '') => [formatCi(e, confidence), formatP(e), extra].filter((s) => s !== '').join(', ');
  return `${other}: ${formatRatio(maps)} times the maps/s of ${baseline} (${stats(maps, failures?.words)}): ${failures?.mapsVerdict ?? verdictWords(maps, MAPS_PER_S)}; ` +
    `map p99 latency ${formatRatio(p99)} times (${stats(p99)}): ${verdictWords(p99, MAP_P99)}.`;
}
