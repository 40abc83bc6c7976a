/**
 * `npm run bench` entry point. Exit codes: 0 success, 1 a run failed or an
 * invariant broke, 2 bad input (options, names, trace files).
 */
import { CommanderError } from 'commander';
import { reportErrorAndExitCode } from '../src/base/errors.js';
import { runBench } from '../src/cli/bench-job.js';
import { printList } from '../src/cli/list.js';
import { parseBenchOptions } from '../src/cli/bench-options.js';

async function main(argv: string[]): Promise<number> {
  let opts;
  try {
    opts = parseBenchOptions(argv);
  } catch (err) {
    if (err instanceof CommanderError) return err.code === 'commander.helpDisplayed' || err.code === 'commander.version' ? 0 : 2;
    throw err;
  }
  try {
    if (opts.list) {
      await printList(opts);
      return 0;
    }
    await runBench(opts, ['npm run bench --', ...argv].join(' '));
    return 0;
  } catch (err) {
    return reportErrorAndExitCode(err);
  }
}

process.exitCode = await main(process.argv.slice(2));
