/**
 * What `npm run bench` writes once every run finished: the verdicts and
 * post-run warnings (src/analysis), then throughput.csv, fragmentation.csv,
 * summary.json, summary.md (src/export), then the charts and report.html
 * (src/report) into the staging result directory.
 */
import { bounceMemorySection } from '../analysis/bounce-memory.js';
import { referenceMarkdown, referenceRatios, referenceWords } from '../analysis/reference.js';
import { rankStrategies, rankingWords } from '../analysis/ranking.js';
import { hiwaterNotes, postRunWarnings } from '../analysis/warnings-after.js';
import { type ColumnSource, describeColumns, header } from '../export/columns.js';
import { csvText } from '../export/csv.js';
import type { MachineFacts } from '../export/machine.js';
import type { ResultDir } from '../export/result-dir.js';
import { summaryJsonText } from '../export/summary-json.js';
import { summaryMarkdown } from '../export/summary-md.js';
import { sizeHistogram } from '../report/report-input.js';
import { reportFiles } from '../report/write-report.js';
import type { RunOutcome } from '../run/run-one.js';
import { DEFAULT_CONFIDENCE } from '../stats/ratio-interval.js';
import { WORKLOADS } from '../../workloads/index.js';
import type { Schedule } from '../../workloads/schedule/build.js';
import type { WorkloadFacts } from '../../workloads/schedule/facts.js';
import { BENCH_OPTIONS, type BenchOptions } from './bench-options.js';
import { configOf, typedOptions } from './option-spec.js';
import { reportInputOf } from './report-input.js';
import { stopScalingWords } from './sim-sweep.js';

/**
 * What the result files need of one schedule: its workload and thread count,
 * its facts (summary.json `workloads`) and its mappings per trace pass in
 * each size bucket of the report (src/report/report-input.ts SIZE_BUCKETS).
 * Plain data, so a shard can record it (shard.json) for `npm run merge`.
 */
export interface ScheduleFacts {
  workload: string;
  threads: number;
  facts: WorkloadFacts;
  /** Mappings per trace pass in each size bucket (counts). */
  mappingSizes: number[];
}

/** The facts of each schedule, in order. */
export function scheduleFacts(schedules: readonly Schedule[]): ScheduleFacts[] {
  return schedules.map((s) => ({
    workload: s.workload, threads: s.threads, facts: s.facts,
    mappingSizes: sizeHistogram(new Int32Array(s.size, 0, s.mappings), new Float64Array(s.orig, 0, s.mappings), new Int32Array(s.mask, 0, s.mappings)),
  }));
}

/** Each workload's mapping sizes, from its first schedule in run order (as the report shows them). */
function mappingSizesOf(schedules: readonly ScheduleFacts[]): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  for (const s of schedules) out[s.workload] ??= s.mappingSizes;
  return out;
}

/**
 * summary.json's `config`: every option by flag name (option-spec.ts
 * configOf), and `lock: 'auto'` without `--lock` (each run then gets the
 * default for its threads; plans and the lock column say which).
 */
export function summaryConfig(opts: BenchOptions): Record<string, unknown> {
  return { ...configOf(BENCH_OPTIONS, opts), lock: opts.lock ?? 'auto' };
}

/** A finished job, as the result files need it. */
export interface FinishedJob {
  command: string;
  opts: BenchOptions;
  machine: MachineFacts;
  /** Warnings raised before the runs; post-run ones are added. */
  warnings: string[];
  strategies: readonly ColumnSource[];
  /** One per (workload, threads) that ran, in run order. */
  schedules: readonly ScheduleFacts[];
  outcomes: RunOutcome[];
  /** The sim sweep after a real job (`--sim-sweep`), or none. */
  predicted?: RunOutcome[];
  /** Which figures are measured and which predicted, and from which calibration (summary.md, report.html). */
  engineNotes?: string[];
  /** The reference strategy's name (`--reference`), if any. */
  reference?: string;
}

/**
 * Write every result file into `dir` (still staging). Returns the closing
 * sentences for the console. Post-run warnings are logged and kept.
 */
export async function writeResults(dir: ResultDir, job: FinishedJob, log: (line: string) => void): Promise<string[]> {
  const { opts, outcomes } = job;
  const rows = outcomes.map((o) => o.row);
  const fragmentation = outcomes.flatMap((o) => o.fragmentation);
  const rankings = rankStrategies(rows);
  const decision = { confidence: DEFAULT_CONFIDENCE, minEffect: opts.minEffect / 100 };
  const reference = job.reference === undefined ? undefined : referenceRatios(rows, job.reference, decision);
  const post = postRunWarnings(rows, { duration: opts.duration, cores: job.machine.cores });
  for (const w of post) log(`warning: ${w}`);
  const warnings = [...job.warnings, ...post];
  const notes = [...(job.engineNotes ?? []), ...notesOf(outcomes), ...hiwaterNotes(rows)];
  const ranked = rankingWords(rankings, decision);
  const predicted = (job.predicted ?? []).map((o) => o.row);
  const words = [...ranked, ...(reference ? referenceWords(reference) : []), ...stopScalingWords(predicted)];
  const throughputHeader = header('throughput', rows, job.strategies);
  const fragmentationHeader = header('fragmentation', fragmentation, job.strategies);
  await dir.write('throughput.csv', csvText(rows, throughputHeader));
  await dir.write('fragmentation.csv', csvText(fragmentation, fragmentationHeader));
  if (predicted.length) await dir.write('scaling-sim.csv', csvText(predicted, header('throughput', predicted, job.strategies)));
  const config = summaryConfig(opts);
  await dir.write('summary.json', summaryJsonText({
    command: job.command,
    config,
    machine: job.machine,
    warnings,
    plans: plansOf(outcomes),
    workloads: Object.fromEntries(job.schedules.map((s) => [`${s.workload} threads=${s.threads}`, { ...s.facts, params: WORKLOADS.get(s.workload)?.params }])),
    columns: { throughput: describeColumns('throughput', throughputHeader, job.strategies), fragmentation: describeColumns('fragmentation', fragmentationHeader, job.strategies) },
    throughput: rows,
    predicted_scaling: predicted,
    fragmentation,
    runs: outcomes.map((o) => ({
      strategy: o.row.strategy, workload: o.row.workload, threads: o.row.threads, repeat: o.row.repeat,
      map_latency_ns: o.map, unmap_latency_ns: o.unmap, failures_by_size: o.failuresBySize, messages: o.messages, verify: o.verify,
      area_used: o.areaUsed.map((a) => ({ t_ms: a.tMs, ...a.used })),
    })),
    rankings: rankings.map((c) => ({ workload: c.workload, threads: c.threads, ranked: c.ranked.map(({ rows: _rows, ...f }) => f), failing: c.failing.map(({ rows: _rows, ...f }) => f) })),
    reference,
  }));
  const summaryMd = summaryMarkdown({
    command: job.command, machine: job.machine, warnings, notes, groups: rankings.map((r) => ({ ...r, ranked: [...r.ranked, ...r.failing] })), words: ranked,
    sections: [...(reference ? [...referenceMarkdown(reference), ''] : []), ...bounceMemorySection(outcomes)],
    runs: outcomes.map((o) => ({ row: o.row, map: o.map, unmap: o.unmap })),
    messages: outcomes.flatMap((o) => o.messages).slice(0, 10),
  });
  await dir.write('summary.md', summaryMd);
  await writeReport(dir, () => reportFiles({ ...reportInputOf(job.command, opts, outcomes, [], predicted), mappingSizes: mappingSizesOf(job.schedules) }, { command: job.command, options: typedOptions(BENCH_OPTIONS, opts), machine: { ...job.machine }, warnings, notes, words, summaryMarkdown: summaryMd }), log);
  return words;
}

/**
 * Each strategy's plan per thread count, keyed `STRATEGY threads=N`; where
 * workloads of different device counts got different plans at one thread
 * count, each keyed `STRATEGY threads=N workload=W` instead.
 */
function plansOf(outcomes: RunOutcome[]) {
  const base = (o: RunOutcome) => `${o.row.strategy} threads=${o.row.threads}`;
  const differ = new Set<string>();
  const first = new Map<string, string>();
  for (const o of outcomes) {
    const plan = JSON.stringify(o.plan);
    const seen = first.get(base(o));
    if (seen === undefined) first.set(base(o), plan);
    else if (seen !== plan) differ.add(base(o));
  }
  return Object.fromEntries(outcomes.map((o) => [differ.has(base(o)) ? `${base(o)} workload=${o.row.workload}` : base(o), o.plan]));
}

/** The plans' notes (rounding, topology), once each, prefixed `STRATEGY threads=N:`. */
function notesOf(outcomes: RunOutcome[]): string[] {
  return [...new Set(Object.entries(plansOf(outcomes)).flatMap(([k, p]) => [...p.notes, ...(p.changes ?? [])].map((n) => `${k}: ${n}`)))];
}

/**
 * Write the charts and report.html. Drawing them must not cost the measured
 * data: on failure the run is kept with REPORT-ERROR.txt and a warning.
 */
async function writeReport(dir: ResultDir, render: () => Map<string, Uint8Array | string>, log: (line: string) => void): Promise<void> {
  let files: Map<string, Uint8Array | string>;
  const t0 = performance.now();
  try {
    files = render();
  } catch (err) {
    const message = `charts and report.html not written: ${(err as Error).stack ?? String(err)}`;
    log(`warning: ${message.split('\n')[0]} (details in REPORT-ERROR.txt)`);
    await dir.write('REPORT-ERROR.txt', `${message}\n`);
    return;
  }
  for (const [file, content] of files) await dir.write(file, content);
  log(`report: ${[...files.keys()].filter((f) => f.endsWith('.png')).length} charts and report.html drawn in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}
