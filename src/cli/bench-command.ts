/**
 * `npm run bench`: parse the options (declared in bench-options.ts), then
 * list or run the job. Exit codes: 0 success, 1 a run failed or an invariant
 * broke, 2 bad input (options, names, trace files).
 */
import { CommanderError } from 'commander';
import { reportErrorAndExitCode } from '../base/errors.js';
import { isStrategyPath } from '../../strategies/index.js';
import { runBench } from './bench-job.js';
import { BENCH_OPTIONS, type BenchOptions } from './bench-options.js';
import { printList } from './list.js';
import { commandFor, valuesOf } from './option-spec.js';

/** Exit codes, as --help and docs/options.md state them. */
export const EXIT_CODES = 'Exit codes: 0 success; 1 a run failed (a worker crashed, timed out or hung) or an invariant broke (--verify found corruption, or io_tlb_used did not return to 0); 2 bad input (an option, a name, or a trace file: the message names file, line and field).';

/** The command definition (exported for --help tests and docs/options.md). */
export function benchCommand() {
  return commandFor('npm run bench --', 'Replay DMA bounce-buffer workloads through swiotlb allocator strategies on worker threads.', BENCH_OPTIONS, EXIT_CODES);
}

/**
 * Parse argv (without node and script).
 * @throws CommanderError for bad options (already printed), --help and --version.
 */
export function parseBenchArgs(argv: string[]): BenchOptions {
  const cmd = benchCommand();
  cmd.parse(argv, { from: 'user' });
  const o = valuesOf(cmd, BENCH_OPTIONS);
  // A plug-in's name is only known once loaded; runBench checks --reference against it (resolveReference).
  if (o.reference !== undefined && !o.strategy.includes(o.reference) && !o.strategy.some(isStrategyPath)) {
    cmd.error(`error: option '--reference <strategy>' argument '${o.reference}' is not one of --strategy (${o.strategy.join(', ')})`, { code: 'swiotlb.reference' });
  }
  return o;
}

/** Run `npm run bench` with `argv`; returns the exit code. Never throws. */
export async function benchMain(argv: string[]): Promise<number> {
  let opts: BenchOptions;
  try {
    opts = parseBenchArgs(argv);
  } catch (err) {
    if (err instanceof CommanderError) return err.code === 'commander.helpDisplayed' || err.code === 'commander.version' ? 0 : 2;
    return reportErrorAndExitCode(err);
  }
  try {
    if (opts.list) await printList(opts);
    else await runBench(opts, ['npm run bench --', ...argv].join(' '));
    return 0;
  } catch (err) {
    return reportErrorAndExitCode(err, opts.debug);
  }
}
