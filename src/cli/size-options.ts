/** Every option of `npm run size`, declared once (option-spec.ts builds the parser, --help and docs/sizing.md's table). */
import { availableParallelism } from 'node:os';
import { KERNEL_RULES, type KernelRules } from '../model/constants.js';
import { STRATEGIES } from '../../strategies/index.js';
import { workloadNames } from '../../workloads/index.js';
import { parsePoolSize } from './bench-options.js';
import { type OptionValues, option, parse } from './option-spec.js';

/** `--vm-memory`: GiB, each from 1 to 65536. */
const parseGiB = parse.list('memory sizes in GiB', parse.int(1, 'a memory size in GiB', 65_536));

/** `--max-failure-rate`: a share of map attempts, 0 < r < 1. */
const parseRate = parse.between(0, 1, '1e-4');

/** Every option of `npm run size`, in --help order. */
export const SIZE_OPTIONS = {
  /** Workloads to size the pool for. @default ['msr-hm0', 'nvme-4k-randread-qd32', 'net-rx-mtu1500'] */
  workload: option<string[]>({ arg: '<names>', help: `workloads, comma list (${workloadNames().join(', ')})`, default: ['msr-hm0', 'nvme-4k-randread-qd32', 'net-rx-mtu1500'], parse: parse.list('workload names', String), compared: false }),
  /** Strategies: static ones get the smallest pool; dynamic-growth gets a replay from the kernel's default pool. @default ['global-lock', 'per-cpu-areas', 'per-numa-pools', 'dynamic-growth'] */
  strategy: option<string[]>({ arg: '<names>', help: `strategies, comma list (${[...STRATEGIES.keys()].join(', ')}, or ./plugin.ts); dynamic-growth is replayed from the kernel's 64 MiB default pool instead of searched`, default: ['global-lock', 'per-cpu-areas', 'per-numa-pools', 'dynamic-growth'], parse: parse.list('strategy names', String), compared: false }),
  /** CPU counts (virtual CPUs of the sim engine; also the areas, as num_possible_cpus()). @default [1, 8, 64, 256] */
  threads: option<number[]>({ arg: '<list>', help: 'CPU counts, comma list: virtual CPUs of the replay and num_possible_cpus() for the area count', default: [1, 8, 64, 256], parse: parse.list('CPU counts', parse.int(1, 'a CPU count', 1024)), compared: false }),
  /** Seeds of generated workloads (profiles, nvme-gen); the answer is the largest over them. Traces replay once. @default [1, 2, 3] */
  seeds: option<number[]>({ arg: '<list>', help: 'seeds of generated workloads (profiles, nvme-gen), comma list; the answer is the largest pool over them; traces replay once', default: [1, 2, 3], parse: parse.list('seeds', parse.int(0, 'a seed', 2 ** 32 - 1)) }),
  /** The failure rate the second answer allows, a share of map attempts. @default 1e-4 */
  maxFailureRate: option<number>({ arg: '<rate>', help: 'the second answer: the smallest pool whose failures stay at or under this share of map attempts', default: 1e-4, parse: parseRate }),
  /** VM memory sizes the 6% heuristic is shown for, GiB. @default [2, 8, 32, 128, 512] */
  vmMemory: option<number[]>({ arg: '<GiB list>', help: "confidential-VM memory sizes for the kernel's 6% / [64 MiB, 1 GiB] default pool, comma list in GiB", default: [2, 8, 32, 128, 512], parse: parseGiB, unit: 'GiB' }),
  /** Times each CPU replays its own events per probe. @default 1 */
  passes: option<number>({ arg: '<n>', help: 'times each CPU replays its own share of the schedule per probe, from an empty pool (1 = the whole replay once)', default: 1, parse: parse.int(1, 'a pass count', 100) }),
  /** dynamic-growth's memory budget from the 64 MiB boot pool, slots once parsed (the model's page reserve; the kernel's limit is the memory it can allocate). @default 1 GiB */
  maxPool: option<number>({ arg: '<size>', help: "dynamic-growth: the memory its boot pool, growth and transient pools may hold together (the model's budget; the kernel grows while it can allocate)", default: (1 << 30) / 2048, defaultText: '1GiB', parse: parsePoolSize, unit: 'slots' }),
  /** Probe every candidate pool instead of bisecting: slower, and names the seeds whose failures are not monotone in the pool size. @default false */
  scan: option<boolean>({ help: 'probe every candidate pool instead of bisecting (slower); sizing.md then names any seed where a larger pool failed and a smaller one did not', default: false }),
  /** Real-thread check at the CPU counts this machine has cores for, seconds per run; 0 = none. @default 1 */
  checkDuration: option<number>({ arg: '<seconds>', help: "real threads at the sim-found smallest pool, for CPU counts up to this machine's cores: seconds per run (0 = no check)", default: 1, parse: parse.seconds(true, 600), unit: 's' }),
  /** The virtual-time engine's cost terms. @default calibration/default.json */
  calibration: option<string>({ arg: '<file>', help: 'cost terms of the virtual-time engine (npm run calibrate); they set the interleaving, so the answer is for this calibration', defaultText: 'calibration/default.json', parse: parse.text('a calibration file') }),
  /** Slot-search rules. @default 'newest' */
  kernelRules: option<KernelRules>({ arg: '<set>', help: "slot-search rules: the newest mainline, or v6.6's", choices: KERNEL_RULES, default: 'newest' }),
  /** Probes run at once, one worker thread each. @default the cores */
  jobs: option<number>({ arg: '<n>', help: 'probes run at once, one worker thread each', default: availableParallelism(), defaultText: 'the cores', parse: parse.int(1, 'a job count', 256), compared: false }),
  /** Results root. @default 'results' */
  out: option<string>({ arg: '<dir>', help: 'results root: writes DIR/<timestamp>-<label>/ and DIR/latest', default: 'results', parse: parse.text('a directory'), compared: false }),
  /** Label of the result directory. @default 'sizing' */
  label: option<string>({ arg: '<name>', help: 'label of the result directory', default: 'sizing', parse: parse.text('a label'), compared: false }),
};

/** The parsed options of `npm run size`. */
export type SizeOptions = OptionValues<typeof SIZE_OPTIONS>;
