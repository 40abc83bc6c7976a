/**
 * Workload registry: shipped real traces by name, the NVMe generator, and
 * `trace:PATH` for any file in a supported format (detected from content).
 */
import { basename, join } from 'node:path';
import { InputError, UnknownNameError } from '../src/errors.js';
import { projectRoot } from '../src/paths.js';
import { firstLine, readLines } from './line-reader.js';
import type { LatencyModel } from './latency-model.js';
import { mqsimAscii } from './mqsim-ascii.js';
import { msrCsv } from './msr-csv.js';
import { type GeneratorParams, generateNvme } from './nvme-generator.js';
import type { IoRequest, TraceFormat } from './types.js';

export const TRACE_FORMATS: readonly TraceFormat[] = [msrCsv, mqsimAscii];

/** What a workload needs to produce its requests. */
export interface WorkloadContext {
  threads: number;
  latency: LatencyModel;
  generator: GeneratorParams;
}

export interface WorkloadEntry {
  name: string;
  description: string;
  load(ctx: WorkloadContext): Promise<IoRequest[]>;
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
      load: async (ctx: WorkloadContext) => generateNvme(ctx.generator, ctx.threads, ctx.latency),
    },
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
export async function loadWorkload(name: string, ctx: WorkloadContext): Promise<IoRequest[]> {
  if (name.startsWith('trace:')) return readTrace(name.slice('trace:'.length));
  checkWorkloadName(name);
  return WORKLOADS.get(name)!.load(ctx);
}

/**
 * Pick the format of `file` from its first non-blank line.
 * @throws InputError saying which formats were tried and why each failed.
 */
export async function detectFormat(file: string): Promise<TraceFormat> {
  const line = await firstLine(file);
  if (line === null) throw new InputError(`${file}: empty trace file`);
  const reasons: string[] = [];
  for (const format of TRACE_FORMATS) {
    const why = format.sniff(line);
    if (why === null) return format;
    reasons.push(`${format.name}: ${why}`);
  }
  throw new InputError(`${file}:1: matches no trace format (${reasons.join('; ')})`);
}

/** Read every request of a trace file by streaming it. @throws InputError, ParseError */
export async function readTrace(file: string, format?: TraceFormat): Promise<IoRequest[]> {
  const fmt = format ?? (await detectFormat(file));
  const parse = fmt.parser(file);
  const out: IoRequest[] = [];
  for await (const [n, line] of readLines(file)) {
    const request = parse(line, n);
    if (request) out.push(request);
  }
  if (out.length === 0) throw new InputError(`${file}: no requests in trace`);
  return out;
}
