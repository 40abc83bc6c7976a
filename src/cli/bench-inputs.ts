/**
 * What `npm run bench` reads before anything runs: the strategies (built-ins
 * and plug-ins), every workload's schedule for every thread count, and the
 * warnings those inputs raise. Bad input fails here, before any result
 * directory exists.
 */
import { availableParallelism } from 'node:os';
import { InputError } from '../base/errors.js';
import { type LockKind, defaultLock } from '../model/lock.js';
import type { PoolOptions, PoolPlan, PoolRequest, Strategy } from '../model/strategy.js';
import type { LoadedStrategy } from '../run/job.js';
import type { PlanOf } from '../analysis/warnings-before.js';
import { loadStrategy, strategyRef } from '../../strategies/index.js';
import { checkWorkloadName, loadWorkload, workloadDisplayName } from '../../workloads/index.js';
import { type LatencyModel, parseLatency } from '../../workloads/latency-model.js';
import { type Schedule, buildSchedule } from '../../workloads/schedule/build.js';
import type { BenchOptions } from './bench-options.js';
import { resolveShard, shardUnits } from './shard.js';

/** The NVMe generator's parameters from the options. */
export function generatorParams(opts: BenchOptions) {
  return { bs: opts.bs, rw: opts.rw, rwmixread: opts.rwmixread, iodepth: opts.iodepth, iosPerJob: opts.genIos, seed: opts.seed };
}

/** The NIC model's settings from the options. */
export function netOptions(opts: BenchOptions) {
  return { ring: opts.ring, mtu: opts.mtu, napiBudget: opts.napiBudget, wireGbps: opts.wireGbps };
}

/** The pool options every strategy's plan gets (sizes in slots). */
export function poolOptions(opts: BenchOptions): PoolOptions {
  return {
    poolSlots: opts.pool, maxPoolSlots: opts.maxPool, areas: opts.areas, rules: opts.kernelRules, nodes: opts.nodes?.[0], cpusPerNode: opts.cpusPerNode,
    debugfs: opts.debugfs === 'on', lock: opts.lock, childPer: opts.childPer, devicePoolSlots: opts.devicePool,
  };
}

/**
 * The lock a run of `strategy` at `threads` gets on `cores` cores: `--lock`,
 * else defaultLock() counting the strategy's background thread; with the
 * reason the report header gives.
 */
export function runLock(lock: LockKind | undefined, strategy: Pick<Strategy, 'runBackground'>, threads: number, cores: number): { kind: LockKind; why: string } {
  return lock ? { kind: lock, why: 'chosen with --lock' } : defaultLock(threads, cores, strategy.runBackground ? 1 : 0);
}

/** The lock of every sim run: the engine models the kernel's FIFO queued spinlock in virtual time. */
const SIM_LOCK = { kind: 'qspinlock', why: 'the virtual-time engine models the FIFO queued spinlock in virtual time (--lock does not apply)' } as const;

/** What each lock is, for the plan notes. */
const LOCK_WHAT: Record<LockKind, string> = {
  qspinlock: "FIFO ticket spinlock, as the kernel's spin_lock_irqsave (a queued spinlock); a waiter parks after 2^15 spins, as paravirt guests' do",
  mutex: 'spin-then-park futex mutex, waiters barge',
};

/**
 * Every `--strategy` item loaded once, in order.
 * @throws UnknownNameError, InputError (a plug-in that cannot be loaded).
 */
export async function loadStrategies(opts: BenchOptions): Promise<LoadedStrategy[]> {
  const loaded = await Promise.all(opts.strategy.map(async (item) => ({ strategy: await loadStrategy(item), ref: strategyRef(item) })));
  const nodes = opts.nodes ?? [];
  if (nodes.length < 2) return loaded;
  return loaded.flatMap(({ strategy, ref }) => nodes.map((n) => ({ strategy: onNodes(strategy, n), ref })));
}

/**
 * `strategy` on `nodes` virtual nodes, named `NAME/nodes=M` (one of a
 * `--nodes` list): its plan is asked for that many nodes (per-numa-pools
 * puts a pool on each) and records them as the topology the virtual-time
 * engine spreads the CPUs over. Workers still load the strategy itself.
 */
function onNodes(strategy: Strategy, nodes: number): Strategy {
  return {
    ...strategy,
    name: `${strategy.name}/nodes=${nodes}`,
    plan: (request) => ({ ...strategy.plan({ ...request, nodes }), topologyNodes: nodes }),
  };
}

/**
 * `strategy.plan(request)`; a plan that throws anything but bad input is a
 * broken strategy (a plug-in, usually): bad input too, naming the strategy.
 * @throws InputError
 */
function planOne(strategy: Strategy, request: PoolRequest): PoolPlan {
  try {
    return strategy.plan({ ...request });
  } catch (err) {
    if (err instanceof InputError) throw err;
    throw new InputError(`strategy ${strategy.name}: plan() failed at ${request.threads} threads: ${(err as Error).message}`);
  }
}

/**
 * Every strategy's plan at every thread count for one device, made before any
 * run, so a plan a strategy refuses (bad --nodes, --cpus-per-node, --max-pool)
 * or an option pair it cannot run is bad input, found before anything is
 * written. Plans for workloads of several devices are made on first use and
 * kept; prepareJob asks for every schedule's before the runs.
 * @throws InputError naming the options (at once, or from the returned function for a device count not yet planned).
 */
export function planAll(strategies: readonly LoadedStrategy[], opts: BenchOptions, cores = availableParallelism()): PlanOf {
  const plans = new Map<Strategy, Map<string, PoolPlan>>();
  const planFor = (strategy: Strategy, threads: number, devices: number): PoolPlan => {
    const lock = opts.engine === 'sim' ? SIM_LOCK : runLock(opts.lock, strategy, threads, cores);
    const request = { ...poolOptions(opts), threads, devices, lock: lock.kind };
    const plan = planOne(strategy, request);
    // The kernel configuration is the harness's, whatever the strategy: copied in after plan().
    plan.lock = lock.kind;
    plan.debugfs = request.debugfs;
    plan.notes.push(`lock: ${lock.kind}, ${LOCK_WHAT[lock.kind]}; ${lock.why}`);
    return plan;
  };
  const planOf: PlanOf = (strategy, threads, devices = 1) => {
    let byKey = plans.get(strategy);
    if (!byKey) plans.set(strategy, (byKey = new Map()));
    const key = `${threads}/${devices}`;
    let plan = byKey.get(key);
    if (!plan) byKey.set(key, (plan = planFor(strategy, threads, devices)));
    return plan;
  };
  for (const { strategy } of strategies) {
    if (strategy.mapsMayBlock && opts.completionCpu === 'other' && opts.threads.some((t) => t > 1)) {
      throw new InputError(`--strategy ${strategy.name} with --completion-cpu other: its maps may block, and while one waits its CPU completes its own in-flight I/O, which needs --completion-cpu same`);
    }
    for (const threads of opts.threads) planOf(strategy, threads);
  }
  return planOf;
}

/** The schedules of the job, one per (workload, threads) in run order, and what reading the inputs warned about. */
export interface Schedules {
  schedules: Schedule[];
  warnings: string[];
}

/**
 * Read every workload and build its schedule for every thread count; with
 * `--shard`, only for the shard's (workload, threads) groups (shard.ts),
 * every workload name still checked.
 * @throws UnknownNameError, InputError, ParseError (file, line, field); InputError for an unresolvable `--shard auto/n`.
 */
export async function buildSchedules(opts: BenchOptions, latency: LatencyModel = parseLatency(opts.latency)): Promise<Schedules> {
  opts.workload.forEach(checkWorkloadName);
  const schedules: Schedule[] = [];
  const warnings = new Set<string>();
  for (const unit of shardUnits(opts.workload, opts.threads, opts.shard)) {
    const workload = opts.workload[unit.workload];
    const threads = opts.threads[unit.threads];
    const loaded = await loadWorkload(workload, { threads, latency, generator: generatorParams(opts), format: opts.format, net: netOptions(opts), wholeSeconds: opts.wholeSeconds, iovaGranule: opts.iovaGranule });
    const schedule = buildSchedule(workloadDisplayName(workload), loaded.requests, { threads, segment: opts.segment, minAlignMask: opts.minAlignMask, latency, completionCpu: opts.completionCpu });
    for (const w of [...loaded.warnings, ...schedule.warnings]) warnings.add(w);
    schedules.push(schedule);
  }
  return { schedules, warnings: [...warnings] };
}

/**
 * The result directory's label: `--label`, else the workloads' names joined
 * with `+`; a shard's gets `-shardIofN`, so shards sharing `--out` stay apart.
 * @throws InputError for an unresolvable `--shard auto/n`.
 */
export function resultLabel(opts: BenchOptions): string {
  const label = opts.label ?? opts.workload.map((w) => workloadDisplayName(w).replace(/^trace:/, '')).join('+');
  if (!opts.shard) return label;
  const { index, count } = resolveShard(opts.shard);
  return `${label}-shard${index}of${count}`;
}
