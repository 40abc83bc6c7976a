/** The console lines of `bench:micro`: every op, then the ratios and locked instructions per strategy, against their goals. */
import { BITMAP_PAIR } from './micro-ops.js';
import { CACHE_MODES, type MicroResult, SAMPLED_STRATEGY, SAMPLE_EVERY } from './micro.js';

/** The ratio goal of issue 12: map+unmap at most 1.5x (lock pair + two fast-path copies). */
export const RATIO_GOAL = 1.5;

/** The report, one line each. */
export function microReport(r: MicroResult): string[] {
  const lines = ['op'.padEnd(66) + 'ns/op'.padStart(10)];
  for (const [name, ns] of Object.entries(r.ops)) lines.push(name.padEnd(66) + ns.toFixed(1).padStart(10));
  lines.push('', `map+unmap / (WebAssembly qspinlock pair + two memory.copy of 4 KiB, same cache mode), median of paired rounds (goal: at most ${RATIO_GOAL}x):`);
  lines.push('strategy'.padEnd(20) + CACHE_MODES.map((m) => m.padStart(12)).join('') + 'locked ops'.padStart(14));
  for (const s of Object.keys(r.ratios.hot)) {
    const cells = CACHE_MODES.map((m) => `${r.ratios[m][s].toFixed(2)}x${r.ratios[m][s] > RATIO_GOAL ? '!' : ' '}`.padStart(12)).join('');
    lines.push(s.padEnd(20) + cells + r.locked_ops.strategies[s].toFixed(1).padStart(14));
  }
  const k = r.locked_ops.kernel;
  lines.push(`locked ops: locked read-modify-writes and atomic stores per map+unmap; the kernel's: ${k.withoutDebugfs} (${k.withDebugfs} with CONFIG_DEBUG_FS), plus one when the hiwater rises`);
  const b = r.bitmap_pair;
  lines.push(`Gao's bitmap (${BITMAP_PAIR.bits}) against list[] counts (${BITMAP_PAIR.counts}), 4 KiB map+unmap of the allocator alone: ${b.bits_ns.toFixed(1)} against ${b.counts_ns.toFixed(1)} ns, ${b.saved_ns.toFixed(1)} ns saved per pair (median of paired rounds; Gao reported 100 cycles saved)`);
  lines.push(`latency sampling 1/${SAMPLE_EVERY} adds ${r.sampling_overhead_pct.toFixed(1)}% to map+unmap (${SAMPLED_STRATEGY}, rotating; median of paired rounds)`);
  return lines;
}
