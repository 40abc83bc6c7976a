/**
 * `--engine sim`: the virtual-time engine's settings from the options, read
 * and checked before any run (a bad calibration file or distance table is
 * exit 2 naming the file and field).
 */
import { InputError } from '../base/errors.js';
import type { SimSettings } from '../run/sim/sim-run.js';
import { defaultCalibrationFile, loadCalibration } from '../run/sim/calibration.js';
import { parseDistance } from '../run/sim/topology.js';
import { BENCH_OPTIONS, type BenchOptions } from './bench-options.js';
import { shownPath } from '../base/paths.js';

/**
 * The settings of a sim job, or undefined for a real one.
 * @throws InputError for an unreadable or malformed --calibration or --numa-distance.
 */
export function simSettings(opts: BenchOptions): SimSettings | undefined {
  if (opts.engine !== 'sim') return undefined;
  const file = opts.calibration ?? defaultCalibrationFile();
  const calibration = loadCalibration(file);
  const nodes = opts.nodes?.[0] ?? 1;
  for (const n of opts.nodes ?? [1]) parseDistance(opts.numaDistance, n);
  return { calibration, calibrationFile: file, nodes, cpusPerNode: opts.cpusPerNode, distance: (n) => parseDistance(opts.numaDistance, n), maps: opts.simMaps };
}

/** Where the engine's times come from: the calibration file and its machine. */
export function simSource(sim: SimSettings): string {
  const m = sim.calibration.machine;
  return `predicted from ${shownPath(sim.calibrationFile)}, measured on ${m.cpu_model}, ${m.cores} cores, Node ${m.node}, ${m.measured_at}`;
}

/** One line saying which figures of a sim job are predicted, and from what. */
export function simLine(sim: SimSettings): string {
  return `engine: sim (virtual time); maps/s and latencies are ${simSource(sim)}; failures, hiwater and fragmentation are the allocator's own`;
}

/** Options that only the other engine reads, given anyway: a warning each (those with defaults count when changed). */
export function engineWarnings(opts: BenchOptions): string[] {
  if (opts.engine === 'sim') {
    return opts.lock ? ['--lock is ignored with --engine sim: the engine models the FIFO queued spinlock in virtual time; drop it or use --engine real'] : [];
  }
  if (opts.simSweep.length > 0) return []; // the sweep that ends a real job reads them
  const given = [
    opts.calibration !== undefined && '--calibration',
    opts.simMaps !== BENCH_OPTIONS.simMaps.default && '--sim-maps',
    opts.numaDistance !== BENCH_OPTIONS.numaDistance.default && '--numa-distance',
  ].filter((x): x is string => typeof x === 'string');
  return given.map((flag) => `${flag} applies only to --engine sim and the sim sweep, and --sim-sweep is off; add --engine sim or drop it`);
}

/**
 * Refuse what the virtual-time engine cannot do.
 * @throws InputError for --verify with --engine sim (no bytes are stamped in virtual time).
 */
export function checkSimOptions(opts: BenchOptions): void {
  if (opts.engine === 'sim' && opts.verify) {
    throw new InputError('--verify cannot run with --engine sim: the engine checks no bytes (its allocator figures are the real code\'s); use --engine real --verify');
  }
}
