/** Every option of `npm run proposals`, declared once (option-spec.ts builds the parser, --help and docs/proposals.md's table). */
import { type OptionValues, option, parse } from './option-spec.js';

export const PROPOSALS_OPTIONS = {
  /** Measured seconds of each real run. @default 1 */
  duration: option<number>({ arg: '<seconds>', help: 'measured seconds of each real run (1-2 threads on this machine)', default: 1, parse: parse.seconds(false, 600), unit: 's' }),
  /** Repeats of each real run, alternating strategies; the ratios' CIs pair them. @default 5 */
  repeat: option<number>({ arg: '<n>', help: 'repeats of each real run (paired ratios and their 95% CIs need at least 2)', default: 5, parse: parse.int(1, 'a repeat count', 100) }),
  /** Map attempts per virtual-time run (8 CPUs and up). @default 100000 */
  simMaps: option<number>({ arg: '<n>', help: 'map attempts per virtual-time run (the predictions at 8 CPUs and up, and the pool-size sweep)', default: 100_000, parse: parse.int(1000, 'a map count', 1e9) }),
  /** The page to write. @default 'docs/proposals.md' */
  doc: option<string>({ arg: '<file>', help: 'the page to write (written to a temporary name and renamed)', default: 'docs/proposals.md', parse: parse.text('a file'), compared: false }),
  /** Where its pictures go, relative to the page's folder. @default 'images/proposals' */
  images: option<string>({ arg: '<dir>', help: "the pictures' folder, relative to the page's", default: 'images/proposals', parse: parse.text('a directory'), compared: false }),
};

/** The parsed options of `npm run proposals`. */
export type ProposalsOptions = OptionValues<typeof PROPOSALS_OPTIONS>;
