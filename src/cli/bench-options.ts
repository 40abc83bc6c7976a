/**
 * Command-line options of `npm run bench` (commander). Every option has a
 * default shown by --help; bad values fail with what is accepted.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { IO_TLB_SIZE, KERNEL_RULES, type KernelRules } from '../model/constants.js';
import { STRATEGIES, isStrategyPath } from '../../strategies/index.js';
import { DEFAULT_GENERATOR } from '../../workloads/generators/nvme.js';
import { DEFAULT_LATENCY } from '../../workloads/schedule/latency-model.js';
import { SEGMENT_MODES, type SegmentMode } from '../../workloads/drivers/nvme.js';
import { TRACE_FORMATS, workloadNames } from '../../workloads/index.js';

export interface BenchOptions {
  strategies: string[];
  workloads: string[];
  threads: number[];
  durationS: number;
  warmupS: number;
  repeat: number;
  /** Requested pool size, slots (undefined: each strategy's default). */
  poolSlots?: number;
  /** Memory budget of dynamic-growth, slots. */
  maxPoolSlots?: number;
  areas?: number;
  kernelRules: KernelRules;
  format?: string;
  nodes?: number;
  cpusPerNode?: number;
  seed: number;
  verify: boolean;
  out: string;
  label?: string;
  /** --reference: the strategy every other one is expressed as ratios to (a --strategy item or a loaded strategy's name). */
  reference?: string;
  segment: SegmentMode;
  minAlignMask: number;
  latency: string;
  completionCpu: 'same' | 'other';
  sampleEvery: number;
  sampleIntervalMs: number;
  barrierTimeoutS: number;
  bs: string;
  rw: string;
  rwmixread: number;
  iodepth: number;
  genIos: number;
  list: boolean;
  /** Draw a progress bar on a terminal (`--no-progress`: plain lines only). Undefined means true. */
  progress?: boolean;
  verbose: boolean;
  ring: number;
  mtu: number;
  napiBudget: number;
  wireGbps: number;
}

/** Largest pool accepted: 1 GiB, the CoCo heuristic's cap. */
const MAX_POOL_BYTES = 1 << 30;

function list(what: string, parseItem: (s: string) => string | number) {
  return (value: string) => {
    const items = value.split(',').map((s) => s.trim()).filter((s) => s !== '');
    if (items.length === 0) throw new InvalidArgumentError(`expected a comma-separated list of ${what}`);
    return items.map(parseItem);
  };
}

function positiveInt(what: string) {
  return (value: string) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`expected ${what} (an integer >= 1)`);
    return n;
  };
}

function nonNegativeInt(what: string) {
  return (value: string) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`expected ${what} (an integer >= 0)`);
    return n;
  };
}

function positiveSeconds(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('expected seconds > 0, e.g. 2 or 0.5');
  return n;
}

function nonNegativeSeconds(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new InvalidArgumentError('expected seconds >= 0');
  return n;
}

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

function mtu(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 576 || n > 9216) throw new InvalidArgumentError('expected an MTU from 576 to 9216 bytes, e.g. 1500 or 9000');
  return n;
}

function mask(value: string): number {
  const n = /^0x[0-9a-f]+$/i.test(value) ? parseInt(value, 16) : /^\d+$/.test(value) ? Number(value) : NaN;
  if (!Number.isInteger(n) || n < 0 || n >= 2 ** 31 || (n & (n + 1)) !== 0) throw new InvalidArgumentError('expected a mask of low bits such as 0xfff, 0x7ff or 0');
  return n;
}

/** The command definition (exported for --help tests). */
export function benchCommand(): Command {
  return new Command('npm run bench --')
    .description('Replay DMA bounce-buffer workloads through swiotlb allocator strategies on worker threads.')
    .addOption(new Option('--strategy <names>', `strategies, comma list (${[...STRATEGIES.keys()].join(', ')})`).default(['global-lock', 'per-cpu-areas'], 'global-lock,per-cpu-areas').argParser(list('strategy names', String)))
    .addOption(new Option('--workload <names>', `workloads, comma list (${workloadNames().join(', ')})`).default(['msr-hm0', 'tpcc'], 'msr-hm0,tpcc').argParser(list('workload names', String)))
    .addOption(new Option('--format <name>', `trace format for trace:PATH, instead of detecting it (${TRACE_FORMATS.map((f) => f.name).join(', ')})`).choices(TRACE_FORMATS.map((f) => f.name)))
    .addOption(new Option('--threads <list>', 'worker threads (CPUs) per run, comma list').default([1, 2], '1,2').argParser(list('thread counts', positiveInt('a thread count'))))
    .addOption(new Option('--duration <seconds>', 'measured time per run').default(2).argParser(positiveSeconds))
    .addOption(new Option('--warmup <seconds>', 'uncounted warm-up per run').default(0.5).argParser(nonNegativeSeconds))
    .addOption(new Option('--repeat <n>', 'repeats of every run').default(3).argParser(positiveInt('a repeat count')))
    .addOption(new Option('--pool <size>', 'pool size: bytes with KiB/MiB/GiB suffix, or slots (default: 64MiB; dynamic-growth starts at 1MiB)').argParser(parsePoolSize))
    .addOption(new Option('--max-pool <size>', 'dynamic-growth: memory budget the pools may grow to (default: 64MiB)').argParser(parsePoolSize))
    .addOption(new Option('--areas <n>', 'areas for per-cpu-areas (default: threads rounded up to a power of two)').argParser(positiveInt('an area count')))
    .addOption(new Option('--nodes <m>', 'virtual NUMA nodes for per-numa-pools (default 2; other strategies have 1)').argParser(positiveInt('a node count')))
    .addOption(new Option('--cpus-per-node <n>', 'CPUs per node, in contiguous blocks (default: threads / nodes, rounded up)').argParser(positiveInt('a CPU count')))
    .addOption(new Option('--kernel-rules <set>', 'slot-search rules: newest mainline, or v6.6').choices(KERNEL_RULES).default('newest'))
    .addOption(new Option('--seed <n>', 'seed for generated workloads').default(1).argParser(nonNegativeInt('a seed')))
    .addOption(new Option('--verify', 'stamp and check every bounced byte and every slot owner (slow)').default(false))
    .addOption(new Option('--out <dir>', 'results root: writes <dir>/<timestamp>-<label>/ and <dir>/latest/').default('results'))
    .addOption(new Option('--label <name>', 'label of the result directory (default: the workloads)'))
    .addOption(new Option('--reference <strategy>', "express every strategy's maps/s and p99 as ratios to this one (one of --strategy), with bootstrap CIs"))
    .addOption(new Option('--segment <mode>', 'request split: max = chunks of swiotlb_max_mapping_size, page = one mapping per 4 KiB page').choices(SEGMENT_MODES).default('max'))
    .addOption(new Option('--min-align-mask <mask>', "the device's min_align_mask (NVMe: 0xfff)").default(0xfff, '0xfff').argParser(mask))
    .addOption(new Option('--latency <spec>', 'completion model when a trace has no response time: BASE_US[+MB_PER_S]').default(DEFAULT_LATENCY))
    .addOption(new Option('--completion-cpu <cpu>', 'CPU that unmaps: same (submitting CPU) or other (the next CPU)').choices(['same', 'other']).default('same'))
    .addOption(new Option('--sample-every <n>', 'time one map and one unmap in every n (0: no latency sampling)').default(16).argParser(nonNegativeInt('a sampling interval')))
    .addOption(new Option('--sample-interval <ms>', 'pool occupancy/fragmentation sample interval').default(100).argParser(positiveInt('milliseconds')))
    .addOption(new Option('--barrier-timeout <seconds>', 'longest wait for workers to start, stop or hand over a mapping').default(30).argParser(positiveSeconds))
    .addOption(new Option('--bs <size>', 'nvme-gen: block size or fio bssplit (4k/50:64k/50)').default(DEFAULT_GENERATOR.bs))
    .addOption(new Option('--rw <mode>', 'nvme-gen: read, write, randread, randwrite, rw, randrw').default(DEFAULT_GENERATOR.rw))
    .addOption(new Option('--rwmixread <pct>', 'nvme-gen: percentage of reads for rw/randrw').default(DEFAULT_GENERATOR.rwmixread).argParser(nonNegativeInt('a percentage')))
    .addOption(new Option('--iodepth <n>', 'nvme-gen: I/Os in flight per CPU').default(DEFAULT_GENERATOR.iodepth).argParser(positiveInt('a queue depth')))
    .addOption(new Option('--gen-ios <n>', 'nvme-gen: I/Os generated per CPU (the replay loops over them)').default(DEFAULT_GENERATOR.iosPerJob).argParser(positiveInt('an I/O count')))
    .addOption(new Option('--list', 'list strategies and workloads, one line each, and exit').default(false))
    .addOption(new Option('--verbose', 'with --list: each workload\'s parameters, direction mix, mapping sizes and bytes in flight').default(false))
    .addOption(new Option('--no-progress', 'no progress bar on a terminal: one plain line per finished run (as in pipes and CI)'))
    .addOption(new Option('--ring <n>', 'network: RX buffers per queue').default(256).argParser(positiveInt('a ring size')))
    .addOption(new Option('--mtu <bytes>', 'network: MTU for net workloads and pcap replay (576..9216; profiles fix their own)').default(1500).argParser(mtu))
    .addOption(new Option('--napi-budget <n>', 'network: frames per NAPI poll').default(64).argParser(positiveInt('a budget')))
    .addOption(new Option('--wire-gbps <gbps>', 'network: link speed for arrival and wire times').default(10).argParser(positiveSeconds))
    .allowExcessArguments(false)
    .showHelpAfterError('(run with --help for every option and its default)')
    .exitOverride();
}

/** Parse argv (without node and script). @throws CommanderError */
export function parseBenchOptions(argv: string[]): BenchOptions {
  const cmd = benchCommand();
  cmd.parse(argv, { from: 'user' });
  const o = cmd.opts();
  // A plug-in's name is only known once loaded; runBench checks --reference against it (resolveReference).
  if (o.reference !== undefined && !o.strategy.includes(o.reference) && !o.strategy.some(isStrategyPath)) {
    cmd.error(`error: option '--reference <strategy>' argument '${o.reference}' is not one of --strategy (${o.strategy.join(', ')})`, { code: 'swiotlb.reference' });
  }
  return {
    strategies: o.strategy,
    workloads: o.workload,
    threads: o.threads,
    durationS: o.duration,
    warmupS: o.warmup,
    repeat: o.repeat,
    poolSlots: o.pool,
    maxPoolSlots: o.maxPool,
    areas: o.areas,
    kernelRules: o.kernelRules,
    format: o.format,
    nodes: o.nodes,
    cpusPerNode: o.cpusPerNode,
    seed: o.seed,
    verify: o.verify,
    out: o.out,
    label: o.label,
    reference: o.reference,
    segment: o.segment,
    minAlignMask: o.minAlignMask,
    latency: o.latency,
    completionCpu: o.completionCpu,
    sampleEvery: o.sampleEvery,
    sampleIntervalMs: o.sampleInterval,
    barrierTimeoutS: o.barrierTimeout,
    bs: o.bs,
    rw: o.rw,
    rwmixread: o.rwmixread,
    iodepth: o.iodepth,
    genIos: o.genIos,
    list: o.list,
    verbose: o.verbose,
    progress: o.progress,
    ring: o.ring,
    mtu: o.mtu,
    napiBudget: o.napiBudget,
    wireGbps: o.wireGbps,
  };
}
