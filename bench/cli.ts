/**
 * `npm run bench` entry point. Exit codes: 0 success, 1 a run failed or an
 * invariant broke, 2 bad input (options, names, trace files).
 */
import { CommanderError } from 'commander';
import { InputError } from '../src/errors.js';
import { STRATEGIES } from '../strategies/index.js';
import { WORKLOADS } from '../workloads/index.js';
import { runBench } from './bench-main.js';
import { parseBenchOptions } from './options.js';

async function main(argv: string[]): Promise<number> {
  let opts;
  try {
    opts = parseBenchOptions(argv);
  } catch (err) {
    if (err instanceof CommanderError) return err.code === 'commander.helpDisplayed' || err.code === 'commander.version' ? 0 : 2;
    throw err;
  }
  if (opts.list) {
    printList();
    return 0;
  }
  try {
    await runBench(opts, ['npm run bench --', ...argv].join(' '));
    return 0;
  } catch (err) {
    const e = err as Error;
    console.error(`error: ${e.message}`);
    return e instanceof InputError ? 2 : 1;
  }
}

function printList(): void {
  const width = Math.max(...[...STRATEGIES.keys(), ...WORKLOADS.keys()].map((n) => n.length)) + 2;
  console.log('strategies (--strategy NAME, or a plug-in file ./path/to/file.ts):');
  for (const s of STRATEGIES.values()) console.log(`  ${s.name.padEnd(width)}${s.description}`);
  console.log('workloads (--workload NAME, or trace:PATH for an MSR CSV or MQSim ASCII file):');
  for (const w of WORKLOADS.values()) console.log(`  ${w.name.padEnd(width)}${w.description}`);
}

process.exitCode = await main(process.argv.slice(2));
