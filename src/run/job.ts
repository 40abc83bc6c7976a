/**
 * The job loop: every workload x thread count x repeat x strategy, in that
 * nesting, so strategies alternate inside each repeat and slow drifts of the
 * machine hit them all alike. Each finished run is reported to the progress
 * display as one line.
 */
import type { PoolPlan, Strategy } from '../model/strategy.js';
import type { Schedule } from '../../workloads/schedule/build.js';
import type { Progress } from './progress.js';
import { type RunOutcome, type RunSpec, runOne } from './run-one.js';
import { type SimSettings, simRunOne } from './sim/sim-run.js';

/** A strategy as the job runs it: loaded, and the reference workers load it by. */
export interface LoadedStrategy {
  strategy: Strategy;
  /** A built-in name or a plug-in's absolute path. */
  ref: string;
}

/** The job: strategies, one schedule per (workload, threads) in run order, repeats, and what every run shares. */
export interface JobSpec {
  strategies: readonly LoadedStrategy[];
  schedules: readonly Schedule[];
  /** Each strategy's plan at a thread count. */
  planOf(strategy: Strategy, threads: number, devices?: number): PoolPlan;
  repeats: number;
  run: Omit<RunSpec, 'strategy' | 'strategyRef' | 'plan' | 'schedule' | 'threads' | 'repeat'>;
  /** `--engine sim`: run on the virtual-time engine with these settings (absent: real worker threads). */
  sim?: SimSettings;
}

/** The runs of a job. */
export function jobSize(job: JobSpec): number {
  return job.schedules.length * job.repeats * job.strategies.length;
}

/** The one-line result of run `k` of `total`, as the console and CI logs show it. */
export function runLine(o: RunOutcome, k: number, total: number): string {
  const r = o.row;
  const v = o.verify ? ` verify: ${o.verify.corruptedBytes} corrupted of ${o.verify.checkedBytes} bytes, ${o.verify.overlaps} overlaps` : '';
  return `[${k}/${total}] ${r.strategy} ${r.workload} threads=${r.threads} repeat=${r.repeat}: ${Math.round(r.maps_per_s)} maps/s, ${r.full_failures} full, ` +
    `map p50 ${r.map_p50_ns} ns p99 ${r.map_p99_ns} ns, hiwater ${r.hiwater_slots} slots${v}`;
}

/**
 * Run every run of `job`, one after another.
 * @throws RunError from the first run that fails (later runs are not started).
 */
export async function runJob(job: JobSpec, progress: Progress): Promise<RunOutcome[]> {
  const total = jobSize(job);
  const outcomes: RunOutcome[] = [];
  for (const schedule of job.schedules) {
    for (let repeat = 0; repeat < job.repeats; repeat++) {
      for (const { strategy, ref } of job.strategies) {
        progress.runStarted(`${strategy.name} ${schedule.workload} threads=${schedule.threads} repeat=${repeat}`);
        const plan = job.planOf(strategy, schedule.threads, schedule.devices);
        const spec: RunSpec = { ...job.run, strategy, strategyRef: ref, plan, schedule, threads: schedule.threads, repeat };
        const outcome = job.sim ? simRunOne(spec, job.sim) : await runOne(spec);
        outcomes.push(outcome);
        progress.runFinished(runLine(outcome, outcomes.length, total));
      }
    }
  }
  return outcomes;
}
