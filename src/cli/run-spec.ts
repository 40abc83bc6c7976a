/** One run's inputs as `npm run bench` would make them, for the commands that run single cells (calibrate, bench:sim). */
import type { RunSpec } from '../run/run-one.js';
import { parseBenchArgs } from './bench-args.js';
import { buildSchedules, loadStrategies, planAll } from './bench-inputs.js';

/**
 * The run of `strategy` on `workload` at `threads` CPUs with the bench's
 * defaults and `extra` options (1.5 s measured after 0.3 s of warm-up on the real engine).
 * @throws InputError for a bad name or option.
 */
export async function runSpec(strategy: string, workload: string, threads: number, extra: string[] = []): Promise<RunSpec> {
  const opts = parseBenchArgs(['--strategy', strategy, '--workload', workload, '--threads', String(threads), ...extra]);
  const strategies = await loadStrategies(opts);
  const loaded = strategies[0];
  const { schedules } = await buildSchedules(opts);
  const plan = planAll(strategies, opts)(loaded.strategy, threads, schedules[0].devices);
  return {
    strategy: loaded.strategy, strategyRef: loaded.ref, plan, schedule: schedules[0], threads, repeat: 0,
    durationMs: 1500, warmupMs: 300, sampleEvery: opts.sampleEvery, sampleIntervalMs: opts.sampleInterval, verify: false, barrierTimeoutMs: 30_000,
  };
}
