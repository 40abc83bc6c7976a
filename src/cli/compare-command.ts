/**
 * `npm run compare -- BASELINE OTHER [OTHER...]`: compare result directories
 * (or summary.json files) of separate runs. Writes compare.md, compare.csv
 * and compare.png into --out and prints the markdown. Exit codes: 0 success,
 * 1 an unexpected failure, 2 bad input (options, a missing or malformed run,
 * nothing in common); on bad input nothing is written.
 */
import { join } from 'node:path';
import { InputError, reportErrorAndExitCode } from '../base/errors.js';
import { compareCsvRows, compareMarkdown } from '../analysis/compare-output.js';
import { compareRuns } from '../analysis/compare-runs.js';
import { csvText } from '../export/csv.js';
import { loadRun, uniqueLabels } from '../export/read-summary.js';
import { timestamp, writeFiles } from '../export/result-dir.js';
import { compareFigure } from '../report/compare-figure.js';
import { renderFigure } from '../report/render-png.js';
import { BENCH_OPTIONS } from './bench-options.js';
import { COMPARE_OPTIONS } from './compare-options.js';
import { commandFor, notCompared, parseOrExitCode, valuesOf } from './option-spec.js';

/** The command definition (exported for --help tests and docs/options.md). */
export function compareCommand() {
  return commandFor(
    'npm run compare --',
    'Compare runs of npm run bench: maps/s and map p99 latency of each run against the first (the baseline), with confidence intervals over the repeats and a three-way verdict (faster/slower, same, inconclusive) against a minimum effect.',
    COMPARE_OPTIONS,
    'Exit codes: 0 success; 1 an unexpected failure; 2 bad input (an option, a missing or malformed run, nothing in common). On bad input nothing is written.',
  ).argument('<runs...>', 'result directories or summary.json files; the first is the baseline (at least two)');
}

/** Run `npm run compare` with `argv`; returns the exit code. Never throws. */
export async function compareMain(argv: string[]): Promise<number> {
  const cmd = compareCommand();
  const early = parseOrExitCode(cmd, argv);
  if (early !== undefined) return early;
  const o = valuesOf(cmd, COMPARE_OPTIONS);
  const args = cmd.args;
  try {
    if (args.length < 2) throw new InputError('compare needs at least two runs: the baseline first, then the runs to compare with it');
    if (o.label && (o.label.length !== args.length || o.label.some((l) => l === ''))) {
      throw new InputError(`--label: expected ${args.length} non-empty names (one per run, comma-separated), got '${o.label.join(',')}'`);
    }
    const loaded = [];
    for (const [i, arg] of args.entries()) loaded.push(await loadRun(arg, o.label?.[i]));
    const unique = uniqueLabels(loaded.map((r) => r.label));
    const runs = loaded.map((r, i) => ({ ...r, label: unique[i] }));
    const result = compareRuns(runs, { confidence: o.confidence, minEffect: o.minEffect / 100, ignoreConfig: notCompared(BENCH_OPTIONS) });
    const markdown = compareMarkdown(result);
    const out = o.out ?? join('results', `compare-${timestamp()}`);
    await writeFiles(out, [['compare.md', markdown], ['compare.csv', csvText(compareCsvRows(result))], ['compare.png', renderFigure(compareFigure(result))]]);
    process.stdout.write(markdown);
    process.stdout.write(`\ncomparison: ${out}/compare.md, compare.csv, compare.png\n`);
    return 0;
  } catch (err) {
    return reportErrorAndExitCode(err);
  }
}
