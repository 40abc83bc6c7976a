/** `npm run bench -- --list [--verbose]`: strategies and workloads, one line each (and their facts). */
import { STRATEGIES } from '../../strategies/index.js';
import { WORKLOADS, loadWorkload } from '../../workloads/index.js';
import { parseLatency } from '../../workloads/latency-model.js';
import { buildSchedule } from '../../workloads/schedule/build.js';
import type { WorkloadFacts } from '../../workloads/schedule/facts.js';
import type { BenchOptions } from './bench-options.js';
import { generatorParams, netOptions } from './bench-inputs.js';

function kib(bytes: number): string {
  return bytes >= 1 << 20 ? `${(bytes / (1 << 20)).toFixed(1)} MiB` : bytes >= 1024 ? `${(bytes / 1024).toFixed(1)} KiB` : `${Math.round(bytes)} B`;
}

/** One line of a workload's direction mix, mapping sizes and bytes in flight. */
export function describeFacts(f: WorkloadFacts): string {
  const dirs = [
    f.toDevicePct ? `${f.toDevicePct.toFixed(0)}% TO_DEVICE` : '',
    f.fromDevicePct ? `${f.fromDevicePct.toFixed(0)}% FROM_DEVICE` : '',
    f.bidirectionalPct ? `${f.bidirectionalPct.toFixed(0)}% BIDIRECTIONAL` : '',
  ].filter(Boolean).join(', ');
  const m = f.mappingBytes;
  return `${f.mappings} mappings from ${f.requests} requests; ${dirs}; mapping size p50 ${kib(m.p50)}, p90 ${kib(m.p90)}, p99 ${kib(m.p99)}, max ${kib(m.max)}; in flight mean ${kib(f.meanInflightBytes)}, peak ${kib(f.peakInflightBytes)}`;
}

export async function printList(opts: BenchOptions, log: (line: string) => void = console.log): Promise<void> {
  const width = Math.max(...[...STRATEGIES.keys(), ...WORKLOADS.keys()].map((n) => n.length)) + 2;
  log('strategies (--strategy NAME, or a plug-in file ./path/to/file.ts):');
  for (const s of STRATEGIES.values()) log(`  ${s.name.padEnd(width)}${s.description}`);
  log('workloads (--workload NAME, or trace:PATH for a trace file, capture or ftrace):');
  const threads = opts.threads[0];
  const latency = parseLatency(opts.latency);
  for (const w of WORKLOADS.values()) {
    log(`  ${w.name.padEnd(width)}${w.description}`);
    if (!opts.verbose) continue;
    if (w.params) log(`  ${''.padEnd(width)}parameters: ${Object.entries(w.params).map(([k, v]) => `${k}=${v}`).join(', ')}`);
    const loaded = await loadWorkload(w.name, { threads, latency, generator: generatorParams(opts), net: netOptions(opts), wholeSeconds: opts.wholeSeconds, iovaGranule: opts.iovaGranule });
    const schedule = buildSchedule(w.name, loaded.requests, { threads, segment: opts.segment, minAlignMask: opts.minAlignMask, latency, completionCpu: 'same' });
    log(`  ${''.padEnd(width)}at ${threads} thread${threads === 1 ? '' : 's'}: ${describeFacts(schedule.facts)}`);
  }
}
