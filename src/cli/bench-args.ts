/**
 * `npm run bench`'s argument list: the command built from the declared options
 * (bench-options.ts) and its parse. Apart from bench-command.ts so that what
 * only parses (bench-serve, the sim and size commands) loads no report code.
 */
import { isStrategyPath } from '../../strategies/index.js';
import { BENCH_OPTIONS, type BenchOptions } from './bench-options.js';
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
