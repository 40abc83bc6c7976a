/** Every option of `npm run compare`, declared once (option-spec.ts). */
import { DEFAULT_CONFIDENCE, DEFAULT_RESAMPLES, DEFAULT_SEED } from '../stats/bootstrap.js';
import { type OptionValues, option, parse } from './option-spec.js';

/** Every option of `npm run compare`, in --help order. */
export const COMPARE_OPTIONS = {
  /** Where compare.md, compare.csv and compare.png go. @default results/compare-<timestamp> */
  out: option<string>({ arg: '<dir>', help: 'directory for compare.md, compare.csv and compare.png', defaultText: 'results/compare-<timestamp>' }),
  /** Labels of the runs, in argument order. @default each result directory's name */
  label: option<string[]>({ arg: '<names>', help: 'labels of the runs, comma list in argument order', defaultText: "each result directory's name", parse: (v) => v.split(',').map((s) => s.trim()) }),
  /** Two-sided confidence level of the intervals. @default 0.95 */
  confidence: option<number>({ arg: '<level>', help: 'two-sided confidence level of the intervals', default: DEFAULT_CONFIDENCE, parse: parse.between(0, 1, '0.95') }),
  /** Bootstrap resamples. @default 10000 */
  resamples: option<number>({ arg: '<n>', help: 'bootstrap resamples (and permutation-test shuffles)', default: DEFAULT_RESAMPLES, parse: parse.int(100, 'a resample count', 1_000_000) }),
  /** Seed of the resampling. @default 1 */
  seed: option<number>({ arg: '<n>', help: 'seed of the resampling (same inputs and seed give the same intervals)', default: DEFAULT_SEED, parse: parse.int(0, 'a seed', 2 ** 32 - 1) }),
};

/** The parsed options of `npm run compare`. */
export type CompareOptionValues = OptionValues<typeof COMPARE_OPTIONS>;
