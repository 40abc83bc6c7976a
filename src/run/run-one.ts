/**
 * One run: strategy x workload x threads x repeat. Lays out the strategy's
 * pool, starts one worker per CPU on a start barrier (workers.ts), lets them
 * warm up, measures while sampling the pool from the main thread, stops
 * them, and collects their counters (collect.ts). A worker error or timeout
 * fails the run with a message; nothing here ever blocks the main thread.
 */
import { availableParallelism } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FragmentationRow, ThroughputRow } from '../export/columns.js';
import type { AreaSample, PoolSnapshot } from '../export/run-series.js';
import { PAGE_SIZE } from '../model/constants.js';
import { type ArenaRegion, DmaArena } from '../model/dma-arena.js';
import { defaultLock } from '../model/lock.js';
import { allocateRatelimit } from '../model/ratelimit.js';
import type { PoolPlan, Strategy, StrategyState } from '../model/strategy.js';
import type { LatencySummary } from '../stats/latency.js';
import type { Schedule } from '../../workloads/schedule/build.js';
import { type RunKey, collectRun, fragmentationRow } from './collect.js';
import { Control, PHASE_MEASURE, PHASE_STOP, allocateControl } from './control.js';
import { PoolSampler } from './pool-sampler.js';
import type { Handoff, VerifyCounts, VerifyShared, WorkerResult, WorkerTask } from './task.js';
import { RunError, WorkerSet } from './workers.js';

/** One run's inputs: the strategy, its schedule and pool options, and the measuring windows (ms). */
export interface RunSpec {
  strategy: Strategy;
  /** The strategy's plan at this thread count (made once before the runs). */
  plan: PoolPlan;
  /** How workers load it: a built-in name or a plug-in's absolute path. */
  strategyRef: string;
  schedule: Schedule;
  threads: number;
  repeat: number;
  durationMs: number;
  warmupMs: number;
  /** Time one op in every N (0: none). */
  sampleEvery: number;
  /** Pool sample interval, ms. */
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
  /** Full failures by mapping size (bytes, as text) -> count. */
  failuresBySize: Record<string, number>;
  messages: string[];
  verify: VerifyCounts | null;
  workers: WorkerResult[];
  /** Slots in use per area at each pool sample (ms since measuring started). */
  areaUsed: AreaSample[];
  /** The pools at peak io_tlb_used and at the last sample. */
  snapshots: PoolSnapshot[];
}

/** Shared words for cross-CPU completion, or null when each CPU unmaps its own mappings. */
function handoffFor(schedule: Schedule): Handoff | null {
  if (!schedule.crossCpu) return null;
  return {
    state: new SharedArrayBuffer(schedule.mappings * 4),
    tlb: new SharedArrayBuffer(schedule.mappings * 8),
    regionFree: new SharedArrayBuffer(schedule.regions * 4),
    regionWaiters: new SharedArrayBuffer(schedule.regions * 4),
  };
}

/** What every worker of the run gets (its `cpu` added per worker); `host` holds the original buffers, in the run's arena. */
function workerTask(spec: RunSpec, plan: PoolPlan, state: StrategyState, control: Control, host: ArenaRegion): Omit<WorkerTask, 'cpu'> {
  const { schedule } = spec;
  const verify: VerifyShared | null = spec.verify
    ? { owners: new SharedArrayBuffer((plan.slotSpace ?? plan.nslabs) * 4), tags: new SharedArrayBuffer(schedule.mappings * 4) }
    : null;
  return {
    threads: spec.threads,
    control: control.buffer,
    strategy: spec.strategyRef,
    state,
    schedule,
    host,
    handoff: handoffFor(schedule),
    verify,
    sampleEvery: spec.sampleEvery,
    barrierTimeoutMs: spec.barrierTimeoutMs,
    waitTimeoutMs: spec.barrierTimeoutMs,
    ratelimit: allocateRatelimit(),
  };
}

/** The series sampled while measuring. */
interface Measured {
  fragmentation: FragmentationRow[];
  areaUsed: AreaSample[];
  snapshots: PoolSnapshot[];
}

/**
 * The measured window: sample the pool every `sampleIntervalMs` until
 * `durationMs` passed, keeping a picture of the fullest sample and of the last.
 * @throws a worker's failure as soon as it is seen.
 */
async function measure(spec: RunSpec, key: RunKey, control: Control, sampler: PoolSampler, workers: WorkerSet): Promise<Measured> {
  const out: Measured = { fragmentation: [], areaUsed: [], snapshots: [] };
  control.setPhase(PHASE_MEASURE);
  sampler.resetHiwater();
  const t0 = performance.now();
  let peak: PoolSnapshot | undefined;
  let peakUsed = -1;
  for (;;) {
    const t = performance.now() - t0;
    const tMs = Math.round(t);
    const sample = sampler.sample();
    out.fragmentation.push(fragmentationRow(key, tMs, control.progress(), sample));
    out.areaUsed.push({ tMs, used: sample.areaUsed });
    if (sample.used > peakUsed) {
      peakUsed = sample.used;
      peak = sampler.snapshot('peak', tMs);
    }
    workers.check();
    if (t >= spec.durationMs) {
      out.snapshots.push(peak!, sampler.snapshot('end', tMs));
      return out;
    }
    await sleep(Math.min(spec.sampleIntervalMs, spec.durationMs - t));
  }
}

/**
 * The run's pictures: the fullest of the main thread's sampled peak and the
 * workers' pictures at their high-water marks, then the one at the end.
 */
function fullestFirst(sampled: PoolSnapshot[], results: WorkerResult[]): PoolSnapshot[] {
  const [peak, end] = sampled;
  const fullest = results.reduce((best, r) => (r.peak_picture && r.peak_picture.used > best.used ? r.peak_picture : best), peak);
  return [fullest, end];
}

/**
 * Execute one run.
 * @throws RunError when a worker fails or hangs (the message says which and why).
 */
export async function runOne(spec: RunSpec): Promise<RunOutcome> {
  const { strategy, schedule, threads } = spec;
  // A plan made outside the harness's planning (tests, callers of runOne) gets the lock the machine calls for.
  const plan = spec.plan.lock ? spec.plan : { ...spec.plan, lock: defaultLock(threads, availableParallelism(), strategy.runBackground ? 1 : 0).kind };
  const key: RunKey = { strategy: strategy.name, workload: schedule.workload, threads, repeat: spec.repeat };
  const control = new Control(allocateControl(threads), threads);
  let workers: WorkerSet | undefined;
  try {
    // One shared memory for the host buffers and the pools, so bounce copies are memory.copy.
    const arena = new DmaArena();
    const host = arena.region(Math.max(1, schedule.hostBytes), PAGE_SIZE);
    const state = strategy.create(plan, arena);
    const sampler = new PoolSampler(strategy, state);
    workers = new WorkerSet(strategy, workerTask(spec, plan, state, control, host), control);
    await workers.started(spec.barrierTimeoutMs);
    await sleep(spec.warmupMs);
    workers.check();
    const measured = await measure(spec, key, control, sampler, workers);
    control.setPhase(PHASE_STOP);
    const { results, background } = await workers.finish(spec.barrierTimeoutMs + 5_000);
    const collected = collectRun(key, plan, results, measured.fragmentation, { hiwater: sampler.hiwater, usedAfter: sampler.used, memHiwater: sampler.memHiwater });
    Object.assign(collected.row, background, strategy.reportColumns?.(state) ?? {});
    Object.assign(collected.row, strategy.deriveColumns?.(collected.row) ?? {});
    return { plan, ...collected, ...measured, snapshots: fullestFirst(measured.snapshots, results), workers: results };
  } catch (err) {
    control.setPhase(PHASE_STOP);
    control.abort();
    const cause = workers?.failure ?? err;
    throw new RunError(`${key.strategy} ${key.workload} threads=${key.threads} repeat=${key.repeat}: ${(cause as Error).message}`, { cause });
  } finally {
    await workers?.destroy();
  }
}
