/** Every option of `npm run gate`, declared once (option-spec.ts builds the parser, --help and docs/options.md). */
import { DEFAULT_MIN_EFFECT } from '../stats/decision.js';
import { DEFAULT_CONFIDENCE } from '../stats/ratio-interval.js';
import { type OptionValues, option, parse } from './option-spec.js';

/** Every option of `npm run gate`, in --help order. */
export const GATE_OPTIONS = {
  /** The commit to compare with, built in a git worktree under .gate/. @default none (one of --base, --baseline) */
  base: option<string>({ arg: '<ref>', help: 'git commit, branch or tag to compare with: built in a worktree under .gate/ (dependencies installed only when its package-lock.json differs), run interleaved with this checkout', parse: parse.text('a git ref') }),
  /** A stored gate.json to compare with instead of building a base. @default none */
  baseline: option<string>({ arg: '<file>', help: "a stored gate.json to compare with instead of --base: timing normalised by each run's lock pair + two 4 KiB copies; weaker than --base (different runs, maybe different runners)", parse: parse.text('a gate.json file') }),
  /** The suite file. @default the built-in suite (docs/ci.md) */
  suite: option<string>({ arg: '<file>', help: 'gate suite JSON: workloads, strategies, thread and CPU counts, block counts, tolerances (docs/ci.md)', defaultText: 'built-in: 4 workloads for the figures, msr-hm0 timed at 1 and 2 threads, every strategy both sides have', parse: parse.text('a suite file') }),
  /** Slowdown budget, percent. @default 5 */
  budget: option<number>({ arg: '<pct>', help: 'slowdown budget: REGRESSION when the CI of candidate/base maps/s lies wholly below 1/(1+PCT%), SAME when wholly inside ±PCT%', default: DEFAULT_MIN_EFFECT * 100, parse: parse.between(0, 100, '5'), unit: '%' }),
  /** Two-sided confidence level. @default 0.95 */
  confidence: option<number>({ arg: '<level>', help: 'two-sided confidence level of the intervals (and 1 - level is the false discovery rate across timed cells)', default: DEFAULT_CONFIDENCE, parse: parse.between(0.5, 1, '0.95') }),
  /** Wall-clock cap, seconds. @default 480 */
  timeCap: option<number>({ arg: '<seconds>', help: 'no optional timing round starts after this many seconds from the start (the minimum blocks and a confirmation always run)', default: 480, parse: parse.seconds(false, 86_400), unit: 's' }),
  /** Seed of the ABBA/BAAB draws. @default 1 */
  seed: option<number>({ arg: '<n>', help: 'seed of the randomised block orders', default: 1, parse: parse.int(0, 'a seed', 2 ** 32 - 1) }),
  /** The sim engine's calibration, the same for both sides. @default calibration/default.json of this checkout */
  calibration: option<string>({ arg: '<file>', help: "cost terms for both sides' sim runs (one calibration, so predicted maps/s compare exactly)", defaultText: 'calibration/default.json of this checkout', parse: parse.text('a calibration file') }),
  /** Results root. @default 'results' */
  out: option<string>({ arg: '<dir>', help: 'results root: writes DIR/<timestamp>-gate/ and DIR/latest', default: 'results', parse: parse.text('a directory') }),
};

/** The parsed options of `npm run gate`. */
export type GateOptions = OptionValues<typeof GATE_OPTIONS>;
