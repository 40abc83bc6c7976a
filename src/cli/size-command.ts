/**
 * `npm run size`: how big the swiotlb pool must be, per workload, strategy
 * and CPU count (src/cli/size-study.ts), against the confidential-VM 6% rule
 * and dynamic growth. Writes sizing.csv, sizing.md, sizing.json, sizing.png,
 * report.html and answers.jsonl (each cell's answer, appended as it is found,
 * so a run that dies leaves them in its staging directory) into a result
 * directory (staged and renamed, like every result) and prints sizing.md. Exit codes: 0 success, 1 an unexpected
 * failure, 2 bad input (nothing written).
 */
import { reportErrorAndExitCode } from '../base/errors.js';
import { csvText } from '../export/csv.js';
import { machineFacts } from '../export/machine.js';
import { ResultDir, prepareResultsRoot } from '../export/result-dir.js';
import { SIZING_COLUMNS, sizingHeader } from '../export/sizing-columns.js';
import { sizingMarkdown, sizingWords } from '../export/sizing-md.js';
import { sizingRows } from '../export/sizing-rows.js';
import { reportHtml } from '../report/html.js';
import { renderFigure } from '../report/render-png.js';
import { sizingFigure } from '../report/sizing-figure.js';
import { defaultCalibrationFile, loadCalibration } from '../run/sim/calibration.js';
import type { SizingAnswer } from '../export/sizing-answer.js';
import { commandFor, configOf, parseOrExitCode, typedOptions, valuesOf } from './option-spec.js';
import { SIZE_OPTIONS, type SizeOptions } from './size-options.js';
import { runSizing } from './size-study.js';
import { shownPath } from '../base/paths.js';

/** The command definition (exported for --help tests and docs/sizing.md). */
export function sizeCommand() {
  return commandFor(
    'npm run size --',
    "How big must the swiotlb pool be? For each workload, strategy and CPU count: the smallest static pool (after the kernel's rounding) with no \"swiotlb buffer is full\" failure, found by bisection on deterministic virtual-time replays, beside the peak io_tlb_used, the confidential-VM 6% rule, and dynamic growth from the default boot pool.",
    SIZE_OPTIONS,
    'Writes sizing.csv, sizing.md, sizing.json, sizing.png, report.html and answers.jsonl (docs/sizing.md). Exit codes: 0 success; 1 an unexpected failure; 2 bad input (nothing written).',
  );
}

/** Notes for sizing.md: what was not monotone, not found, or failed on real threads. */
function notesOf(answers: readonly SizingAnswer[], o: SizeOptions): string[] {
  const notes: string[] = [];
  for (const a of answers) {
    if (a.nonMonotone.length) notes.push(`${a.workload}, ${a.strategy}, ${a.cpus} CPUs: failures were not monotone in the pool size for seeds ${a.nonMonotone.join(',')} (a larger pool failed where a smaller one passed); the answer is the smallest passing pool`);
    if (a.real && a.real.failures > 0) notes.push(`${a.workload}, ${a.strategy}, ${a.cpus} CPUs: real threads at the sim-found pool had ${a.real.failures} failures in ${a.real.attempts} map attempts (the real interleaving differs from the calibrated one)`);
  }
  const oneFailure = answers.filter((a) => a.kind === 'static' && a.at && a.at.attempts * o.maxFailureRate < 1);
  if (oneFailure.length) notes.push(`${oneFailure.length} static answers replay fewer than ${Math.ceil(1 / o.maxFailureRate)} map attempts, where a rate of ${o.maxFailureRate} allows no failure: their two answers are the same (--passes makes the replay longer)`);
  if (o.checkDuration > 0) notes.push(`real threads checked the static answers at CPU counts up to this machine's cores, ${o.checkDuration} s each from an empty pool`);
  return notes;
}

/** Run `npm run size` with `argv`; returns the exit code. Never throws. */
export async function sizeMain(argv: string[], log: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): Promise<number> {
  const cmd = sizeCommand();
  const early = parseOrExitCode(cmd, argv);
  if (early !== undefined) return early;
  const o = valuesOf(cmd, SIZE_OPTIONS);
  const command = ['npm run size --', ...argv].join(' ');
  try {
    await prepareResultsRoot(o.out);
    const calibrationFile = o.calibration ?? defaultCalibrationFile();
    const m = loadCalibration(calibrationFile).machine;
    const t0 = performance.now();
    // Created at the first answer (the options are checked by then), and each answer kept as it comes:
    // a run that dies leaves the cells it found in the staging directory.
    let staged: Promise<ResultDir> | undefined;
    const onAnswer = async (a: SizingAnswer) => (await (staged ??= ResultDir.create(o.out, o.label))).append('answers.jsonl', `${JSON.stringify(a)}\n`);
    let answers: SizingAnswer[];
    try {
      answers = await runSizing(o, { log, onAnswer });
    } catch (err) {
      if (staged) await (await staged).fail(err as Error);
      throw err;
    }
    const facts = { command, calibration: `${shownPath(calibrationFile)}, measured on ${m.cpu_model}, ${m.cores} cores`, passes: o.passes, maxFailureRate: o.maxFailureRate, vmGiB: o.vmMemory, notes: notesOf(answers, o) };
    const markdown = sizingMarkdown(answers, facts);
    const figure = sizingFigure(answers, o.vmMemory);
    const rows = sizingRows(answers, o.vmMemory);
    const json = { command, config: configOf(SIZE_OPTIONS, o), machine: machineFacts(), calibration: calibrationFile, columns: SIZING_COLUMNS, rows, seconds: (performance.now() - t0) / 1000 };
    const dir = await (staged ?? ResultDir.create(o.out, o.label));
    const { path } = await dir.publish(async () => {
      await dir.write('sizing.csv', csvText(rows, sizingHeader(o.vmMemory)));
      await dir.write('sizing.md', markdown);
      await dir.write('sizing.json', `${JSON.stringify(json, null, 2)}\n`);
      await dir.write('sizing.png', renderFigure(figure));
      await dir.write('report.html', reportHtml({
        title: 'swiotlb pool sizing', command, options: typedOptions(SIZE_OPTIONS, o), machine: { ...machineFacts() }, warnings: [], notes: facts.notes,
        words: sizingWords(answers, o.vmMemory), summaryMarkdown: markdown, figures: [figure], poolMaps: [],
      }));
    });
    process.stdout.write(markdown);
    process.stdout.write(`\nsizing: ${path}/ (sizing.csv, sizing.md, sizing.json, sizing.png, report.html, answers.jsonl) in ${((performance.now() - t0) / 1000).toFixed(0)} s\n`);
    return 0;
  } catch (err) {
    return reportErrorAndExitCode(err);
  }
}
