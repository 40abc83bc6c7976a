/** Every option of `npm run merge`, declared once (option-spec.ts builds the parser, --help and docs/options.md from this). */
import { type OptionValues, option, parse } from './option-spec.js';

/** Every option of `npm run merge`, in --help order. */
export const MERGE_OPTIONS = {
  /** Results root of the merged result directory. @default 'results' */
  out: option<string>({ arg: '<dir>', help: 'results root: writes DIR/<timestamp>-<label>/ and DIR/latest, as npm run bench does', default: 'results', parse: parse.text('a directory') }),
  /** Label of the merged result directory. @default the shards' --label, else the workload names */
  label: option<string>({ arg: '<name>', help: 'label of the merged result directory', defaultText: "the shards' --label, else the workload names", parse: parse.text('a label') }),
};

/** The parsed options of `npm run merge`. */
export type MergeOptionValues = OptionValues<typeof MERGE_OPTIONS>;
