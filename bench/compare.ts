/**
 * `npm run compare -- BASELINE OTHER [OTHER...]`: compare result directories
 * (or summary.json files) of separate runs. Writes compare.md, compare.csv
 * and compare.png into --out and prints the markdown. Exit codes: 0 success,
 * 1 an unexpected failure, 2 bad input (options, a missing or malformed run,
 * nothing in common); on bad input nothing is written.
 */
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { renderFigure } from '../src/report/render-png.js';
import { InputError, reportErrorAndExitCode } from '../src/base/errors.js';
import { DEFAULT_CONFIDENCE, DEFAULT_RESAMPLES, DEFAULT_SEED } from '../src/stats/bootstrap.js';
import { csvText } from '../src/export/csv.js';
import { compareCsvRows, compareMarkdown, compareRuns } from '../src/analysis/compare-runs.js';
import { compareFigure } from '../src/report/compare-figure.js';
import { loadRun, uniqueLabels } from '../src/export/read-summary.js';
import { timestamp, writeFileAtomic } from '../src/export/result-dir.js';

function confidence(value: string): number {
  const n = Number(value);
  if (!(n > 0 && n < 1)) throw new InvalidArgumentError('expected a confidence level between 0 and 1, e.g. 0.95');
  return n;
}

function intAtLeast(min: number, what: string) {
  return (value: string) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min) throw new InvalidArgumentError(`expected ${what} (an integer >= ${min})`);
    return n;
  };
}

/** The command definition (exported for --help tests). */
export function compareCommand(): Command {
  return new Command('npm run compare --')
    .description('Compare runs of npm run bench: maps/s and map p99 latency of each run against the first (the baseline), with bootstrap confidence intervals over the repeats.')
    .argument('<runs...>', 'result directories or summary.json files; the first is the baseline (at least two)')
    .addOption(new Option('--out <dir>', 'directory for compare.md, compare.csv and compare.png (default: results/compare-<timestamp>)'))
    .addOption(new Option('--label <names>', 'labels of the runs, comma list in argument order (default: each result directory name)'))
    .addOption(new Option('--confidence <level>', 'two-sided confidence level of the intervals').default(DEFAULT_CONFIDENCE).argParser(confidence))
    .addOption(new Option('--resamples <n>', 'bootstrap resamples').default(DEFAULT_RESAMPLES).argParser(intAtLeast(100, 'a resample count')))
    .addOption(new Option('--seed <n>', 'seed of the resampling (same inputs and seed give the same intervals)').default(DEFAULT_SEED).argParser(intAtLeast(0, 'a seed')))
    .allowExcessArguments(false)
    .showHelpAfterError('(run with --help for every option and its default)')
    .exitOverride();
}

/**
 * Write `files` into `out`. A new directory is filled under a hidden staging
 * name and renamed into place, so it appears complete or not at all; into an
 * existing directory each file is written atomically.
 */
async function writeOutputs(out: string, files: [string, string | Uint8Array][]): Promise<void> {
  const existing = await stat(out).catch(() => undefined);
  if (existing && !existing.isDirectory()) throw new InputError(`--out ${out}: exists and is not a directory`);
  if (existing) {
    for (const [name, content] of files) await writeFileAtomic(join(out, name), content);
    return;
  }
  const staging = join(dirname(out), `.${basename(out)}.${process.pid}.partial`);
  await mkdir(staging, { recursive: true });
  try {
    for (const [name, content] of files) await writeFileAtomic(join(staging, name), content);
    await rename(staging, out);
  } catch (err) {
    await rm(staging, { recursive: true, force: true });
    throw err;
  }
}

async function main(argv: string[]): Promise<number> {
  const cmd = compareCommand();
  try {
    cmd.parse(argv, { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) return err.code === 'commander.helpDisplayed' || err.code === 'commander.version' ? 0 : 2;
    throw err;
  }
  const o = cmd.opts();
  const args = cmd.args;
  try {
    if (args.length < 2) throw new InputError('compare needs at least two runs: the baseline first, then the runs to compare with it');
    const labels: string[] | undefined = o.label === undefined ? undefined : String(o.label).split(',').map((s) => s.trim());
    if (labels && (labels.length !== args.length || labels.some((l) => l === ''))) {
      throw new InputError(`--label: expected ${args.length} non-empty names (one per run, comma-separated), got '${o.label}'`);
    }
    const loaded = [];
    for (const [i, arg] of args.entries()) loaded.push(await loadRun(arg, labels?.[i]));
    const unique = uniqueLabels(loaded.map((r) => r.label));
    const runs = loaded.map((r, i) => ({ ...r, label: unique[i] }));
    const result = compareRuns(runs, { confidence: o.confidence, resamples: o.resamples, seed: o.seed });
    const markdown = compareMarkdown(result);
    const csv = csvText(compareCsvRows(result));
    const png = renderFigure(compareFigure(result));
    const out: string = o.out ?? join('results', `compare-${timestamp()}`);
    await writeOutputs(out, [['compare.md', markdown], ['compare.csv', csv], ['compare.png', png]]);
    process.stdout.write(markdown);
    process.stdout.write(`\ncomparison: ${out}/compare.md, compare.csv, compare.png\n`);
    return 0;
  } catch (err) {
    return reportErrorAndExitCode(err);
  }
}

process.exitCode = await main(process.argv.slice(2));
