/**
 * `npm run bench`: parse the options (declared in bench-options.ts), then
 * list or run the job. Exit codes: 0 success, 1 a run failed or an invariant
 * broke, 2 bad input (options, names, trace files).
 */
import { CommanderError } from 'commander';
import { reportErrorAndExitCode } from '../base/errors.js';
import { runBench } from './bench-job.js';
import { parseBenchArgs } from './bench-args.js';
import type { BenchOptions } from './bench-options.js';
import { printList } from './list.js';

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
