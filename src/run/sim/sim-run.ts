/**
 * One run on the virtual-time engine (`--engine sim`): the same inputs as a
 * real run (run-one.ts) and the same outcome, rows marked `engine` = sim,
 * with the cost model's breakdown as shares of virtual time. Figures of the
 * allocator (failures, hiwater, slots scanned, fragmentation) are its own;
 * times (maps/s, latencies, lock waits) are predicted from the calibration.
 */
import type { FragmentationRow } from '../../export/columns.js';
import type { AreaSample, PoolSnapshot } from '../../export/run-series.js';
import { IO_TLB_SIZE, PAGE_SIZE } from '../../model/constants.js';
import { DmaArena } from '../../model/dma-arena.js';
import { allocateRatelimit } from '../../model/ratelimit.js';
import { type PoolPlan, type StrategyState, hostMemory } from '../../model/strategy.js';
import { HOST_BASE } from '../../../workloads/schedule/host-memory.js';
import { type RunKey, collectRun, fragmentationRow } from '../collect.js';
import { PoolSampler } from '../pool-sampler.js';
import type { RunOutcome, RunSpec } from '../run-one.js';
import type { Calibration } from './calibration.js';
import { BREAKDOWN, OpCost } from './op-cost.js';
import { SimEngine, type SimHooks } from './sim-engine.js';
import { Topology } from './topology.js';
import { TouchLog } from './touch-log.js';
import { VirtualCpu } from './virtual-cpu.js';
import { VirtualLines } from './virtual-lines.js';

/** What `--engine sim` adds to a run. */
export interface SimSettings {
  calibration: Calibration;
  /** Where the calibration came from (summary.json, the report). */
  calibrationFile: string;
  /** `--nodes` for strategies without a topology of their own (per-numa-pools has its plan's). */
  nodes: number;
  /** `--cpus-per-node`, when given. */
  cpusPerNode?: number;
  /** The SLIT distance matrix for `nodes` nodes (`--numa-distance`). */
  distance: (nodes: number) => number[][];
  /** Measured map attempts per run (`--sim-maps`), all CPUs together. */
  maps: number;
  /** Uncounted map attempts before measuring starts. @default a quarter of `maps` (0: measure from the empty pool, as `npm run size` does) */
  warmupMaps?: number;
  /** Each CPU replays its own events exactly this many times, then stops; `maps` then sets only the sampling interval. @default 0 (run for `maps` map attempts, CPUs looping over their events) */
  passes?: number;
}

/** Pool fragmentation samples per run. */
const SAMPLES = 20;

/** The node each pool's memory sits on: pool i on node i for per-node pools (plan.nodeSlots), else node 0. */
function poolNodes(plan: PoolPlan, state: StrategyState): { start: number; end: number; node: number }[] {
  return state.pools.map((p, i) => ({ start: p.start, end: p.start + p.nslabs * IO_TLB_SIZE, node: plan.nodeSlots ? i : 0 }));
}

/** Run `spec` on the virtual-time engine. */
export function simRunOne(spec: RunSpec, sim: SimSettings): RunOutcome {
  const { strategy, schedule, threads } = spec;
  const plan: PoolPlan = { ...spec.plan, lock: spec.plan.lock ?? 'qspinlock' };
  const key: RunKey = { strategy: strategy.name, workload: schedule.workload, threads, repeat: spec.repeat };
  const arena = new DmaArena();
  const host = arena.region(Math.max(1, schedule.hostBytes), PAGE_SIZE);
  const state = strategy.create(plan, arena);
  const touches = new TouchLog(arena);
  const sampler = new PoolSampler(strategy, state);
  const hostMem = hostMemory(new Uint8Array(arena.buffer, host.offset, host.bytes), HOST_BASE, arena.memory);
  const ratelimit = allocateRatelimit();
  const cpus = Array.from({ length: threads }, (_, c) => new VirtualCpu(c, strategy.attach(state), hostMem, schedule, ratelimit, spec.sampleEvery));

  const nodes = plan.nodes ?? plan.topologyNodes ?? sim.nodes;
  const topo = new Topology(nodes, sim.distance(nodes), threads, plan.cpusPerNode ?? sim.cpusPerNode ?? Math.max(1, Math.ceil(threads / nodes)));
  const pools = poolNodes(plan, state);
  const fragmentation: FragmentationRow[] = [];
  const areaUsed: AreaSample[] = [];
  let peak: PoolSnapshot | undefined;
  let peakUsed = -1;
  let lastMs = 0;
  const take = (tMs: number, mapsDone: number) => {
    const sample = sampler.sample();
    fragmentation.push(fragmentationRow(key, tMs, mapsDone, sample));
    areaUsed.push({ tMs, used: sample.areaUsed });
    if (sample.used > peakUsed) {
      peakUsed = sample.used;
      peak = sampler.snapshot('peak', tMs);
    }
    lastMs = tMs;
  };
  const hooks: SimHooks = {
    copyFactor(cpu, tlb) {
      const p = pools.find((x) => tlb >= x.start && tlb < x.end);
      // Pools made during the run (growth, transient) come from node 0's memory, as the boot pool's.
      return topo.factor(topo.nodeOf[cpu], p === undefined ? 0 : p.node);
    },
    sample: (tNs, mapsDone) => take(Math.round(tNs / 1e3) / 1e3, mapsDone),
    measuring: () => sampler.resetHiwater(),
    backgroundQueued: () => strategy.backgroundQueued?.(state) ?? false,
    backgroundStep: () => strategy.stepBackground?.(state) ?? {},
  };
  const terms = sim.calibration.terms;
  const engine = new SimEngine(cpus, schedule, terms, new OpCost(terms, new VirtualLines(), topo), touches, hooks);
  const out = engine.run(sim.warmupMaps ?? Math.ceil(sim.maps / 4), sim.maps, Math.max(1, Math.floor(sim.maps / SAMPLES)), sim.passes ?? 0);
  const snapshots = [peak ?? sampler.snapshot('peak', lastMs), sampler.snapshot('end', lastMs)];
  const results = cpus.map((c) => c.result(out.seconds, { contended: out.lockContended[c.cpu], waitNs: out.lockWaitNs[c.cpu] }));
  const collected = collectRun(key, plan, results, fragmentation, { hiwater: sampler.hiwater, usedAfter: sampler.used, memHiwater: sampler.memHiwater });
  const row = collected.row;
  Object.assign(row, out.background, strategy.reportColumns?.(state) ?? {});
  // The growth thread's latency columns, when the strategy declares them: virtual ms from queueing to the work.
  const declared = new Set(strategy.columns?.throughput?.map((c) => c.name));
  const lat = out.backgroundLatencyMs;
  if (declared.has('growth_latency_mean_ms')) row.growth_latency_mean_ms = lat.length ? lat.reduce((a, b) => a + b, 0) / lat.length : 0;
  if (declared.has('growth_latency_max_ms')) row.growth_latency_max_ms = lat.length ? Math.max(...lat) : 0;
  Object.assign(row, strategy.deriveColumns?.(row) ?? {});
  row.engine = 'sim';
  const total = BREAKDOWN.reduce((s, k) => s + out.breakdown[k], 0);
  for (const k of BREAKDOWN) row[`sim_${k}_pct`] = total > 0 ? (100 * out.breakdown[k]) / total : 0;
  return { plan, ...collected, fragmentation, areaUsed, snapshots, workers: results };
}
