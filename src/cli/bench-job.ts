/**
 * The main job: every strategy x workload x thread count x repeat, then
 * throughput.csv, fragmentation.csv, summary.json and summary.md in a result
 * directory that only appears once complete.
 */
import type { PoolPlan } from '../model/strategy.js';
import { loadStrategy, strategyRef } from '../../strategies/index.js';
import { WORKLOADS, checkWorkloadName, loadWorkload, workloadDisplayName } from '../../workloads/index.js';
import { parseLatency } from '../../workloads/schedule/latency-model.js';
import { type Schedule, buildSchedule } from '../../workloads/schedule/build.js';
import { dmaMapBenchmarkLines } from '../stats/latency.js';
import { machineFacts, machineWarnings } from '../run/machine.js';
import type { BenchOptions } from './bench-options.js';
import { reportFiles } from '../report/write-report.js';
import { reportInputOf } from './report-input.js';
import { csvText } from '../export/csv.js';
import { ResultDir } from '../export/result-dir.js';
import { type RunOutcome, runOne } from '../run/run-one.js';
import { createProgress, wantsProgressBar } from '../run/progress.js';
import { poolFitWarnings, postRunWarnings } from '../analysis/warnings.js';
import type { FragmentationRow, ThroughputRow } from '../export/rows.js';
import { compareStrategies, summaryMarkdown, summaryWords } from '../analysis/ranking.js';
import { DEFAULT_CONFIDENCE, DEFAULT_RESAMPLES } from '../stats/bootstrap.js';
import { referenceRatios, referenceWords, resolveReference } from '../analysis/reference.js';

/** The NVMe generator's parameters from the options. */
export function generatorParams(opts: BenchOptions) {
  return { bs: opts.bs, rw: opts.rw, rwmixread: opts.rwmixread, iodepth: opts.iodepth, iosPerJob: opts.genIos, seed: opts.seed };
}

/** The NIC model's settings from the options. */
export function netOptions(opts: BenchOptions) {
  return { ring: opts.ring, mtu: opts.mtu, napiBudget: opts.napiBudget, wireGbps: opts.wireGbps };
}

/** The pool options every strategy's plan gets (sizes in slots). */
export function poolOptions(opts: BenchOptions) {
  return { poolSlots: opts.poolSlots, maxPoolSlots: opts.maxPoolSlots, areas: opts.areas, rules: opts.kernelRules, nodes: opts.nodes, cpusPerNode: opts.cpusPerNode };
}

/** A verify-mode run found corrupted bytes, overlapping slots, or slots never returned. */
export class VerifyFailedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'VerifyFailedError';
  }
}

export interface BenchResult {
  dir: string;
  rows: ThroughputRow[];
  outcomes: RunOutcome[];
}

/**
 * Run the whole job.
 * @throws InputError (bad names, files, values), RunError (a worker failed or hung), VerifyFailedError.
 */
export async function runBench(opts: BenchOptions, command: string, log: (line: string) => void = console.log): Promise<BenchResult> {
  const strategies = await Promise.all(opts.strategies.map(async (item) => ({ strategy: await loadStrategy(item), ref: strategyRef(item) })));
  const reference = resolveReference(opts.reference, opts.strategies, strategies.map((s) => s.strategy.name));
  opts.workloads.forEach(checkWorkloadName);
  const latency = parseLatency(opts.latency);
  const machine = machineFacts();
  const machineWarns = machineWarnings(machine, Math.max(...opts.threads));

  // Read every input before creating anything, so bad input fails fast and leaves nothing behind.
  const schedules = new Map<string, Schedule>();
  const inputWarnings: string[] = [];
  for (const workload of opts.workloads) {
    for (const threads of opts.threads) {
      const loaded = await loadWorkload(workload, { threads, latency, generator: generatorParams(opts), format: opts.format, net: netOptions(opts) });
      const schedule = buildSchedule(workloadDisplayName(workload), loaded.requests, { threads, segment: opts.segment, minAlignMask: opts.minAlignMask, latency, completionCpu: opts.completionCpu });
      for (const w of [...loaded.warnings, ...schedule.warnings]) if (!inputWarnings.includes(w)) inputWarnings.push(w);
      schedules.set(`${workload}\u0000${threads}`, schedule);
    }
  }

  const warnings = [...machineWarns, ...inputWarnings, ...poolFitWarnings(strategies.map((s) => s.strategy), schedules.values(), poolOptions(opts), opts.segment)];
  log(`swiotlb-bench: ${machine.cores} cores (${machine.cpuModel}), Node ${machine.node}`);
  for (const w of warnings) log(`warning: ${w}`);
  const total = opts.workloads.length * opts.threads.length * opts.repeat * strategies.length;
  const dir = await ResultDir.create(opts.out, opts.label ?? opts.workloads.map((w) => workloadDisplayName(w).replace(/^trace:/, '')).join('+'));
  const outcomes: RunOutcome[] = [];
  const plans: Record<string, PoolPlan> = {};
  const progress = createProgress({ bar: wantsProgressBar(process.stdout.isTTY, process.env, opts.progress ?? true), log });
  progress.start(total, opts.warmupS + opts.durationS);
  try {
    for (const workload of opts.workloads) {
      for (const threads of opts.threads) {
        const schedule = schedules.get(`${workload}\u0000${threads}`)!;
        for (let repeat = 0; repeat < opts.repeat; repeat++) {
          // Strategies alternate inside each repeat, so slow drifts of the machine hit all alike.
          for (const { strategy, ref } of strategies) {
            progress.runStarted(`${strategy.name} ${schedule.workload} threads=${threads} repeat=${repeat}`);
            const outcome = await runOne({
              strategy, strategyRef: ref, schedule, threads, repeat, pool: poolOptions(opts),
              durationMs: opts.durationS * 1000, warmupMs: opts.warmupS * 1000, sampleEvery: opts.sampleEvery,
              sampleIntervalMs: opts.sampleIntervalMs, verify: opts.verify, barrierTimeoutMs: opts.barrierTimeoutS * 1000,
            });
            outcomes.push(outcome);
            plans[`${strategy.name} threads=${threads}`] = outcome.plan;
            const r = outcome.row;
            const v = outcome.verify ? ` verify: ${outcome.verify.corruptedBytes} corrupted of ${outcome.verify.checkedBytes} bytes, ${outcome.verify.overlaps} overlaps` : '';
            progress.runFinished(`[${outcomes.length}/${total}] ${r.strategy} ${r.workload} threads=${r.threads} repeat=${r.repeat}: ${Math.round(r.maps_per_s)} maps/s, ${r.full_failures} full, map p50 ${r.map_p50_ns} ns p99 ${r.map_p99_ns} ns, hiwater ${r.hiwater_slots} slots${v}`);
          }
        }
      }
    }
    progress.stop();
    const rows = outcomes.map((o) => o.row);
    const comparisons = compareStrategies(rows);
    const referenceSummary = reference === undefined ? undefined : referenceRatios(rows, reference, { confidence: DEFAULT_CONFIDENCE, resamples: DEFAULT_RESAMPLES, seed: opts.seed });
    const postWarnings = postRunWarnings(rows, { durationS: opts.durationS, cores: machine.cores });
    warnings.push(...postWarnings);
    for (const w of postWarnings) log(`warning: ${w}`);
    const fragmentation: FragmentationRow[] = outcomes.flatMap((o) => o.fragmentation);
    const notes = [...new Set(Object.entries(plans).flatMap(([k, p]) => p.notes.map((n) => `${k}: ${n}`)))];
    const messages = outcomes.flatMap((o) => o.messages).slice(0, 10);
    await dir.write('throughput.csv', csvText(rows));
    await dir.write('fragmentation.csv', csvText(fragmentation));
    await dir.write('summary.json', JSON.stringify({
      command,
      config: opts,
      machine,
      warnings,
      plans,
      workloads: Object.fromEntries([...schedules.values()].map((s) => [`${s.workload} threads=${s.threads}`, { ...s.facts, params: WORKLOADS.get(s.workload)?.params }])),
      throughput: rows,
      fragmentation,
      runs: outcomes.map((o) => ({ strategy: o.row.strategy, workload: o.row.workload, threads: o.row.threads, repeat: o.row.repeat, map_latency_ns: o.map, unmap_latency_ns: o.unmap, failures_by_size: o.failuresBySize, messages: o.messages, verify: o.verify, area_used: o.areaUsed.map((a) => ({ t_ms: a.tMs, ...a.used })) })),
      comparisons: comparisons.map((c) => ({ workload: c.workload, threads: c.threads, ranked: c.ranked.map(({ rows: _rows, ...f }) => f) })),
      reference: referenceSummary,
    }, null, 2) + '\n');
    const summaryMd = summaryMarkdown({ command, machine, warnings, notes, rows, benchmarkLines: outcomes.map((o) => dmaMapBenchmarkLines(o.map, o.unmap)), messages, reference: referenceSummary });
    await dir.write('summary.md', summaryMd);
    const words = [...summaryWords(comparisons), ...(referenceSummary ? referenceWords(referenceSummary) : [])];
    await writeReport(dir, () => reportFiles(reportInputOf(command, opts, outcomes, schedules.values()), { command, config: { ...opts }, machine: { ...machine }, warnings, words, summaryMarkdown: summaryMd }), log);
    checkVerify(outcomes);
    const path = await dir.commit();
    log('');
    for (const line of words) log(line);
    log(`results: ${path} (and ${opts.out}/latest)`);
    return { dir: path, rows, outcomes };
  } catch (err) {
    await dir.fail(err as Error);
    throw err;
  } finally {
    progress.stop(); // idempotent: leaves the terminal clean when a run fails
  }
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

function checkVerify(outcomes: RunOutcome[]): void {
  const bad = outcomes.filter((o) => o.row.io_tlb_used_after !== 0 || (o.verify && (o.verify.corruptedBytes > 0 || o.verify.overlaps > 0)));
  if (bad.length === 0) return;
  const r = bad[0];
  throw new VerifyFailedError(`${bad.length} run(s) broke an invariant; first: ${r.row.strategy} ${r.row.workload} threads=${r.row.threads}: ` +
    `io_tlb_used after drain ${r.row.io_tlb_used_after}, corrupted bytes ${r.verify?.corruptedBytes ?? 'n/a'}, overlaps ${r.verify?.overlaps ?? 'n/a'}`);
}

