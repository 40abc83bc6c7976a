/**
 * The main job of `npm run bench`: read every input (bench-inputs.ts), warn,
 * run every strategy x workload x threads x repeat (src/run/job.ts), then
 * write the results (bench-outputs.ts) into a result directory that only
 * appears once complete. With `--shard i/n`, only the shard's (workload,
 * threads) groups run (shard.ts) and shard.json joins the results
 * (shard-record.ts), for `npm run merge`.
 */
import { join } from 'node:path';
import { resolveReference } from '../analysis/reference.js';
import { type PlanOf, inflightWarnings, machineWarnings, planChangeWarnings, poolFitWarnings, poolSizeWarnings } from '../analysis/warnings-before.js';
import { machineFacts } from '../export/machine.js';
import { ResultDir, prepareResultsRoot } from '../export/result-dir.js';
import type { Strategy } from '../model/strategy.js';
import type { RunOutcome } from '../run/run-one.js';
import { jobSize, runJob } from '../run/job.js';
import { createProgress, wantsProgressBar } from '../run/progress.js';
import type { Schedule } from '../../workloads/schedule/build.js';
import type { BenchOptions } from './bench-options.js';
import { loadStrategies, resultLabel } from './bench-inputs.js';
import { type FinishedJob, scheduleFacts, writeResults } from './bench-outputs.js';
import { prepareJob } from './job-spec.js';
import { engineWarnings, simLine } from './sim-settings.js';
import { shardLine, withResolvedShard } from './shard.js';
import { writeShardRecord } from './shard-record.js';
import { runSimSweep } from './sim-sweep.js';


/** A verify-mode run found corrupted bytes, overlapping slots, or slots never returned. */
export class VerifyFailedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'VerifyFailedError';
  }
}

/** Where a finished job's results went, and what it measured. */
export interface BenchResult {
  dir: string;
  outcomes: RunOutcome[];
}

/**
 * Run the whole job (with `--shard`, the shard's part of it, and shard.json).
 * @throws InputError (bad names, files, values, an unresolvable `--shard auto/n`: nothing written), RunError (a worker
 *   failed or hung: the staging directory keeps ERROR.txt), VerifyFailedError.
 */
export async function runBench(given: BenchOptions, command: string, log: (line: string) => void = console.log): Promise<BenchResult> {
  const opts = withResolvedShard(given);
  const stale = await prepareResultsRoot(opts.out);
  const strategies = await loadStrategies(opts);
  const reference = resolveReference(opts.reference, opts.strategy, strategies.map((s) => s.strategy.name));
  const machine = machineFacts();
  const { job, planOf, schedules, inputWarnings } = await prepareJob(opts, strategies, machine.cores);
  const sim = job.sim;
  const warnings = preRunWarnings(opts, strategies.map((s) => s.strategy), schedules, planOf, inputWarnings, sim ? undefined : machine.cores);
  log(`swiotlb-bench: ${machine.cores} cores (${machine.cpuModel}), Node ${machine.node}`);
  if (stale > 0) log(`removed ${stale} staging director${stale === 1 ? 'y' : 'ies'} older than a day (interrupted runs) from ${opts.out}`);
  if (sim) log(simLine(sim));
  if (opts.shard) log(shardLine(opts.shard, opts.workload, opts.threads));
  for (const w of warnings) log(`warning: ${w}`);
  const dir = await ResultDir.create(opts.out, resultLabel(opts));
  const progress = createProgress({ bar: wantsProgressBar(process.stdout.isTTY, process.env, opts.progress), log });
  progress.start(jobSize(job), opts.warmup + opts.duration);
  try {
    const { path, value: { outcomes, words } } = await dir.publish(async () => {
      const outcomes = await runJob(job, progress);
      progress.stop();
      const sweep = await sweepOrWarn(opts, strategies, warnings, log);
      const engineNotes = sim ? [simLine(sim)] : sweep.notes;
      const finished: FinishedJob = { command, opts, machine, warnings, strategies: strategies.map((s) => s.strategy), schedules: scheduleFacts(schedules), outcomes, predicted: sweep.outcomes, engineNotes, reference };
      const words = await writeResults(dir, finished, log);
      if (opts.shard) await writeShardRecord(dir, finished);
      checkVerify(outcomes);
      return { outcomes, words };
    });
    log('');
    for (const line of words) log(line);
    log(`results: ${path} (and ${join(opts.out, 'latest')})`);
    return { dir: path, outcomes };
  } finally {
    progress.stop(); // idempotent: leaves the terminal clean when a run fails
  }
}

/**
 * What is said before the runs: the machine (`cores`, absent for a sim job),
 * the engine, the inputs, the plans, and how the schedules fit the pools.
 */
/** The device counts of the job's workloads, each once (1 for all but several-device workloads). */
function deviceCounts(schedules: readonly Schedule[]): number[] {
  return [...new Set(schedules.map((s) => s.devices))].sort((a, b) => a - b);
}

function preRunWarnings(opts: BenchOptions, all: Strategy[], schedules: readonly Schedule[], planOf: PlanOf, inputWarnings: readonly string[], cores: number | undefined): string[] {
  return [
    ...(cores === undefined ? [] : machineWarnings(cores, Math.max(...opts.threads), opts.lock)), ...engineWarnings(opts), ...inputWarnings, ...planChangeWarnings(all, opts.threads, planOf, deviceCounts(schedules)),
    ...poolSizeWarnings(all, opts.threads, planOf, opts.pool !== undefined, deviceCounts(schedules)), ...inflightWarnings(all, schedules, planOf),
    ...poolFitWarnings(all, schedules, planOf, opts.segment),
  ];
}

/**
 * The sim sweep after a real job; when it cannot run (a plan refused at a
 * CPU count, a schedule too big), the measured results are kept and a
 * warning says why.
 */
async function sweepOrWarn(opts: BenchOptions, strategies: Parameters<typeof runSimSweep>[1], warnings: string[], log: (line: string) => void): Promise<Awaited<ReturnType<typeof runSimSweep>>> {
  try {
    return await runSimSweep(opts, strategies, log);
  } catch (err) {
    const w = `the sim sweep (--sim-sweep ${opts.simSweep.join(',')}) did not run: ${(err as Error).message}; the measured results are complete; choose other CPU counts or --sim-sweep off`;
    log(`warning: ${w}`);
    warnings.push(w);
    return { outcomes: [], notes: [] };
  }
}

/** @throws VerifyFailedError when a run left slots in use or verify mode found corruption or overlaps. */
function checkVerify(outcomes: RunOutcome[]): void {
  const bad = outcomes.filter((o) => o.row.io_tlb_used_after !== 0 || (o.verify && (o.verify.corruptedBytes > 0 || o.verify.overlaps > 0)));
  if (bad.length === 0) return;
  const r = bad[0];
  throw new VerifyFailedError(`${bad.length} run(s) broke an invariant; first: ${r.row.strategy} ${r.row.workload} threads=${r.row.threads}: ` +
    `io_tlb_used after drain ${r.row.io_tlb_used_after}, corrupted bytes ${r.verify?.corruptedBytes ?? 'n/a'}, overlaps ${r.verify?.overlaps ?? 'n/a'}`);
}
