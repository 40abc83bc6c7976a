/**
 * Ratios in words, shared by `npm run compare`, `--reference` and the gate:
 * hyperfine's "1.16 ± 0.05 times" style, the CI, and the three-way verdict of
 * src/stats/decision.ts (a win, "same", or "inconclusive"; never noise called a win).
 */
import { type Decision, decide } from '../stats/decision.js';
import type { RatioEstimate } from '../stats/ratio-interval.js';

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

/** `±5%`: the band of the decision rule in words. */
export function bandWords(minEffect: number): string {
  return `±${Math.round(minEffect * 1000) / 10}%`;
}

/**
 * The verdict in words for `metric` under the rule of src/stats/decision.ts:
 * "faster", "slower", "same (within ±5%)", "inconclusive (the CI crosses the
 * ±5% band; more repeats would tell)", "no CI (1 repeat on a side)".
 */
export function verdictWords(e: RatioEstimate, metric: Metric, minEffect: number): string {
  return decisionWords(decide(e, metric.higherIsBetter, minEffect), e, metric, minEffect);
}

/** {@link verdictWords} for a decision already made. */
export function decisionWords(d: Decision, e: RatioEstimate, metric: Metric, minEffect: number): string {
  if (d === 'better') return metric.better;
  if (d === 'worse') return metric.worse;
  if (d === 'same') return `same (within ${bandWords(minEffect)})`;
  if (d === 'inconclusive') return `inconclusive (the CI crosses the ${bandWords(minEffect)} band; more repeats would tell)`;
  if (!(e.baselineMean > 0)) return 'no CI (baseline is 0: not measured)';
  if (!(e.otherMean > 0)) return 'no CI (the other side is 0: not measured)';
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

/** Verdict words in markdown bold when the verdict is a win or a loss, plain otherwise. */
export function emphasizeVerdict(e: RatioEstimate, words: string, higherIsBetter: boolean, minEffect: number): string {
  const v = decide(e, higherIsBetter, minEffect);
  return v === 'better' || v === 'worse' ? `**${words}**` : words;
}

/** `paired, 3 repeats` / `Welch, 3 and 4 repeats`: how the CI was built, for sentences. */
export function intervalKind(e: RatioEstimate): string {
  return e.paired ? `paired over ${e.baselineN} repeats` : `Welch, ${e.baselineN} and ${e.otherN} repeats`;
}

/**
 * One hyperfine-style sentence (`failures`, from --reference: the failure
 * rates in words and the maps/s verdict they allow):
 * `per-cpu-areas: 1.16 ± 0.05 times the maps/s of global-lock (95% CI 1.11–1.21): faster;
 * map p99 latency 0.90 ± 0.04 times (95% CI ...): lower p99 (better).`
 */
export function ratioSentence(other: string, baseline: string, maps: RatioEstimate, p99: RatioEstimate, confidence: number, minEffect: number, failures?: { words: string; mapsVerdict: string }): string {
  const stats = (e: RatioEstimate, extra = '') => [formatCi(e, confidence), extra].filter((s) => s !== '').join(', ');
  return `${other}: ${formatRatio(maps)} times the maps/s of ${baseline} (${stats(maps, failures?.words)}): ${failures?.mapsVerdict ?? verdictWords(maps, MAPS_PER_S, minEffect)}; ` +
    `map p99 latency ${formatRatio(p99)} times (${stats(p99)}): ${verdictWords(p99, MAP_P99, minEffect)}.`;
}
