/**
 * `npm run bench:sim`: the virtual-time engine's own speed. 256 virtual CPUs
 * of per-cpu-areas replay NVMe 4 KiB random reads for 1,000,000 measured
 * map+unmap pairs (and 250,000 of warm-up) in this thread; it prints the wall
 * time, pairs per second of wall time, and the heap before and after, and
 * writes results/sim-bench.json. The same run at 200,000 pairs first shows
 * that memory does not grow with the op count.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { projectRoot } from '../base/paths.js';
import { writeFileAtomic } from '../export/result-dir.js';
import { simRunOne } from '../run/sim/sim-run.js';
import { parseBenchArgs } from './bench-args.js';
import { runSpec } from './run-spec.js';
import { simSettings } from './sim-settings.js';

const CPUS = 256;
const PAIRS = 1_000_000;

/** One timed sim run of `pairs` measured maps: wall seconds, live heap after (MiB), predicted maps/s. */
async function timed(pairs: number): Promise<{ pairs: number; wallSeconds: number; heapMiB: number; predictedMapsPerS: number }> {
  const args = ['--engine', 'sim', '--sim-maps', String(pairs)];
  const spec = await runSpec('per-cpu-areas', 'nvme-4k-randread-qd32', CPUS, args);
  const sim = simSettings(parseBenchArgs(args))!;
  const t0 = performance.now();
  const out = simRunOne(spec, sim);
  const wallSeconds = (performance.now() - t0) / 1000;
  (globalThis as { gc?: () => void }).gc?.();
  return { pairs, wallSeconds, heapMiB: process.memoryUsage().heapUsed / 2 ** 20, predictedMapsPerS: Number(out.row.maps_per_s) };
}

/** Run both sizes, print them, write results/sim-bench.json. */
export async function simBenchMain(log: (line: string) => void = console.log): Promise<void> {
  const small = await timed(PAIRS / 5);
  const big = await timed(PAIRS);
  for (const r of [small, big]) {
    log(`${CPUS} virtual CPUs x ${r.pairs.toLocaleString('en')} measured map+unmap pairs (+25% warm-up): ${r.wallSeconds.toFixed(2)} s wall, ` +
      `${Math.round((1.25 * r.pairs) / r.wallSeconds).toLocaleString('en')} pairs/s, heap ${r.heapMiB.toFixed(1)} MiB after; predicted ${Math.round(r.predictedMapsPerS).toLocaleString('en')} maps/s`);
  }
  log(`goal: ${CPUS} CPUs x 1M pairs in at most 10 s on one core: ${big.wallSeconds <= 10 ? 'met' : 'missed'}`);
  const dir = join(projectRoot(), 'results');
  await mkdir(dir, { recursive: true });
  await writeFileAtomic(join(dir, 'sim-bench.json'), JSON.stringify({ cpus: CPUS, runs: [small, big] }, null, 2) + '\n');
}
