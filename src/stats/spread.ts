/** How much repeats of one measurement disagree (simple-statistics underneath). */
import { max, mean, median, min, sampleStandardDeviation } from 'simple-statistics';

/** Sample coefficient of variation (sd / mean) of `xs`; 0 for fewer than 2 values or a zero mean. */
export function coefficientOfVariation(xs: number[]): number {
  if (xs.length < 2) return 0;
  const m = mean(xs);
  return m === 0 ? 0 : sampleStandardDeviation(xs) / m;
}

/** (max - min) / median of `xs`; 0 for fewer than 2 values or a zero median. */
export function relativeRange(xs: number[]): number {
  if (xs.length < 2) return 0;
  const mid = median(xs);
  return mid > 0 ? (max(xs) - min(xs)) / mid : 0;
}
