/**
 * Workload registry: shipped real traces by name, the NVMe generator, and
 * `trace:PATH` for any file in a supported format (detected from content).
 */
import { basename, join } from 'node:path';
import { InputError, UnknownNameError } from '../src/errors.js';
import { projectRoot } from '../src/paths.js';
import { TraceSource } from './trace-source.js';
import type { LatencyModel } from './latency-model.js';
import { mqsimAscii } from './mqsim-ascii.js';
import { msrCsv } from './msr-csv.js';
import { type GeneratorParams, generateNvme } from './nvme-generator.js';
import type { IoRequest, TraceFormat } from './types.js';
import { ftraceFormat, swiotlbDmesgFormat } from './ftrace.js';
import { pcapFormat } from './pcap.js';
import { DEFAULT_NET, type NetOptions, netMappings } from './net-model.js';
import { PROFILES } from './profiles.js';

export const TRACE_FORMATS: readonly TraceFormat[] = [msrCsv, mqsimAscii];

/** Every format detection tries: block traces, then captures and swiotlb's own logs. */
export const ALL_FORMATS: readonly TraceFormat[] = [...TRACE_FORMATS, pcapFormat, ftraceFormat, swiotlbDmesgFormat];

/** What a workload needs to produce its requests. */
export interface WorkloadContext {
  threads: number;
  /** NIC model settings (`--ring`, `--mtu`, `--napi-budget`, `--wire-gbps`). */
  net?: Omit<NetOptions, 'threads'>;
  /** `--format NAME` for trace:PATH workloads. */
  format?: string;
  latency: LatencyModel;
  generator: GeneratorParams;
}

export interface WorkloadEntry {
  name: string;
  description: string;
  /** Fixed parameters of a named profile. */
  params?: Record<string, string | number>;
  load(ctx: WorkloadContext): Promise<LoadedTrace>;
}

function shippedTrace(name: string, file: string, format: TraceFormat, description: string): WorkloadEntry {
  return { name, description, load: () => readTrace(join(projectRoot(), 'workloads', 'traces', file), format) };
}

export const WORKLOADS: ReadonlyMap<string, WorkloadEntry> = new Map(
  [
    shippedTrace('msr-hm0', 'msr-cambridge-hm0-sample.csv', msrCsv,
      'MSR Cambridge hm_0 (real enterprise server volume): 1,000 requests, 49% writes, mostly 4 KiB, real response times'),
    shippedTrace('tpcc', 'mqsim-tpcc-small.trace', mqsimAscii,
      'TPC-C from MQSim (real OLTP): 6,999 requests, 63% reads, 8 KiB, dense burst; completions from --latency'),
    {
      name: 'nvme-gen',
      description: 'fio-like NVMe generator: one job per CPU, --bs/--rw/--rwmixread/--iodepth',
      load: async (ctx: WorkloadContext) => ({ requests: generateNvme(ctx.generator, ctx.threads, ctx.latency), format: 'generator', warnings: [] }),
    },
    ...PROFILES.map((p) => ({
      name: p.name,
      description: p.description,
      params: p.params,
      load: async (ctx: WorkloadContext) => {
        const net = { ...DEFAULT_NET, ...ctx.net, ...p.net };
        const frames = p.generate({ threads: ctx.threads, latency: ctx.latency, generator: ctx.generator, net });
        return { requests: netMappings(frames, { threads: ctx.threads, ...net }), format: 'profile', warnings: [] };
      },
    })),
  ].map((w) => [w.name, w]),
);

/** Valid workload names for messages (with the trace: form). */
export function workloadNames(): string[] {
  return [...WORKLOADS.keys(), 'trace:PATH'];
}

/** The name reports use: `trace:PATH` shortens to `trace:FILE`. */
export function workloadDisplayName(name: string): string {
  return name.startsWith('trace:') ? `trace:${basename(name.slice('trace:'.length))}` : name;
}

/**
 * Check a `--workload` item without loading it.
 * @throws UnknownNameError listing the valid names.
 */
export function checkWorkloadName(name: string): void {
  if (!name.startsWith('trace:') && !WORKLOADS.has(name)) throw new UnknownNameError('workload', name, workloadNames());
}

/**
 * Load the requests of a `--workload` item.
 * @throws UnknownNameError, InputError or ParseError (file, line, field).
 */
export async function loadWorkload(name: string, ctx: WorkloadContext): Promise<LoadedTrace> {
  if (name.startsWith('trace:')) {
    const trace = await readTrace(name.slice('trace:'.length), ctx.format);
    // Network frames (pcap) become NIC ring and transmit mappings for this many queues.
    if (trace.requests.some((r) => r.network)) trace.requests = netMappings(trace.requests, { threads: ctx.threads, ...DEFAULT_NET, ...ctx.net });
    return trace;
  }
  checkWorkloadName(name);
  return WORKLOADS.get(name)!.load(ctx);
}

/** Every trace format, by name (for `--format`). */
export function formatByName(name: string): TraceFormat {
  const format = ALL_FORMATS.find((f) => f.name === name);
  if (!format) throw new UnknownNameError('format', name, ALL_FORMATS.map((f) => f.name));
  return format;
}

/**
 * Pick the format of a trace from its head.
 * @throws InputError saying which formats were tried and why each failed.
 */
export function detectFormat(source: TraceSource): TraceFormat {
  if (source.head.length === 0) throw new InputError(`${source.file}: empty trace file`);
  const reasons: string[] = [];
  for (const format of ALL_FORMATS) {
    const why = format.sniff(source);
    if (why === null) return format;
    reasons.push(`${format.name}: ${why}`);
  }
  throw new InputError(`${source.file}: matches no trace format (tried ${reasons.join('; ')}); use --format NAME to force one`);
}

/** A trace's requests and what reading it warned about. */
export interface LoadedTrace {
  requests: IoRequest[];
  format: string;
  warnings: string[];
}

/**
 * Read every request of a trace file by streaming it (format detected from
 * content unless given).
 * @throws InputError, ParseError
 */
export async function readTrace(file: string, format?: TraceFormat | string): Promise<LoadedTrace> {
  const source = await TraceSource.open(file);
  const fmt = typeof format === 'string' ? formatByName(format) : format ?? detectFormat(source);
  const requests: IoRequest[] = [];
  for await (const request of fmt.read(source)) requests.push(request);
  if (requests.length === 0) throw new InputError(`${file}: no requests in trace`);
  return { requests, format: fmt.name, warnings: source.warnings };
}
