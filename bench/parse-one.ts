/**
 * Child process of `npm run bench:parse`: stream one trace through its reader
 * without keeping the requests, and print records, seconds and peak memory
 * as JSON. Memory is sampled every 65536 records.
 */
import { detectFormat, formatByName } from '../workloads/formats/index.js';
import { TraceSource } from '../workloads/formats/trace-source.js';

const [file, formatName, mode] = process.argv.slice(2);
/** `memory`: collect garbage before each sample, so the figure is live memory, not garbage awaiting collection. */
const gc = mode === 'memory' ? (globalThis as { gc?: () => void }).gc : undefined;
const source = await TraceSource.open(file);
const format = formatName ? formatByName(formatName) : detectFormat(source);
const base = process.memoryUsage();
let peakRss = base.rss;
let peakHeap = base.heapUsed;
let records = 0;
let bytes = 0;
const t0 = performance.now();
const sample = () => {
  gc?.();
  const m = process.memoryUsage();
  if (m.rss > peakRss) peakRss = m.rss;
  if (m.heapUsed > peakHeap) peakHeap = m.heapUsed;
};
if (format.readBatches) {
  for await (const batch of format.readBatches(source)) {
    for (const r of batch) bytes += r.size;
    const before = records;
    records += batch.length;
    if (records >> 16 !== before >> 16) sample();
  }
} else {
  for await (const r of format.read(source)) {
    bytes += r.size;
    if ((++records & 65535) === 0) sample();
  }
}
gc?.();
const seconds = (performance.now() - t0) / 1000;
const m = process.memoryUsage();
console.log(JSON.stringify({
  format: format.name, records, bytes, seconds,
  peakRssMiB: Math.max(peakRss, m.rss) / 2 ** 20,
  peakHeapMiB: Math.max(peakHeap, m.heapUsed) / 2 ** 20,
  baseHeapMiB: base.heapUsed / 2 ** 20,
}));
