/**
 * One probe of `npm run size`: a deterministic replay on the virtual-time
 * engine of one (strategy, workload, CPUs, seed) at one pool size, from an
 * empty pool (no warm-up), and the allocator figures the search needs. Also
 * the piscina worker entry (default export), so probes of different cells run
 * on different cores; each worker keeps the schedules it built last.
 */
import { availableParallelism } from 'node:os';
import type { ProbeResult } from '../export/sizing-answer.js';
import type { ThroughputRow } from '../export/columns.js';
import { simRunOne } from '../run/sim/sim-run.js';
import { runOne } from '../run/run-one.js';
import type { Schedule } from '../../workloads/schedule/build.js';
import { parseBenchArgs } from './bench-args.js';
import { buildSchedules, loadStrategies, planAll } from './bench-inputs.js';
import { simSettings } from './sim-settings.js';

/** What one probe replays. */
export interface ProbeTask {
  strategy: string;
  workload: string;
  cpus: number;
  seed: number;
  /** The pool asked for, slots (the strategy's plan applies the kernel's rounding). */
  poolSlots: number;
  /** dynamic-growth's budget, slots (its boot pool included). */
  maxPoolSlots?: number;
  /** Map attempts, in whole schedules. */
  passes: number;
  /** Extra bench options (`--calibration`, `--kernel-rules`). */
  argv: string[];
}

/** The bench options of a probe (a pool given as plain slots). */
function probeArgs(t: ProbeTask, engine: 'sim' | 'real'): string[] {
  const args = ['--engine', engine, '--strategy', t.strategy, '--workload', t.workload, '--threads', String(t.cpus), '--seed', String(t.seed), '--pool', String(t.poolSlots), ...t.argv];
  if (t.maxPoolSlots !== undefined) args.push('--max-pool', String(t.maxPoolSlots));
  return args;
}

/**
 * The schedule this thread built last: a cell's probes of one seed share it.
 * One only, dropped before the next is built: a generated network profile at
 * 256 CPUs takes gigabytes.
 */
const schedules = new Map<string, Schedule>();

async function scheduleFor(t: ProbeTask, opts: ReturnType<typeof parseBenchArgs>): Promise<Schedule> {
  const key = JSON.stringify([t.workload, t.cpus, t.seed, t.argv]);
  let s = schedules.get(key);
  if (s === undefined) {
    schedules.clear();
    s = (await buildSchedules(opts)).schedules[0];
    schedules.set(key, s);
  }
  return s;
}

/** The figures of a run's row. */
function figures(row: ThroughputRow, nareas: number): ProbeResult {
  const n = (k: string) => (row[k] === undefined ? undefined : Number(row[k]));
  return {
    poolSlots: row.pool_slots, nareas, attempts: row.maps + row.full_failures, failures: row.full_failures, hiwaterSlots: row.hiwater_slots,
    peakReservedBytes: n('peak_reserved_bytes'), growths: n('growths'), transientPools: n('transient_pools'),
    transientNoFit: n('transient_no_fit'), transientAllocFailed: n('transient_alloc_failed'), oversizeRejects: n('oversize_rejects'),
  };
}

/**
 * Replay `t` on the virtual-time engine, measured from the first map: each
 * CPU replays its own events `passes` times, then stops.
 * @throws InputError for bad names or options; Error from the engine.
 */
export async function runProbe(t: ProbeTask): Promise<ProbeResult> {
  const opts = parseBenchArgs(probeArgs(t, 'sim'));
  const strategies = await loadStrategies(opts);
  const schedule = await scheduleFor(t, opts);
  const plan = planAll(strategies, opts)(strategies[0].strategy, t.cpus, schedule.devices);
  const maps = t.passes * schedule.mappings;
  const sim = { ...simSettings(opts)!, maps, warmupMaps: 0, passes: t.passes };
  const spec = {
    strategy: strategies[0].strategy, strategyRef: strategies[0].ref, plan, schedule, threads: t.cpus, repeat: 0,
    durationMs: 0, warmupMs: 0, sampleEvery: 0, sampleIntervalMs: 100, verify: false, barrierTimeoutMs: 30_000,
  };
  return figures(simRunOne(spec, sim).row, plan.nareas);
}

/**
 * Replay `t` with real worker threads for `seconds` (no warm-up, the pool
 * empty at the start): the check that the sim-found pool holds on this machine.
 * @throws InputError, RunError (a worker crashed or hung).
 */
export async function runRealCheck(t: ProbeTask, seconds: number): Promise<ProbeResult> {
  const opts = parseBenchArgs(probeArgs(t, 'real'));
  const strategies = await loadStrategies(opts);
  const { schedules: [schedule] } = await buildSchedules(opts);
  const plan = planAll(strategies, opts, availableParallelism())(strategies[0].strategy, t.cpus, schedule.devices);
  const out = await runOne({
    strategy: strategies[0].strategy, strategyRef: strategies[0].ref, plan, schedule, threads: t.cpus, repeat: 0,
    durationMs: seconds * 1000, warmupMs: 0, sampleEvery: opts.sampleEvery, sampleIntervalMs: opts.sampleInterval, verify: false, barrierTimeoutMs: 30_000,
  });
  return figures(out.row, plan.nareas);
}

export default runProbe;
