/**
 * The gate's decisions without running anything: deterministic figures
 * judged exactly (the 0-on-the-base case included), timing blocks read
 * three ways with Benjamini-Hochberg, the exit code rule, and every output
 * format's shape as the tools that ingest them define it.
 */
import { describe, expect, it } from 'vitest';
import { FIGURES, type SimRunFigures, compareFigures, figureSpec, judgeFigure } from '../../src/analysis/gate-figures.js';
import { actionBenchmarkJson, bencherJson, gateMarkdown } from '../../src/analysis/gate-output.js';
import { type GateResult, gateVerdict } from '../../src/analysis/gate-result.js';
import { type Block, blockLogRatio, judgeCells } from '../../src/analysis/gate-timing.js';
import type { FragmentationRow, ThroughputRow } from '../../src/export/columns.js';

/** A sim run with the figures the gate reads. */
function simRun(strategy: string, cpus: number, f: Partial<ThroughputRow> = {}, failuresBySize: Record<string, number> = {}, unusable8 = 0.1): SimRunFigures {
  const row = { strategy, workload: 'w', threads: cpus, full_failures: 0, hiwater_slots: 100, slots_scanned_per_map: 1.2, area_fallbacks_per_map: 0.1, maps_per_s: 1e6, ...f } as ThroughputRow;
  const frag = [0, 1].map(() => ({ unusable_8: unusable8, unusable_128: 0.2, internal_waste_pct: 3 }) as FragmentationRow);
  return { row, failuresBySize, fragmentation: frag };
}

/** A block whose candidate runs are `ratio` times the base's (base 1000 maps/s), with the two runs of each side `spread` apart. */
function block(ratio: number, spread = 0): Block {
  return { order: 'ABBA', base: [1000 * (1 + spread), 1000 * (1 - spread)], candidate: [1000 * ratio * (1 - spread), 1000 * ratio * (1 + spread)] };
}

describe('deterministic figures', () => {
  it('equal is SAME; worse within the tolerance passes; beyond it, or from 0, is a REGRESSION', () => {
    const hiwater = figureSpec('hiwater_slots'); // 1% relative
    expect(judgeFigure(hiwater, 100, 100)).toBe('SAME');
    expect(judgeFigure(hiwater, 100, 101)).toBe('WITHIN-TOLERANCE');
    expect(judgeFigure(hiwater, 100, 102)).toBe('REGRESSION');
    expect(judgeFigure(hiwater, 100, 90)).toBe('IMPROVEMENT');
    // 0 on the base and worse on the candidate: a regression whatever the tolerance (unusable index: ±0.01 absolute).
    expect(judgeFigure(figureSpec('unusable_8_mean'), 0, 0.005)).toBe('REGRESSION');
    expect(judgeFigure(figureSpec('unusable_8_mean'), 0.1, 0.105)).toBe('WITHIN-TOLERANCE');
    // Failures: exact.
    expect(judgeFigure(figureSpec('full_failures'), 5, 6)).toBe('REGRESSION');
    // Predicted maps/s: higher is better.
    const maps = figureSpec('predicted_maps_per_s');
    expect(judgeFigure(maps, 1000, 995)).toBe('WITHIN-TOLERANCE');
    expect(judgeFigure(maps, 1000, 980)).toBe('REGRESSION');
    expect(judgeFigure(maps, 1000, 1100)).toBe('IMPROVEMENT');
    // Suite overrides: by figure, or by one failures-by-size figure.
    expect(judgeFigure(figureSpec('hiwater_slots', { hiwater_slots: { relative: 0.05 } }), 100, 104)).toBe('WITHIN-TOLERANCE');
    expect(figureSpec('full_failures@4096', { 'full_failures@4096': { absolute: 3 } }).tolerance).toEqual({ absolute: 3 });
    expect(() => figureSpec('nope')).toThrow(/unknown gate figure/);
  });

  it('compares cell by cell, failures by size appearing on the candidate included, and names cells on one side only', () => {
    const base = [simRun('a', 1), simRun('a', 4), simRun('b', 1)];
    const cand = [simRun('a', 1, { slots_scanned_per_map: 2.2 }), simRun('a', 4, { full_failures: 3 }, { 1536: 3 }), simRun('c', 1)];
    const r = compareFigures(base, cand);
    const regressions = r.changes.filter((c) => c.verdict === 'REGRESSION').map((c) => `${c.cell} ${c.figure}`).sort();
    expect(regressions).toEqual(['a/w/cpus=1 slots_scanned_per_map', 'a/w/cpus=4 full_failures', 'a/w/cpus=4 full_failures@1536']);
    expect(r.unmatched).toEqual(['b/w/cpus=1 (base only)', 'c/w/cpus=1 (candidate only)']);
    // Every declared figure is compared on a cell both sides ran.
    expect(new Set(r.changes.filter((c) => c.cell === 'a/w/cpus=1').map((c) => c.figure))).toEqual(new Set(FIGURES.map((f) => f.key)));
    expect(compareFigures(base, base).changes.every((c) => c.verdict === 'SAME')).toBe(true);
  });
});

describe('timing blocks', () => {
  it("a block's observation is mean log(candidate) - mean log(base)", () => {
    expect(blockLogRatio({ order: 'BAAB', base: [100, 400], candidate: [200, 200] })).toBeCloseTo(Math.log(200) - Math.log(200), 12);
    expect(blockLogRatio(block(0.9, 0.03))).toBeCloseTo(Math.log(0.9) + (Math.log(0.97 * 1.03) - Math.log(1.03 * 0.97)) / 2, 12);
    expect(blockLogRatio({ order: 'ABBA', base: [0, 1], candidate: [1, 1] })).toBeNaN();
  });

  it('reads the blocks three ways against a 5% budget, confirms nothing under 6 blocks, and controls the FDR across cells', () => {
    const cells = new Map<string, Block[]>([
      // 20% slower in every block: beyond the budget.
      ['slow', Array.from({ length: 8 }, (_, i) => block(0.8, 0.01 * (i % 3)))],
      // Within 1% either way: the same.
      ['same', Array.from({ length: 8 }, (_, i) => block(i % 2 ? 1.01 : 0.99))],
      // Between 0.93 and 1.0: the interval crosses the budget's edge.
      ['edge', Array.from({ length: 8 }, (_, i) => block(0.93 + 0.01 * i))],
      // 20% faster.
      ['fast', Array.from({ length: 8 }, () => block(1.2))],
      // Too few blocks for a 95% signed-rank interval.
      ['few', Array.from({ length: 5 }, () => block(0.5))],
    ]);
    const v = Object.fromEntries(judgeCells(cells, 0.05, 0.95).map((s) => [s.cell, s.verdict]));
    expect(v).toEqual({ slow: 'SUSPECTED', same: 'SAME', edge: 'INCONCLUSIVE', fast: 'IMPROVEMENT', few: 'INCONCLUSIVE' });
  });

  it('Benjamini-Hochberg: a cell whose interval clears the budget but whose p does not survive among many cells stays INCONCLUSIVE', () => {
    // 6 blocks all 10% slower: one-sided signed-rank p = 1/64 = 0.0156; alone it is a discovery at q = 0.05.
    const marginal = Array.from({ length: 6 }, () => block(0.9));
    expect(judgeCells(new Map([['m', marginal]]), 0.05, 0.95)[0].verdict).toBe('SUSPECTED');
    // Among 9 cells of identical code (p = 1), BH needs p <= 0.05/9 for the first discovery: 0.0156 is not.
    const many = new Map<string, Block[]>([['m', marginal], ...Array.from({ length: 8 }, (_, i) => [`aa${i}`, Array.from({ length: 6 }, () => block(1))] as [string, Block[]])]);
    expect(judgeCells(many, 0.05, 0.95).find((s) => s.cell === 'm')!.verdict).toBe('INCONCLUSIVE');
  });
});

/** A gate result with the given findings. */
function result(over: Partial<GateResult> = {}): GateResult {
  const figures = compareFigures([simRun('a', 1)], [simRun('a', 1, { hiwater_slots: 150 })]);
  const base: GateResult = {
    schema: 'swiotlb-bench/gate@1', verdict: 'PASS', exitCode: 0, mode: 'base', base: { ref: 'HEAD~1', commit: 'a'.repeat(40) }, candidate: { ref: 'HEAD', commit: 'b'.repeat(40) },
    budget: 0.05, confidence: 0.95, machine: { cores: 2, cpuModel: 'test cpu', node: 'v20', platform: 'linux', arch: 'x64', memoryGiB: 1 } as GateResult['machine'],
    reference: { copyNs: 50, lockPairNs: 10, refNs: 110 }, calibration: 'c.json', calibrationSha256: 'x', notes: ['a note'], figures,
    timing: [
      { cell: 'a/w/threads=1', threads: 1, blocks: [block(0.99)], ratio: 0.99, low: 0.97, high: 1.01, pWorse: 0.9, verdict: 'SAME' },
      { cell: 'a/w/threads=2', threads: 2, blocks: [block(0.8)], ratio: 0.8, low: 0.75, high: 0.85, pWorse: 0.001, verdict: 'INCONCLUSIVE' },
    ],
    candidateRuns: { timing: { 'a/w/threads=1': [990, 1000, 1010, 995], 'a/w/threads=2': [800, 805] }, sim: [] },
    wallSeconds: 12, ...over,
  };
  return { ...base, ...gateVerdict(base) };
}

describe('exit code and formats', () => {
  it('exits 1 only for a measured regression: INCONCLUSIVE and within-tolerance pass', () => {
    expect(gateVerdict(result())).toEqual({ verdict: 'REGRESSION', exitCode: 1 }); // hiwater 100 -> 150
    const clean = { figures: compareFigures([simRun('a', 1)], [simRun('a', 1, { hiwater_slots: 101 })]), timing: result().timing };
    expect(gateVerdict(clean)).toEqual({ verdict: 'PASS', exitCode: 0 });
    expect(gateVerdict({ ...clean, timing: [{ ...clean.timing[1], verdict: 'REGRESSION' }] })).toEqual({ verdict: 'REGRESSION', exitCode: 1 });
  });

  it('gate.md puts regressions first and lists INCONCLUSIVE cells as such', () => {
    const md = gateMarkdown(result());
    expect(md).toMatch(/^# swiotlb-bench gate: REGRESSION \(1 figure, 0 timing\)\n/);
    expect(md.indexOf('## Regressions')).toBeLessThan(md.indexOf('## Deterministic figures'));
    expect(md).toMatch(/\| a\/w\/cpus=1 \| hiwater_slots \(slots\) \| 100 \| 150 \| \+50\.0% \| .* \| \*\*REGRESSION\*\* \|/);
    // Timing rows: the INCONCLUSIVE one before the SAME one.
    expect(md.indexOf('| a/w/threads=2 |')).toBeLessThan(md.indexOf('| a/w/threads=1 |'));
    expect(md).toContain('| INCONCLUSIVE |');
    expect(md).toContain('- a note');
  });

  it('bencher.json is Bencher Metric Format: benchmark -> measure -> {value, lower_value, upper_value}', () => {
    const bmf = bencherJson(result());
    for (const measures of Object.values(bmf)) {
      for (const m of Object.values(measures)) {
        expect(typeof m.value).toBe('number');
        expect(Object.keys(m).every((k) => ['value', 'lower_value', 'upper_value'].includes(k))).toBe(true);
        if (m.lower_value !== undefined) expect(m.lower_value).toBeLessThanOrEqual(m.upper_value!);
      }
    }
    const timed = bmf['a/w/threads=1']['maps-per-s'];
    expect(timed.value).toBeCloseTo(Math.exp([990, 1000, 1010, 995].reduce((s, x) => s + Math.log(x), 0) / 4), 6);
    expect(bmf['a/w/cpus=1 (sim)']['hiwater-slots']).toEqual({ value: 150 });
    expect(bmf['a/w/cpus=1 (sim)']['predicted-maps-per-s']).toEqual({ value: 1e6 });
  });

  it('github-action-benchmark files: [{name, unit, value, range?, extra?}], bigger-is-better and smaller-is-better apart', () => {
    const { bigger, smaller } = actionBenchmarkJson(result());
    for (const e of [...bigger, ...smaller]) {
      expect(Object.keys(e).every((k) => ['name', 'unit', 'value', 'range', 'extra'].includes(k))).toBe(true);
      expect(typeof e.name).toBe('string');
      expect(typeof e.value).toBe('number');
    }
    expect(bigger.map((e) => e.name)).toEqual(expect.arrayContaining(['a/w/threads=1 maps/s', 'a/w/cpus=1 predicted_maps_per_s (sim)']));
    expect(smaller.some((e) => e.name.includes('predicted'))).toBe(false);
    expect(smaller.map((e) => e.name)).toContain('a/w/cpus=1 hiwater_slots (sim)');
    expect(bigger[0].extra).toMatch(/^candidate\/base 0\.990 \(95% CI 0\.970–1\.010\): SAME$/);
  });
});
