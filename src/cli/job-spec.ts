/** A job's runs from the options: the measuring settings every run shares (ms), for `npm run bench`, the sim sweep that ends it, and bench-serve. */
import type { PlanOf } from '../analysis/warnings-before.js';
import type { JobSpec, LoadedStrategy } from '../run/job.js';
import type { Schedule } from '../../workloads/schedule/build.js';
import { buildSchedules, planAll } from './bench-inputs.js';
import type { BenchOptions } from './bench-options.js';
import { checkSimOptions, simSettings } from './sim-settings.js';

/** The job's runs: strategies, schedules in order, and the measuring settings of every run (ms). */
export function jobSpec(opts: BenchOptions, strategies: JobSpec['strategies'], schedules: JobSpec['schedules'], planOf: PlanOf, sim: JobSpec['sim']): JobSpec {
  return {
    strategies, schedules, planOf, repeats: opts.repeat, sim,
    run: {
      durationMs: opts.duration * 1000, warmupMs: opts.warmup * 1000, sampleEvery: opts.sampleEvery,
      sampleIntervalMs: opts.sampleInterval, verify: opts.verify, barrierTimeoutMs: opts.barrierTimeout * 1000,
    },
  };
}

/** A job ready to run, and what its inputs said on the way. */
export interface PreparedJob {
  job: JobSpec;
  planOf: PlanOf;
  schedules: Schedule[];
  /** Warnings from reading the workloads. */
  inputWarnings: string[];
}

/**
 * The job of `opts` for loaded `strategies` on a machine of `cores`: the
 * engine checked, each strategy's plans, every schedule.
 * @throws InputError, UnknownNameError, ParseError (file, line, field), as buildSchedules and the plans do.
 */
export async function prepareJob(opts: BenchOptions, strategies: readonly LoadedStrategy[], cores: number): Promise<PreparedJob> {
  checkSimOptions(opts);
  const sim = simSettings(opts);
  const planOf = planAll(strategies, opts, cores);
  const { schedules, warnings: inputWarnings } = await buildSchedules(opts);
  // A workload of several devices gets its plans here, so a plan refused for it is bad input before any run.
  for (const s of schedules) for (const { strategy } of strategies) planOf(strategy, s.threads, s.devices);
  return { job: jobSpec(opts, strategies, schedules, planOf, sim), planOf, schedules, inputWarnings };
}
