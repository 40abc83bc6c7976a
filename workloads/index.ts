/**
 * Workload registry: shipped real traces and named profiles by name, the
 * NVMe generator, and `trace:PATH` for any file in a supported format
 * (detected from content, or `--format`).
 */
import { basename, join } from 'node:path';
import { InputError, UnknownNameError } from '../src/base/errors.js';
import { projectRoot } from '../src/base/paths.js';
import { DEFAULT_IOVA_GRANULE, type IommuPath, untrustedBounces } from './drivers/iommu.js';
import { DEFAULT_NET, type NetOptions, netMappings } from './drivers/nic.js';
import type { TraceFormat } from './formats/format.js';
import { type LoadedTrace, formatByName, readTrace } from './formats/index.js';
import { mqsimAscii } from './formats/mqsim.js';
import { msrCsv } from './formats/msr.js';
import { pcapFormat } from './formats/pcap.js';
import { systor17Csv } from './formats/systor17.js';
import { tencentCbsCsv } from './formats/tencent-cbs.js';
import { type GeneratorParams, generateNvme } from './generators/nvme.js';
import { PROFILES } from './generators/profiles.js';
import type { LatencyModel } from './latency-model.js';
import type { IoRequest } from './types.js';
import { type WholeSeconds, spreadWholeSeconds } from './whole-seconds.js';

/** What a workload needs to produce its requests. */
export interface WorkloadContext {
  threads: number;
  /** NIC model settings (`--ring`, `--mtu`, `--napi-budget`, `--wire-gbps`). */
  net?: Omit<NetOptions, 'threads'>;
  /** `--format NAME` for trace:PATH workloads. */
  format?: string;
  latency: LatencyModel;
  generator: GeneratorParams;
  /** `--whole-seconds`: spread the requests of whole-second traces across each second (default), or keep them. */
  wholeSeconds?: WholeSeconds;
  /** `--iova-granule`: the IOMMU granule of the iommu-untrusted profiles, bytes. @default DEFAULT_IOVA_GRANULE (4 KiB) */
  iovaGranule?: number;
}

export interface WorkloadEntry {
  name: string;
  description: string;
  /** Fixed parameters of a named profile. */
  params?: Record<string, string | number>;
  load(ctx: WorkloadContext): Promise<LoadedTrace>;
}

function shippedTrace(name: string, file: string, format: TraceFormat, description: string): WorkloadEntry {
  return { name, description, load: (ctx) => readTraceFor(join(projectRoot(), 'workloads', 'traces', file), ctx, format) };
}

/** A trace's requests for a run: network frames become NIC ring and transmit mappings for this many queues. */
async function readTraceFor(file: string, ctx: WorkloadContext, format?: TraceFormat | string): Promise<LoadedTrace> {
  const trace = await readTrace(file, format);
  if (formatByName(trace.format).wholeSecondTimestamps && (ctx.wholeSeconds ?? 'spread') === 'spread') {
    const moved = spreadWholeSeconds(trace.requests);
    if (moved > 0) trace.warnings.push(`${file}: timestamps are whole seconds: ${moved.toLocaleString('en-US')} of ${trace.requests.length.toLocaleString('en-US')} requests shared their second with others, and arrive evenly spread across it (--whole-seconds keep replays them as logged)`);
  }
  if (trace.requests.some((r) => r.network)) trace.requests = netMappings(trace.requests, { threads: ctx.threads, ...DEFAULT_NET, ...ctx.net });
  return trace;
}

export const WORKLOADS: ReadonlyMap<string, WorkloadEntry> = new Map(
  [
    shippedTrace('msr-hm0', 'msr-cambridge-hm0-sample.csv', msrCsv,
      'MSR Cambridge hm_0 (real enterprise server volume): 1,000 requests, 49% writes, mostly 4 KiB, real response times'),
    shippedTrace('tpcc', 'mqsim-tpcc-small.trace', mqsimAscii,
      'TPC-C from MQSim (real OLTP): 6,999 requests, 63% reads, 8 KiB, dense burst; completions from --latency'),
    shippedTrace('systor17-vdi', 'systor17-vdi-sample.csv', systor17Csv,
      "SYSTOR'17 virtual desktop infrastructure (real): 999 requests, 4 KiB and 120-128 KiB, real response times"),
    shippedTrace('tencent-cbs', 'tencent-cbs-sample.csv.gz', tencentCbsCsv,
      'Tencent cloud block storage (real, 2,038 volumes): 50,000 requests, 51% writes, 4 KiB dominant; completions from --latency'),
    shippedTrace('pcap-smtp', 'smtp.pcap', pcapFormat,
      'one real SMTP session capture (60 Ethernet frames) through the NIC model: RX ring buffers and TX mappings'),
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
        const requests = netMappings(frames, { threads: ctx.threads, ...net });
        return { requests: p.iommu ? iommuBounced(p.name, requests, p.iommu, ctx) : requests, format: 'profile', warnings: [] };
      },
    })),
  ].map((w) => [w.name, w]),
);

/**
 * The buffers of an untrusted device that iommu-dma bounces at `--iova-granule`.
 * @throws InputError when none does (each fills whole granules), since nothing would reach swiotlb.
 */
function iommuBounced(name: string, requests: IoRequest[], path: IommuPath, ctx: WorkloadContext): IoRequest[] {
  const granule = ctx.iovaGranule ?? DEFAULT_IOVA_GRANULE;
  const r = untrustedBounces(requests, granule, path, ctx.generator.seed);
  if (r.requests.length === 0) throw new InputError(`${name}: none of its ${r.buffers} buffers bounces with a ${granule / 1024} KiB IOVA granule (each fills whole granules, so iommu-dma maps it in place): choose a larger --iova-granule`);
  return r.requests;
}

/** True for workloads made by a seeded generator (nvme-gen and the named profiles); false for traces, which replay the same whatever the seed. */
export function isGeneratedWorkload(name: string): boolean {
  return name === 'nvme-gen' || PROFILES.some((p) => p.name === name);
}

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
  if (name.startsWith('trace:')) return readTraceFor(name.slice('trace:'.length), ctx, ctx.format);
  checkWorkloadName(name);
  return WORKLOADS.get(name)!.load(ctx);
}
