/**
 * One run: strategy x workload x threads x repeat. Lays out the strategy's
 * pool, starts one piscina worker per CPU on a start barrier, lets them warm
 * up, measures, samples the pool from the main thread, stops them, and
 * collects their counters. A worker error or timeout fails the run with a
 * message; nothing here ever blocks the main thread.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Piscina } from 'piscina';
import { workerScript } from '../base/paths.js';
import type { PoolOptions, PoolPlan, Strategy } from '../model/strategy.js';
import type { Schedule } from '../../workloads/schedule/build.js';
import { Control, PHASE_MEASURE, PHASE_STOP, allocateControl } from './control.js';
import { type LatencySummary, mergeHistograms, summarize } from '../stats/latency.js';
import { type PoolSample, PoolSampler } from './pool-sampler.js';
import type { PoolSnapshot } from './pool-snapshot.js';
import type { FragmentationRow, ThroughputRow } from '../export/rows.js';
import type { Handoff, VerifyShared, WorkerResult, WorkerTask } from './task.js';

/** One run's inputs: the strategy, its schedule and pool options, and the measuring windows (ms). */
export interface RunSpec {
  strategy: Strategy;
  /** How workers load it: a built-in name or a plug-in's absolute path. */
  strategyRef: string;
  schedule: Schedule;
  threads: number;
  repeat: number;
  pool: PoolOptions;
  durationMs: number;
  warmupMs: number;
  /** Time one op in every N (0: none). */
  sampleEvery: number;
  /** Pool snapshot interval, ms. */
  sampleIntervalMs: number;
  verify: boolean;
  barrierTimeoutMs: number;
}

/** One run's results: its throughput row, pool samples, latency summaries and pictures. */
export interface RunOutcome {
  plan: PoolPlan;
  row: ThroughputRow;
  fragmentation: FragmentationRow[];
  map: LatencySummary;
  unmap: LatencySummary;
  failuresBySize: Record<string, number>;
  messages: string[];
  verify: { checkedBytes: number; corruptedBytes: number; overlaps: number } | null;
  workers: WorkerResult[];
  /** Slots in use per area at each pool sample (ms since measuring started). */
  areaUsed: AreaSample[];
  /** The pools at peak io_tlb_used and at the last sample. */
  snapshots: PoolSnapshot[];
}

/** Slots in use per area at one sample, by area label (`area 1`, `node 0, area 1`, `transient@1536, area 0`). */
export interface AreaSample {
  tMs: number;
  used: Record<string, number>;
}

/** A run that failed: a worker error, a timeout, or a hung worker. */
export class RunError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RunError';
  }
}

function handoffFor(schedule: Schedule): Handoff | null {
  if (!schedule.crossCpu) return null;
  return {
    state: new SharedArrayBuffer(schedule.mappings * 4),
    tlb: new SharedArrayBuffer(schedule.mappings * 8),
    regionFree: new SharedArrayBuffer(schedule.regions * 4),
    regionWaiters: new SharedArrayBuffer(schedule.regions * 4),
  };
}

/**
 * Execute one run.
 * @throws RunError when a worker fails or hangs (the message says which and why).
 */
export async function runOne(spec: RunSpec): Promise<RunOutcome> {
  const { strategy, schedule, threads } = spec;
  const plan = strategy.plan({ ...spec.pool, threads });
  const state = strategy.create(plan);
  const control = new Control(allocateControl(threads), threads);
  const sampler = new PoolSampler(strategy, state);
  const verify: VerifyShared | null = spec.verify
    ? { owners: new SharedArrayBuffer((plan.maxPoolSlots ?? plan.nslabs) * 4), tags: new SharedArrayBuffer(schedule.mappings * 4) }
    : null;
  const base: Omit<WorkerTask, 'cpu'> = {
    threads,
    control: control.buffer,
    strategy: spec.strategyRef,
    state,
    schedule,
    host: new SharedArrayBuffer(Math.max(1, schedule.hostBytes)),
    handoff: handoffFor(schedule),
    verify,
    sampleEvery: spec.sampleEvery,
    barrierTimeoutMs: spec.barrierTimeoutMs,
    waitTimeoutMs: spec.barrierTimeoutMs,
  };

  const background = strategy.runBackground !== undefined;
  const poolThreads = threads + (background ? 1 : 0);
  const pool = new Piscina<WorkerTask, WorkerResult>({ filename: workerScript(), minThreads: poolThreads, maxThreads: poolThreads, idleTimeout: 60_000 });
  let failure: Error | undefined;
  const fail = (who: string) => (err: Error): never => {
    failure ??= new RunError(`${who} failed: ${err.message}`);
    control.abort();
    throw failure;
  };
  const tasks = Array.from({ length: threads }, (_, cpu) => pool.run({ ...base, cpu }).catch(fail(`worker for cpu ${cpu}`)));
  const backgroundTask = background
    ? (pool.run({ ...base, cpu: -1, role: 'background' }) as unknown as Promise<Record<string, number>>).catch(fail(`${strategy.name} background thread`))
    : Promise.resolve({});
  const fragmentation: FragmentationRow[] = [];
  const areaUsed: AreaSample[] = [];
  const snapshots: PoolSnapshot[] = [];
  try {
    await waitUntil(() => control.started || failure !== undefined, spec.barrierTimeoutMs, () =>
      `start barrier: only ${control.arrived} of ${threads} workers started within ${spec.barrierTimeoutMs} ms`);
    if (failure) throw failure;
    await sleep(spec.warmupMs);
    control.setPhase(PHASE_MEASURE);
    sampler.resetHiwater();
    const t0 = performance.now();
    let peak: PoolSnapshot | undefined;
    let peakUsed = -1;
    for (;;) {
      const t = performance.now() - t0;
      const tMs = Math.round(t);
      const sample = sampler.sample();
      fragmentation.push(fragmentationRow(spec, tMs, control.progress(), sample));
      areaUsed.push({ tMs, used: sample.areaUsed });
      if (sample.used > peakUsed) {
        peakUsed = sample.used;
        peak = sampler.snapshot('peak', tMs);
      }
      if (failure) throw failure;
      if (t >= spec.durationMs) {
        snapshots.push(peak!, sampler.snapshot('end', tMs));
        break;
      }
      await sleep(Math.min(spec.sampleIntervalMs, spec.durationMs - t));
    }
    control.setPhase(PHASE_STOP);
    const [results, backgroundColumns] = await withTimeout(Promise.all([Promise.all(tasks), backgroundTask]), spec.barrierTimeoutMs + 5_000, () =>
      `workers did not stop within ${spec.barrierTimeoutMs + 5_000} ms of the stop signal (hung?)`);
    const outcome = { ...collect(spec, plan, results, fragmentation, sampler), areaUsed, snapshots };
    Object.assign(outcome.row, backgroundColumns, strategy.reportColumns?.(state) ?? {});
    Object.assign(outcome.row, strategy.deriveColumns?.(outcome.row) ?? {});
    return outcome;
  } catch (err) {
    control.setPhase(PHASE_STOP);
    control.abort();
    throw failure ?? (err instanceof RunError ? err : new RunError((err as Error).message));
  } finally {
    for (const t of [...tasks, backgroundTask]) t.catch(() => undefined);
    await pool.destroy();
  }
}

async function waitUntil(done: () => boolean, timeoutMs: number, message: () => string): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!done()) {
    if (performance.now() > deadline) throw new RunError(message());
    await sleep(2);
  }
}

async function withTimeout<T>(promise: Promise<T>, ms: number, message: () => string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new RunError(message())), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function fragmentationRow(spec: RunSpec, tMs: number, mapsDone: number, s: PoolSample): FragmentationRow {
  return {
    strategy: spec.strategy.name,
    workload: spec.schedule.workload,
    threads: spec.threads,
    repeat: spec.repeat,
    t_ms: tMs,
    maps_done: mapsDone,
    io_tlb_used: s.used,
    io_tlb_used_hiwater: s.hiwater,
    free_runs: s.freeRuns,
    largest_free_run: s.largestFreeRun,
    unusable_1: s.unusable[0],
    unusable_8: s.unusable[1],
    unusable_32: s.unusable[2],
    unusable_128: s.unusable[3],
    internal_waste_pct: s.internalWastePct,
    ...(s.perMem.length > 1 ? Object.fromEntries(s.perMem.map((m, i) => [`node${i}_io_tlb_used`, m.used])) : {}),
    ...s.extra,
  };
}

function collect(spec: RunSpec, plan: PoolPlan, results: WorkerResult[], fragmentation: FragmentationRow[], sampler: PoolSampler): Omit<RunOutcome, 'areaUsed' | 'snapshots'> {
  const sum = (f: (r: WorkerResult) => number) => results.reduce((s, r) => s + f(r), 0);
  const seconds = sum((r) => r.seconds) / results.length;
  const maps = sum((r) => r.maps);
  const failures = sum((r) => r.failures);
  const attempts = Math.max(1, maps + failures);
  const map = summarize(mergeHistograms(results.map((r) => r.mapHistogram)));
  const unmap = summarize(mergeHistograms(results.map((r) => r.unmapHistogram)));
  const acquisitions = sum((r) => r.lockAcquisitions);
  const failuresBySize: Record<string, number> = {};
  for (const r of results) for (const [size, n] of r.failuresBySize) failuresBySize[size] = (failuresBySize[size] ?? 0) + n;
  const verifies = results.map((r) => r.verify).filter((v) => v !== null);
  const row: ThroughputRow = {
    strategy: spec.strategy.name,
    workload: spec.schedule.workload,
    threads: spec.threads,
    nareas: plan.nareas,
    pool_slots: plan.nslabs,
    repeat: spec.repeat,
    seconds,
    maps,
    maps_per_s: seconds > 0 ? maps / seconds : 0,
    mib_per_s: seconds > 0 ? sum((r) => r.bytes) / seconds / 2 ** 20 : 0,
    full_failures: failures,
    map_mean_ns: map.meanNs,
    map_sd_ns: map.sdNs,
    map_p50_ns: map.p50Ns,
    map_p99_ns: map.p99Ns,
    map_p999_ns: map.p999Ns,
    unmap_mean_ns: unmap.meanNs,
    unmap_p50_ns: unmap.p50Ns,
    unmap_p99_ns: unmap.p99Ns,
    slots_scanned_per_map: sum((r) => r.slotsScanned) / attempts,
    area_fallbacks_per_map: sum((r) => r.areaFallbacks) / attempts,
    lock_contended_pct: acquisitions > 0 ? (100 * sum((r) => r.lockContended)) / acquisitions : 0,
    hiwater_slots: Math.max(...fragmentation.map((f) => f.io_tlb_used_hiwater), sampler.hiwater),
    unmaps: sum((r) => r.unmaps),
    lock_wait_ns_per_map: sum((r) => r.lockWaitNs) / attempts,
    latency_samples: map.samples + unmap.samples,
    handoff_waits: sum((r) => r.handoffWaits),
    trace_passes: sum((r) => r.passes),
    io_tlb_used_after: sampler.used,
  };
  const extraKeys = [...new Set(results.flatMap((r) => Object.keys(r.extra)))].sort();
  for (const k of extraKeys) row[k] = sum((r) => r.extra[k] ?? 0);
  if (sampler.mems.length > 1) sampler.mems.forEach((m, i) => (row[`node${i}_hiwater_slots`] = m.hiwater));
  return {
    plan,
    row,
    fragmentation,
    map,
    unmap,
    failuresBySize,
    messages: results.flatMap((r) => r.messages).slice(0, 5),
    verify: verifies.length
      ? {
          checkedBytes: verifies.reduce((s, v) => s + v.checkedBytes, 0),
          corruptedBytes: verifies.reduce((s, v) => s + v.corruptedBytes, 0),
          overlaps: verifies.reduce((s, v) => s + v.overlaps, 0),
        }
      : null,
    workers: results,
  };
}
