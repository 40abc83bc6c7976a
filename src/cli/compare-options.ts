/** Every option of `npm run compare`, declared once (option-spec.ts). */
import { DEFAULT_MIN_EFFECT } from '../stats/decision.js';
import { DEFAULT_CONFIDENCE } from '../stats/ratio-interval.js';
import { type OptionValues, option, parse } from './option-spec.js';

/** Every option of `npm run compare`, in --help order. */
export const COMPARE_OPTIONS = {
  /** Where compare.md, compare.csv and compare.png go. @default results/compare-<timestamp> */
  out: option<string>({ arg: '<dir>', help: 'directory for compare.md, compare.csv and compare.png', defaultText: 'results/compare-<timestamp>' }),
  /** Labels of the runs, in argument order. @default each result directory's name */
  label: option<string[]>({ arg: '<names>', help: 'labels of the runs, comma list in argument order', defaultText: "each result directory's name", parse: (v) => v.split(',').map((s) => s.trim()) }),
  /** Two-sided confidence level of the intervals. @default 0.95 */
  confidence: option<number>({ arg: '<level>', help: 'two-sided confidence level of the intervals', default: DEFAULT_CONFIDENCE, parse: parse.between(0, 1, '0.95') }),
  /** Minimum effect: the ±band a ratio must clear to be called faster or slower, and lie inside to be called the same, percent. @default 5 */
  minEffect: option<number>({ arg: '<pct>', help: 'minimum effect: faster/slower when the CI clears the ±PCT% band, same when it lies inside it, else inconclusive', default: DEFAULT_MIN_EFFECT * 100, parse: parse.between(0, 100, '5'), unit: '%' }),
};

/** The parsed options of `npm run compare`. */
export type CompareOptionValues = OptionValues<typeof COMPARE_OPTIONS>;
