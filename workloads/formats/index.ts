/**
 * Every trace format, how a file's format is recognised (from its content, or
 * `--format NAME`), and reading a whole trace by streaming it.
 */
import { InputError, UnknownNameError } from '../../src/base/errors.js';
import type { IoRequest } from '../types.js';
import { cloudphysicsCsv } from './cloudphysics-csv.js';
import { disksimAscii } from './disksim.js';
import { dmaMapBenchmarkFormat, swiotlbDebugfsFormat } from './dma-map-benchmark.js';
import { fioIolog2, fioIolog3 } from './fio-iolog.js';
import type { TraceFormat } from './format.js';
import { ftraceFormat, swiotlbDmesgFormat } from './ftrace.js';
import { imixCsvFormat } from './imix.js';
import { mqsimAscii } from './mqsim.js';
import { msrCsv } from './msr.js';
import { pcapFormat } from './pcap.js';
import { systor17Csv } from './systor17.js';
import { tencentCbsCsv } from './tencent-cbs.js';
import { TraceSource } from './trace-source.js';
import { vscsiBinary } from './vscsi.js';

/** Every format, in the order detection tries them: block traces, captures, then swiotlb's own logs and tools. */
export const TRACE_FORMATS: readonly TraceFormat[] = [
  msrCsv, disksimAscii, mqsimAscii, tencentCbsCsv, systor17Csv, cloudphysicsCsv, vscsiBinary, fioIolog2, fioIolog3,
  pcapFormat, imixCsvFormat, ftraceFormat, swiotlbDmesgFormat, dmaMapBenchmarkFormat, swiotlbDebugfsFormat,
];

/**
 * A format by its `--format` name.
 * @throws UnknownNameError listing the valid names.
 */
export function formatByName(name: string): TraceFormat {
  const format = TRACE_FORMATS.find((f) => f.name === name);
  if (!format) throw new UnknownNameError('format', name, TRACE_FORMATS.map((f) => f.name));
  return format;
}

/**
 * Pick the format of a trace from its head.
 * @throws InputError saying which formats were tried and why each failed.
 */
export function detectFormat(source: TraceSource): TraceFormat {
  if (source.head.length === 0) throw new InputError(`${source.file}: empty trace file (0 bytes at byte offset 0)`);
  const reasons: string[] = [];
  for (const format of TRACE_FORMATS) {
    const why = format.sniff(source);
    if (why === null) return format;
    reasons.push(`${format.name}: ${why}`);
  }
  const what = source.looksLikeText() ? 'line 1' : 'byte offset 0';
  throw new InputError(`${source.file}: ${what}: matches no trace format (tried ${reasons.join('; ')}); use --format NAME to force one`);
}

/** A trace's requests and what reading it warned about. */
export interface LoadedTrace {
  requests: IoRequest[];
  /** The format's name, or `generator` / `profile` for generated workloads. */
  format: string;
  warnings: string[];
}

/**
 * Read every request of a trace file by streaming it (format detected from
 * content unless given).
 * @throws InputError, ParseError naming file, line (or byte offset) and field.
 */
export async function readTrace(file: string, format?: TraceFormat | string): Promise<LoadedTrace> {
  const source = await TraceSource.open(file);
  const fmt = typeof format === 'string' ? formatByName(format) : format ?? detectFormat(source);
  const requests: IoRequest[] = [];
  if (fmt.readBatches) for await (const batch of fmt.readBatches(source)) for (const r of batch) requests.push(r);
  else for await (const request of fmt.read(source)) requests.push(request);
  if (requests.length === 0) throw new InputError(`${file}: no requests in trace`);
  return { requests, format: fmt.name, warnings: source.warnings };
}
