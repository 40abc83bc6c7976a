/**
 * Every option of `npm run bench`, declared once (option-spec.ts builds the
 * parser, --help, summary.json's `config` and docs/options.md from this).
 * Keys are the options' camelCase names: `maxPool` is `--max-pool`.
 */
import { InvalidArgumentError } from 'commander';
import { IO_TLB_SIZE, KERNEL_RULES, type KernelRules } from '../model/constants.js';
import { LOCK_KINDS, type LockKind } from '../model/lock.js';
import { DEFAULT_MIN_EFFECT } from '../stats/decision.js';
import { STRATEGIES } from '../../strategies/index.js';
import { DEFAULT_IOVA_GRANULE, IOVA_GRANULES, granuleName } from '../../workloads/drivers/iommu.js';
import { SEGMENT_MODES, type SegmentMode } from '../../workloads/drivers/nvme.js';
import { TRACE_FORMATS } from '../../workloads/formats/index.js';
import { DEFAULT_GENERATOR } from '../../workloads/generators/nvme.js';
import { workloadNames } from '../../workloads/index.js';
import { DEFAULT_LATENCY } from '../../workloads/latency-model.js';
import { WHOLE_SECONDS_MODES, type WholeSeconds } from '../../workloads/whole-seconds.js';
import { type OptionValues, option, parse } from './option-spec.js';
import { MAX_SHARDS, type ShardSpec, parseShard } from './shard.js';

/** Largest pool accepted: 1 GiB, the CoCo heuristic's cap. */
const MAX_POOL_BYTES = 1 << 30;

/**
 * Parse `--pool`: bytes with a KiB/MiB/GiB (or K/M/G, B) suffix, or a plain
 * number of 2 KiB slots. Returns slots.
 * @throws InvalidArgumentError naming the accepted forms.
 */
export function parsePoolSize(value: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(kib|mib|gib|k|m|g|b)?$/i.exec(value.trim());
  if (!m) throw new InvalidArgumentError('expected bytes with a KiB/MiB/GiB suffix (e.g. 64MiB) or a number of 2 KiB slots (e.g. 32768)');
  const unit = m[2]?.toLowerCase();
  const n = Number(m[1]);
  const bytes = unit === undefined ? n * IO_TLB_SIZE : n * ({ b: 1, k: 1024, kib: 1024, m: 2 ** 20, mib: 2 ** 20, g: 2 ** 30, gib: 2 ** 30 } as Record<string, number>)[unit];
  if (!(bytes >= IO_TLB_SIZE) || bytes > MAX_POOL_BYTES) throw new InvalidArgumentError('expected a pool from 2 KiB (1 slot) to 1 GiB');
  return Math.ceil(bytes / IO_TLB_SIZE);
}

/** `--min-align-mask`: a mask of low bits, hex or decimal. */
function parseMask(value: string): number {
  const n = /^0x[0-9a-f]+$/i.test(value) ? parseInt(value, 16) : /^\d+$/.test(value) ? Number(value) : NaN;
  if (!Number.isInteger(n) || n < 0 || n >= 2 ** 31 || (n & (n + 1)) !== 0) throw new InvalidArgumentError('expected a mask of low bits such as 0xfff, 0x7ff or 0');
  return n;
}

/** `--iova-granule`: 4k, 16k or 64k, in bytes. */
function parseGranule(value: string): number {
  const bytes = IOVA_GRANULES.get(value.toLowerCase());
  if (bytes === undefined) throw new InvalidArgumentError(`expected one of ${[...IOVA_GRANULES.keys()].join(', ')}`);
  return bytes;
}

/** `--mtu`: 576..9216 bytes. */
function parseMtu(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 576 || n > 9216) throw new InvalidArgumentError('expected an MTU from 576 to 9216 bytes, e.g. 1500 or 9000');
  return n;
}

/** `--wire-gbps`: a link speed > 0. */
function parseGbps(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0 || n > 10_000) throw new InvalidArgumentError('expected a link speed in Gb/s above 0 and at most 10000, e.g. 10 or 100');
  return n;
}

/** `--sim-sweep`: `off`, or CPU counts from 1 to 1024. */
function parseSweep(value: string): number[] {
  if (value.trim() === 'off') return [];
  return parse.list('CPU counts', parse.int(1, 'a CPU count', 1024))(value);
}

/** Every option of `npm run bench`, in --help order. */
export const BENCH_OPTIONS = {
  /** Strategies to compare: built-in names or plug-in files. @default ['global-lock', 'per-cpu-areas'] */
  strategy: option<string[]>({ arg: '<names>', help: `strategies, comma list (${[...STRATEGIES.keys()].join(', ')}, or ./path/to/plugin.ts)`, default: ['global-lock', 'per-cpu-areas'], parse: parse.list('strategy names', String), compared: false }),
  /** Workloads: named ones or `trace:PATH`. @default ['msr-hm0', 'tpcc'] */
  workload: option<string[]>({ arg: '<names>', help: `workloads, comma list (${workloadNames().join(', ')})`, default: ['msr-hm0', 'tpcc'], parse: parse.list('workload names', String), compared: false }),
  /** Trace format of `trace:PATH` files instead of detecting it. @default detected from content */
  format: option<string>({ arg: '<name>', help: 'trace format for trace:PATH, instead of detecting it', choices: TRACE_FORMATS.map((f) => f.name), defaultText: 'detected' }),
  /** Worker threads (CPUs) per run. @default [1, 2] */
  threads: option<number[]>({ arg: '<list>', help: 'worker threads (CPUs) per run, comma list', default: [1, 2], parse: parse.list('thread counts', parse.int(1, 'a thread count', 1024)), compared: false }),
  /** Which engine runs the job. @default 'real' */
  engine: option<'real' | 'sim'>({ arg: '<engine>', help: 'real = one worker thread per CPU, timed on this machine; sim = the deterministic virtual-time engine: every CPU in one thread, times predicted from --calibration (docs/sim.md)', choices: ['real', 'sim'], default: 'real' }),
  /** The virtual-time engine's cost terms. @default calibration/default.json */
  calibration: option<string>({ arg: '<file>', help: 'sim: cost terms measured by npm run calibrate (on this or another machine)', defaultText: 'calibration/default.json', parse: parse.text('a calibration file') }),
  /** Measured map attempts per sim run. @default 200000 */
  simMaps: option<number>({ arg: '<n>', help: 'sim: measured map attempts per run, all CPUs together (a quarter as many warm up first); replaces --duration and --warmup', default: 200_000, parse: parse.int(1000, 'a map count', 1e9) }),
  /** After a real job: the virtual-time engine at these CPU counts. @default [1, 2, 4, 8, 16, 32, 64, 128, 256] */
  simSweep: option<number[]>({ arg: '<list|off>', help: 'after a real job, the same workloads and strategies on the virtual-time engine at these CPU counts (scaling-sim.csv, dashed lines in scaling.png, a quarter of --sim-maps each); off = none', default: [1, 2, 4, 8, 16, 32, 64, 128, 256], parse: parseSweep, show: (v) => (v.length ? v.join(',') : 'off'), compared: false }),
  /** SLIT distances between nodes. @default '10,20' */
  numaDistance: option<string>({ arg: '<spec>', help: 'sim: NUMA distances, LOCAL,REMOTE or a file of one row per node (ACPI SLIT, 10 = local); remote copies and line transfers cost REMOTE/LOCAL times more', default: '10,20', parse: parse.text('a distance spec') }),
  /** Measured time per run, seconds. @default 2 */
  duration: option<number>({ arg: '<seconds>', help: 'measured time per run', default: 2, parse: parse.seconds(), unit: 's' }),
  /** Uncounted warm-up per run, seconds. @default 0.5 */
  warmup: option<number>({ arg: '<seconds>', help: 'uncounted warm-up per run (the pool is warm when measuring starts)', default: 0.5, parse: parse.seconds(true, 3600), unit: 's' }),
  /** Repeats of every run. @default 3 */
  repeat: option<number>({ arg: '<n>', help: 'repeats of every run; strategies alternate inside each repeat', default: 3, parse: parse.int(1, 'a repeat count', 1000), compared: false }),
  /**
   * This machine's part of a sweep over n machines: i/n (1-based), or auto/n
   * with i from JOB_COMPLETION_INDEX or SLURM_ARRAY_TASK_ID (0-based). The
   * unit is one (workload, threads) group with all its strategies and
   * repeats; the shard's result directory also holds shard.json for
   * `npm run merge` (src/cli/shard.ts, docs/sharding.md).
   * @default the whole matrix, no shard.json
   */
  shard: option<ShardSpec>({ arg: '<i/n>', help: `run shard i of n (1-based; auto/n: i from JOB_COMPLETION_INDEX or SLURM_ARRAY_TASK_ID, 0-based; n up to ${MAX_SHARDS}) of the (workload, threads) groups, each with all its strategies and repeats, and write shard.json for npm run merge (docs/sharding.md)`, defaultText: 'the whole matrix', parse: parseShard, show: (v) => `${v.index}/${v.count}`, compared: false }),
  /** Pool size, in slots once parsed. @default each strategy's: 64 MiB, dynamic-growth 1 MiB */
  pool: option<number>({ arg: '<size>', help: 'pool size: bytes with a KiB/MiB/GiB suffix, or 2 KiB slots; at most 1 GiB; per-numa-pools splits it over the nodes', defaultText: '64MiB; dynamic-growth: 1MiB', parse: parsePoolSize, unit: 'slots' }),
  /** dynamic-growth's memory budget, in slots once parsed. @default 64 MiB */
  maxPool: option<number>({ arg: '<size>', help: 'dynamic-growth: the memory budget its pools (and transient pools) may grow to', defaultText: '64MiB', parse: parsePoolSize, unit: 'slots' }),
  /** per-device-pools: each device's own pool, in slots once parsed. @default the --pool memory split over the workload's devices */
  devicePool: option<number>({ arg: '<size>', help: "per-device-pools: each device's restricted-dma-pool (bytes with a KiB/MiB/GiB suffix, or 2 KiB slots), not rounded, as rmem_swiotlb_device_init takes the region's size", defaultText: "the --pool memory split over the workload's devices (equal memory)", parse: parsePoolSize, unit: 'slots' }),
  /** child-pools: which child a map starts in. @default 'device' */
  childPer: option<'device' | 'queue'>({ arg: '<scope>', help: "child-pools: device = the device's children taken round-robin per map, as Tianyu Lan's RFC did; queue = the submitting CPU's queue's child", choices: ['device', 'queue'], default: 'device' }),
  /** Areas per pool. @default threads (per node), rounded up to a power of two */
  areas: option<number>({ arg: '<n>', help: 'areas per pool (not global-lock)', defaultText: 'threads (per node), rounded up to a power of two', parse: parse.int(1, 'an area count', 65_536) }),
  /** Virtual NUMA nodes, one or a list. @default 2 for per-numa-pools, else 1 */
  nodes: option<number[]>({ arg: '<list>', help: 'virtual NUMA nodes: per-numa-pools puts a pool on each; with --engine sim the other strategies\' CPUs are spread over them too (their pool on node 0). A list (2,4,8) runs each strategy once per node count, named STRATEGY/nodes=M', defaultText: '2 for per-numa-pools, else 1', parse: parse.list('node counts', parse.int(1, 'a node count', 64)) }),
  /** CPUs per node, in contiguous blocks. @default threads / nodes, rounded up */
  cpusPerNode: option<number>({ arg: '<n>', help: 'CPUs per node, in contiguous blocks (per-numa-pools; every strategy with --engine sim)', defaultText: 'threads / nodes, rounded up', parse: parse.int(1, 'a CPU count', 1024) }),
  /** Slot-search rules. @default 'newest' */
  kernelRules: option<KernelRules>({ arg: '<set>', help: "slot-search rules: the newest mainline, or v6.6's (docs/model.md)", choices: KERNEL_RULES, default: 'newest' }),
  /** CONFIG_DEBUG_FS: the shared io_tlb_used / hiwater atomics. @default 'on' (as the distributions' kernels) */
  debugfs: option<'on' | 'off'>({ arg: '<on|off>', help: "CONFIG_DEBUG_FS: on = every map and unmap updates the shared io_tlb_used and hiwater atomics (Debian, Fedora, Ubuntu and RHEL kernels are built so); off = no shared counters, mem_used() sums the areas", choices: ['on', 'off'], default: 'on' }),
  /** The areas' lock. @default qspinlock when threads <= cores, else mutex */
  lock: option<LockKind>({ arg: '<kind>', help: "area lock: qspinlock = FIFO spinlock that never sleeps, as the kernel's spin_lock_irqsave; mutex = spin-then-park, for more threads than cores", choices: LOCK_KINDS, defaultText: 'qspinlock when the threads (and a growth thread) fit on the cores, else mutex' }),
  /** Seed of generated workloads. @default 1 */
  seed: option<number>({ arg: '<n>', help: 'seed of generated workloads', default: 1, parse: parse.int(0, 'a seed', 2 ** 32 - 1) }),
  /** Check every bounced byte and slot owner. @default false */
  verify: option<boolean>({ help: 'stamp and check every bounced byte and every slot owner (slow; docs/verify.md)', default: false }),
  /** Results root. @default 'results' */
  out: option<string>({ arg: '<dir>', help: 'results root: writes DIR/<timestamp>-<label>/ and DIR/latest', default: 'results', parse: parse.text('a directory'), compared: false }),
  /** Label of the result directory. @default the workload names */
  label: option<string>({ arg: '<name>', help: 'label of the result directory', defaultText: 'the workload names', parse: parse.text('a label'), compared: false }),
  /** Minimum effect of the verdicts, percent: the ±band a ratio must clear to be called faster or slower. @default 5 */
  minEffect: option<number>({ arg: '<pct>', help: 'minimum effect of the verdicts: faster/slower when the CI clears the ±PCT% band, same when it lies inside it, else inconclusive (one rule with compare and gate)', default: DEFAULT_MIN_EFFECT * 100, parse: parse.between(0, 100, '5'), unit: '%', compared: false }),
  /** The strategy every other one is expressed as ratios to. @default none */
  reference: option<string>({ arg: '<strategy>', help: "express every strategy's maps/s and p99 as ratios to this one (one of --strategy), with CIs paired by repeat", compared: false }),
  /** How requests are split into mappings. @default 'max' */
  segment: option<SegmentMode>({ arg: '<mode>', help: 'request split: max = chunks of swiotlb_max_mapping_size(), page = one mapping per 4 KiB page', choices: SEGMENT_MODES, default: 'max' }),
  /** The device's min_align_mask. @default 0xfff */
  minAlignMask: option<number>({ arg: '<mask>', help: "the device's min_align_mask (NVMe PCI sets 0xfff)", default: 0xfff, defaultText: '0xfff', parse: parseMask, show: (v) => `0x${v.toString(16)}` }),
  /** Completion model for traces without response times. @default '80+3000' */
  latency: option<string>({ arg: '<spec>', help: 'completion time when a trace has none: BASE_US[+MB_PER_S], e.g. 80 us plus transfer at 3000 MB/s', default: DEFAULT_LATENCY }),
  /** Whole-second traces: spread each second's requests across it, or keep them. @default 'spread' */
  wholeSeconds: option<WholeSeconds>({ arg: '<mode>', help: "traces whose timestamps are whole seconds (tencent, cloudphysics-csv): spread = a second's n requests arrive k/n s into it, keep = all at once as logged", choices: WHOLE_SECONDS_MODES, default: 'spread' }),
  /** IOVA granule of the iommu-untrusted profiles, bytes. @default 4096 (4k) */
  iovaGranule: option<number>({ arg: '<size>', help: `iommu-untrusted-nvme/-nic: the IOMMU granule (${[...IOVA_GRANULES.keys()].join(', ')}); what does not fill whole granules bounces, aligned to them (alloc_align_mask = granule - 1)`, default: DEFAULT_IOVA_GRANULE, defaultText: granuleName(DEFAULT_IOVA_GRANULE), parse: parseGranule, show: granuleName, unit: 'bytes' }),
  /** The CPU that unmaps. @default 'same' */
  completionCpu: option<'same' | 'other'>({ arg: '<cpu>', help: 'CPU that unmaps: same (the submitting CPU) or other (the next CPU)', choices: ['same', 'other'], default: 'same' }),
  /** Time one map and one unmap in every N. @default 16 */
  sampleEvery: option<number>({ arg: '<n>', help: 'time one map and one unmap in every n (0: no latency sampling)', default: 16, parse: parse.int(0, 'a sampling interval', 1 << 20) }),
  /** Pool sample interval, ms. @default 100 */
  sampleInterval: option<number>({ arg: '<ms>', help: 'pool occupancy and fragmentation sample interval', default: 100, parse: parse.int(1, 'milliseconds', 60_000), unit: 'ms' }),
  /** Longest wait for workers, seconds. @default 30 */
  barrierTimeout: option<number>({ arg: '<seconds>', help: 'longest a worker may take to start, stop, or hand a mapping to another CPU before the run fails', default: 30, parse: parse.seconds(false, 3600), unit: 's' }),
  /** nvme-gen block size or bssplit. @default '4k' */
  bs: option<string>({ arg: '<size>', help: 'nvme-gen: block size or fio bssplit (4k/50:64k/50)', default: DEFAULT_GENERATOR.bs }),
  /** nvme-gen direction mode. @default 'randread' */
  rw: option<string>({ arg: '<mode>', help: 'nvme-gen: read, write, randread, randwrite, rw, randrw', default: DEFAULT_GENERATOR.rw }),
  /** nvme-gen share of reads, percent. @default 70 */
  rwmixread: option<number>({ arg: '<pct>', help: 'nvme-gen: percentage of reads for rw/randrw', default: DEFAULT_GENERATOR.rwmixread, parse: parse.int(0, 'a percentage', 100), unit: '%' }),
  /** nvme-gen I/Os in flight per CPU. @default 32 */
  iodepth: option<number>({ arg: '<n>', help: 'nvme-gen: I/Os in flight per CPU', default: DEFAULT_GENERATOR.iodepth, parse: parse.int(1, 'a queue depth', 65_536) }),
  /** nvme-gen I/Os generated per CPU. @default 4096 */
  genIos: option<number>({ arg: '<n>', help: 'nvme-gen: I/Os generated per CPU (the replay loops over them)', default: DEFAULT_GENERATOR.iosPerJob, parse: parse.int(1, 'an I/O count', 1 << 20) }),
  /** List strategies and workloads and exit. @default false */
  list: option<boolean>({ help: 'list strategies and workloads, one line each, and exit', default: false, compared: false }),
  /** With --list: each workload's facts. @default false */
  verbose: option<boolean>({ help: "with --list: each workload's parameters, direction mix, mapping sizes and bytes in flight", default: false, compared: false }),
  /** Print stack traces with errors. @default false */
  debug: option<boolean>({ help: 'print stack traces with errors (they always go to the failed run\'s ERROR.txt)', default: false, compared: false }),
  /** Draw a progress bar on a terminal (`--no-progress`: plain lines). @default true */
  progress: option<boolean>({ help: 'no progress bar on a terminal: one plain line per finished run (as in pipes and CI)', default: true, negated: true, compared: false }),
  /** Network: RX buffers per queue. @default 256 */
  ring: option<number>({ arg: '<n>', help: 'network: RX buffers per queue', default: 256, parse: parse.int(1, 'a ring size', 65_536) }),
  /** Network: MTU, bytes. @default 1500 */
  mtu: option<number>({ arg: '<bytes>', help: 'network: MTU for net workloads and pcap replay (576..9216; named profiles fix their own)', default: 1500, parse: parseMtu, unit: 'bytes' }),
  /** Network: frames per NAPI poll. @default 64 */
  napiBudget: option<number>({ arg: '<n>', help: 'network: frames per NAPI poll', default: 64, parse: parse.int(1, 'a budget', 65_536) }),
  /** Network: link speed, Gb/s. @default 10 */
  wireGbps: option<number>({ arg: '<gbps>', help: 'network: link speed for generated arrivals and TX wire times', default: 10, parse: parseGbps, unit: 'Gb/s' }),
};

/** The parsed options of `npm run bench` (units: seconds, slots, ms as declared). */
export type BenchOptions = OptionValues<typeof BENCH_OPTIONS>;
