/**
 * The short sweep on the virtual-time engine that ends a real job
 * (`--sim-sweep`, default 1 to 256 CPUs by powers of two): the same
 * workloads and strategies, one run per CPU count (the engine is
 * deterministic), a quarter of `--sim-maps` each. Its rows go to
 * scaling-sim.csv and draw as dashed lines in scaling.png. With `--shard
 * i/n` it runs the shard's (workload, CPUs) groups only, dealt as the
 * job's (workload, threads) groups are (shard.ts; buildSchedules filters).
 */
import type { ThroughputRow } from '../export/columns.js';
import { type JobSpec, runJob } from '../run/job.js';
import { jobSpec } from './job-spec.js';
import type { RunOutcome } from '../run/run-one.js';
import { createProgress } from '../run/progress.js';
import type { BenchOptions } from './bench-options.js';
import { buildSchedules, planAll } from './bench-inputs.js';
import { simSettings, simSource } from './sim-settings.js';
import { shownPath } from '../base/paths.js';

/**
 * Run the sweep after a real job, or nothing (a sim job, or `--sim-sweep off`);
 * with `--shard`, the shard's (workload, CPUs) groups (maybe none).
 * @throws InputError as the bench would for these CPU counts; RunError from the engine.
 */
export async function runSimSweep(opts: BenchOptions, strategies: JobSpec['strategies'], log: (line: string) => void): Promise<{ outcomes: RunOutcome[]; notes: string[] }> {
  if (opts.engine === 'sim' || opts.simSweep.length === 0) return { outcomes: [], notes: [] };
  const sweep: BenchOptions = { ...opts, engine: 'sim', threads: opts.simSweep, repeat: 1, simMaps: Math.max(1000, Math.round(opts.simMaps / 4)) };
  const sim = simSettings(sweep)!;
  const { schedules } = await buildSchedules(sweep);
  // The sweep checks no bytes: its runs are the engine's (--verify belongs to the real job).
  const job = jobSpec({ ...sweep, verify: false }, strategies, schedules, planAll(strategies, sweep), sim);
  const t0 = performance.now();
  const outcomes = await runJob(job, createProgress({ bar: false, log: () => undefined }));
  log(`sim sweep: ${outcomes.length} runs at ${opts.simSweep.join(',')} virtual CPUs in ${((performance.now() - t0) / 1000).toFixed(1)} s (predicted from ${shownPath(sim.calibrationFile)})`);
  const note = `throughput.csv and the solid lines of scaling.png are measured on this machine; scaling-sim.csv and the dashed lines are ${simSource(sim)}`;
  return { outcomes, notes: [note] };
}

/**
 * Where each strategy stops scaling, per workload: the first CPU count at
 * which its predicted maps/s per CPU falls below half of one CPU's, in words.
 */
export function stopScalingWords(rows: readonly ThroughputRow[]): string[] {
  const out: string[] = [];
  for (const workload of [...new Set(rows.map((r) => r.workload))]) {
    for (const strategy of [...new Set(rows.map((r) => r.strategy))]) {
      const series = rows.filter((r) => r.workload === workload && r.strategy === strategy).sort((a, b) => a.threads - b.threads);
      const one = series.find((r) => r.threads === 1);
      if (!one || series.length < 2) continue;
      const stop = series.find((r) => r.maps_per_s / r.threads < one.maps_per_s / 2);
      const top = series[series.length - 1];
      out.push(stop
        ? `${workload}, ${strategy}: predicted to stop scaling at ${stop.threads} CPUs (${Math.round(stop.maps_per_s / stop.threads / 1000)}k maps/s per CPU, under half of one CPU's ${Math.round(one.maps_per_s / 1000)}k); ${Math.round(top.maps_per_s / 1000)}k maps/s at ${top.threads}.`
        : `${workload}, ${strategy}: predicted to keep scaling to ${top.threads} CPUs (${Math.round(top.maps_per_s / top.threads / 1000)}k maps/s per CPU against ${Math.round(one.maps_per_s / 1000)}k for one).`);
    }
  }
  return out;
}
