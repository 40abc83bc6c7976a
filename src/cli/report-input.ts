/** The charts' and HTML report's input, gathered from a finished job. */
import { type ReportInput, sizeHistogram } from '../report/report-input.js';
import type { Schedule } from '../../workloads/schedule/build.js';
import type { BenchOptions } from './bench-options.js';
import type { RunOutcome } from '../run/run-one.js';

/** Collect rows, samples and snapshots of every run, and each workload's mapping sizes (first schedule of each). */
export function reportInputOf(command: string, opts: BenchOptions, outcomes: RunOutcome[], schedules: Iterable<Schedule>, predicted: ReportInput['predicted'] = []): ReportInput {
  const mappingSizes: Record<string, number[]> = {};
  for (const s of schedules) {
    mappingSizes[s.workload] ??= sizeHistogram(new Int32Array(s.size, 0, s.mappings), new Float64Array(s.orig, 0, s.mappings), new Int32Array(s.mask, 0, s.mappings));
  }
  return {
    command,
    repeats: opts.repeat,
    duration: opts.duration,
    rows: outcomes.map((o) => o.row),
    predicted,
    fragmentation: outcomes.flatMap((o) => o.fragmentation),
    runs: outcomes.map((o) => ({
      strategy: o.row.strategy,
      workload: o.row.workload,
      threads: o.row.threads,
      repeat: o.row.repeat,
      failuresBySize: o.failuresBySize,
      areaUsed: o.areaUsed,
      snapshots: o.snapshots,
    })),
    mappingSizes,
  };
}
