/** A job's runs from the options: the measuring settings every run shares (ms), for `npm run bench` and the sim sweep that ends it. */
import type { PlanOf } from '../analysis/warnings-before.js';
import type { JobSpec } from '../run/job.js';
import type { BenchOptions } from './bench-options.js';

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
