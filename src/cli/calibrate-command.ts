/**
 * `npm run calibrate [-- --out FILE]`: measure the virtual-time engine's cost
 * terms on this machine and write a calibration file (default:
 * calibration/default.json). The copy, lock, search and release terms are
 * timed on the real pool code (src/run/sim/measure-terms.ts); the line
 * transfer and lock handoff with two threads (measure-transfer.ts, on two
 * cores); the fixed cost of a map and of an unmap is what a real one-CPU run
 * of each anchor workload takes beyond what the other terms explain (the
 * engine, run with fixed costs of 0, says how much that is), split between
 * map and unmap as their sampled latencies are.
 */
import { availableParallelism } from 'node:os';
import MultivariateLinearRegression from 'ml-regression-multivariate-linear';
import { mean, median } from 'simple-statistics';
import { Command, CommanderError } from 'commander';
import { reportErrorAndExitCode } from '../base/errors.js';
import { machineFacts } from '../export/machine.js';
import { writeFileAtomic } from '../export/result-dir.js';
import { type RunSpec, runOne } from '../run/run-one.js';
import { type Calibration, type CostTerms, CalibrationSchema, defaultCalibrationFile } from '../run/sim/calibration.js';
import { measureCopy, measureLockPair, measureSlotScan, measureSlotUpdate } from '../run/sim/measure-terms.js';
import { measureLineTransfer } from '../run/sim/measure-transfer.js';
import type { ThroughputRow } from '../export/columns.js';
import { DMA_FROM_DEVICE } from '../model/dma.js';
import { simRunOne } from '../run/sim/sim-run.js';
import { parseDistance } from '../run/sim/topology.js';
import { BENCH_OPTIONS } from './bench-options.js';
import { runSpec } from './run-spec.js';

/** Workloads whose one-CPU runs fix the fixed costs: block and network, small and large mappings. */
const ANCHORS = ['msr-hm0', 'tpcc', 'net-rx-mtu1500', 'nvme-gen', 'nvme-128k-seqwrite-qd8'];
/** The two-CPU anchors: small mappings at a high rate, so two CPUs meet on one lock often. */
const CONTENTION_ANCHORS = ['tpcc', 'nvme-gen', 'net-rx-mtu1500'];
/** Measured map attempts of each engine run while fitting (a bisection makes a dozen per term and anchor). */
const FIT_MAPS = 50_000;
/** Workqueue latency plus a page allocation, from queueing the growth work to its pool: not measured (docs/sim.md). */
const BACKGROUND_DELAY_NS = 100_000;

/** Per anchor workload: ns per map+unmap measured and as the engine models it without fixed costs, partial syncs per map, and the sampled latencies of each. */
interface Anchor {
  workload: string;
  realPairNs: number;
  simPairNs: number;
  syncsPerMap: number;
  realMapNs: number;
  realUnmapNs: number;
  simMapNs: number;
  simUnmapNs: number;
  /** The copies' share of simPairNs, ns. */
  simCopyNs: number;
}

/** The median of three real runs' rows. */
async function realMedian(spec: RunSpec): Promise<ThroughputRow> {
  const rows: ThroughputRow[] = [];
  for (let r = 0; r < 3; r++) rows.push((await runOne(spec)).row);
  return rows.sort((a, b) => a.maps_per_s - b.maps_per_s)[1];
}

/** The engine's row for `spec` with these terms. */
function simRow(spec: RunSpec, terms: CostTerms, maps = 200_000): ThroughputRow {
  const calibration: Calibration = { schema: 1, machine: { cpu_model: '', cores: 1, node: '', platform: '', measured_at: '' }, terms };
  return simRunOne(spec, { calibration, calibrationFile: '(calibrating)', nodes: 1, distance: (n) => parseDistance(BENCH_OPTIONS.numaDistance.default!, n), maps }).row;
}

/** Partial syncs per mapping of a schedule: FROM_DEVICE mappings that copy back less than they map (NIC frames). */
function syncsPerMapping(spec: RunSpec): number {
  const s = spec.schedule;
  const size = new Int32Array(s.size);
  const back = new Int32Array(s.copyBack);
  const dir = new Int32Array(s.dir);
  let n = 0;
  for (let m = 0; m < s.mappings; m++) if (dir[m] === DMA_FROM_DEVICE && back[m] > 0 && back[m] < size[m]) n++;
  return n / s.mappings;
}

/** One-CPU per-cpu-areas on `workload`: three real runs and the engine without fixed costs. */
async function anchor(workload: string, terms: CostTerms, log: (line: string) => void): Promise<Anchor> {
  const spec = await runSpec('per-cpu-areas', workload, 1);
  const real = await realMedian(spec);
  const sim = simRow(spec, { ...terms, map_fixed_ns: 0, unmap_fixed_ns: 0, sync_fixed_ns: 0 });
  log(`  ${workload}: real ${Math.round(real.maps_per_s)} maps/s, engine without fixed costs ${Math.round(sim.maps_per_s)} maps/s`);
  return {
    workload, realPairNs: 1e9 / real.maps_per_s, simPairNs: 1e9 / sim.maps_per_s, syncsPerMap: syncsPerMapping(spec),
    realMapNs: real.map_mean_ns, realUnmapNs: real.unmap_mean_ns, simMapNs: sim.map_mean_ns, simUnmapNs: sim.unmap_mean_ns,
    simCopyNs: ((1e9 / sim.maps_per_s) * (sim.sim_copy_pct + sim.sim_remote_pct)) / 100,
  };
}

/**
 * The fixed costs and the copies' scale: what the real one-CPU runs take
 * beyond the engine's non-copy terms, least squares over the anchors of
 * fixed + k x the engine's copy ns + sync x partial syncs per map. The
 * intercept is the fixed cost per map+unmap (split by the sampled
 * latencies); k scales the copy terms (the copy loop's buffers are colder
 * or warmer than a workload's; kept within 0.5-2).
 */
function fitFixed(anchors: Anchor[], terms: CostTerms, log: (line: string) => void): void {
  const fit = new MultivariateLinearRegression(anchors.map((a) => [a.simCopyNs, a.syncsPerMap]), anchors.map((a) => [a.realPairNs - (a.simPairNs - a.simCopyNs)]));
  const [[k], [sync], [pair]] = fit.weights;
  const scale = Math.min(2, Math.max(0.5, k));
  terms.copy_fixed_ns *= scale;
  terms.copy_ns_per_byte *= scale;
  const mapShare = median(anchors.map((a) => {
    const m = Math.max(0, a.realMapNs - a.simMapNs);
    const u = Math.max(0, a.realUnmapNs - a.simUnmapNs);
    return m + u > 0 ? m / (m + u) : 0.5;
  }));
  const fixed = Math.max(0, pair);
  terms.map_fixed_ns = fixed * mapShare;
  terms.unmap_fixed_ns = fixed * (1 - mapShare);
  terms.sync_fixed_ns = Math.max(0, sync);
  log(`  fit: ${fixed.toFixed(0)} ns fixed per map+unmap (${(100 * mapShare).toFixed(0)}% in the map), ${terms.sync_fixed_ns.toFixed(0)} ns per partial sync, copies x ${scale.toFixed(2)} the copy loop's`);
}

/** The value in [0, hi] at which `predict(x)` (falling as x grows) meets `target`, by bisection. */
function bisect(predict: (x: number) => number, target: number, hi: number): number {
  if (predict(0) <= target) return 0;
  let lo = 0;
  for (let i = 0; i < 12; i++) {
    const mid = (lo + hi) / 2;
    if (predict(mid) > target) lo = mid;
    else hi = mid;
  }
  return hi;
}

/** Lock handoffs tried, ns: the one with the least squared log error over the anchors is kept. */
const HANDOFF_GRID = [0, 25, 50, 100, 200, 400, 800];

/**
 * The two-CPU terms, fitted on two real CPUs of each contention anchor
 * (median of three runs): the co-run slowdown that makes the engine's
 * per-cpu-areas (no lock shared) match (a bisection per anchor, the engine
 * being deterministic; the mean over them), then the lock handoff, from a
 * grid, whose global-lock figures are closest to the real ones over all
 * anchors (least squared log ratio). A handoff fitted to one anchor alone
 * can put another at the lock's limit, where the engine's maps/s fall off a
 * cliff the real ones do not show.
 */
async function fitTwoCpu(terms: CostTerms, log: (line: string) => void): Promise<void> {
  const slowdowns: number[] = [];
  for (const w of CONTENTION_ANCHORS) {
    const spec = await runSpec('per-cpu-areas', w, 2);
    const real = (await realMedian(spec)).maps_per_s;
    slowdowns.push(bisect((p) => simRow(spec, { ...terms, corun_slowdown: p }, FIT_MAPS).maps_per_s, real, 2));
    log(`  ${w}, per-cpu-areas, 2 CPUs: real ${Math.round(real)} maps/s; corun_slowdown ${slowdowns.at(-1)!.toFixed(3)} matches it`);
  }
  terms.corun_slowdown = mean(slowdowns);
  const cells: { spec: RunSpec; real: number }[] = [];
  for (const w of CONTENTION_ANCHORS) {
    const spec = await runSpec('global-lock', w, 2);
    cells.push({ spec, real: (await realMedian(spec)).maps_per_s });
  }
  const error = (h: number) => cells.reduce((e, c) => e + Math.log(simRow(c.spec, { ...terms, lock_handoff_ns: h }, FIT_MAPS).maps_per_s / c.real) ** 2, 0);
  const errors = HANDOFF_GRID.map(error);
  terms.lock_handoff_ns = HANDOFF_GRID[errors.indexOf(Math.min(...errors))];
  log(`  global-lock, 2 CPUs, real ${cells.map((c) => Math.round(c.real)).join(' / ')} maps/s on ${CONTENTION_ANCHORS.join(' / ')}: lock_handoff_ns ${terms.lock_handoff_ns} fits best`);
}

/** Measure every term; `log` says what it is doing. */
export async function calibrate(log: (line: string) => void, note?: string): Promise<Calibration> {
  const cores = availableParallelism();
  log('single-thread terms: copy, lock pair, search, release');
  const copy = measureCopy();
  const lockPair = measureLockPair();
  const terms: CostTerms = {
    map_fixed_ns: 0, unmap_fixed_ns: 0, sync_fixed_ns: 0, corun_slowdown: 0,
    slot_scan_ns: measureSlotScan(lockPair), slot_update_ns: measureSlotUpdate(), lock_pair_ns: lockPair,
    ...copy, line_transfer_ns: 0, lock_handoff_ns: 0, background_delay_ns: BACKGROUND_DELAY_NS,
  };
  if (cores >= 2) {
    log('two-thread terms: cache-line transfer');
    terms.line_transfer_ns = await measureLineTransfer();
  }
  log(`fixed costs, from one-CPU runs of ${ANCHORS.join(', ')} (three real runs each):`);
  const anchors: Anchor[] = [];
  for (const w of ANCHORS) anchors.push(await anchor(w, terms, log));
  fitFixed(anchors, terms, log);
  if (cores >= 2) {
    log('co-run slowdown and lock handoff, from two-CPU runs:');
    await fitTwoCpu(terms, log);
  } else {
    log('warning: one core: the line transfer, co-run slowdown and lock handoff cannot be measured here and stay 0; calibrate on a machine with two cores or more');
  }
  const m = machineFacts();
  return CalibrationSchema.parse({
    schema: 1,
    machine: { cpu_model: m.cpuModel, cores: m.cores, node: m.node, platform: m.platform, measured_at: new Date().toISOString(), ...(note ? { note } : {}) },
    terms: Object.fromEntries(Object.entries(terms).map(([k, v]) => [k, Math.round(v * 1000) / 1000])),
    method: {
      copy: 'memory.copy of 512 B to 256 KiB rotating through 64 MiB in one thread; least-squares line: copy_fixed_ns + bytes x copy_ns_per_byte',
      lock_pair_ns: 'uncontended lock+unlock of the FIFO lock word in WebAssembly',
      slot_scan_ns: 'a failed two-slot search of a 4096-slot area with every other slot held, less a lock pair, per candidate examined',
      slot_update_ns: 'map+unmap of 64 slots less map+unmap of 1 slot, without copies, per slot and per side',
      line_transfer_ns: 'half a round trip of one word ping-ponged between two threads',
      fixed: `one-CPU runs of ${ANCHORS.join(', ')} (per-cpu-areas, median of three real runs each) against the engine with fixed costs of 0: least squares of (real ns per map+unmap less the engine's non-copy ns) = fixed + k x the engine's copy ns + sync_fixed_ns x partial syncs per map; fixed = map_fixed_ns + unmap_fixed_ns (split by the sampled map and unmap latencies), k scales copy_fixed_ns and copy_ns_per_byte (within 0.5-2)`,
      corun_slowdown: `two-CPU runs of per-cpu-areas on ${CONTENTION_ANCHORS.join(' and ')} (median of three each): the slowdown at which the engine gives the same maps/s (bisection), the mean over them`,
      lock_handoff_ns: `then two-CPU runs of global-lock on the same: the handoff of ${HANDOFF_GRID.join(', ')} ns whose engine figures have the least squared log error against them`,
      background_delay_ns: 'not measured: a workqueue latency and a page allocation, set at 100 us',
    },
  });
}

/** Parse the command line, measure, write the file; the exit code (0, or 2 for bad input, 1 for a failure). */
export async function calibrateMain(argv: string[], log: (line: string) => void = console.log): Promise<number> {
  try {
    await calibrateRun(argv, log);
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.code === 'commander.helpDisplayed' ? 0 : 2;
    return reportErrorAndExitCode(err);
  }
}

async function calibrateRun(argv: string[], log: (line: string) => void): Promise<void> {
  const cmd = new Command('calibrate').description("measure the virtual-time engine's cost terms on this machine").option('--out <file>', 'where to write the calibration', defaultCalibrationFile())
    .option('--note <text>', 'what the file should say about the machine (shared or dedicated cores, memory, hypervisor)')
    .exitOverride();
  cmd.parse(argv, { from: 'user' });
  const { out, note } = cmd.opts<{ out: string; note?: string }>();
  const c = await calibrate(log, note);
  await writeFileAtomic(out, JSON.stringify(c, null, 2) + '\n');
  for (const [k, v] of Object.entries(c.terms)) log(`  ${k.padEnd(20)} ${v}`);
  log(`wrote ${out}`);
}
