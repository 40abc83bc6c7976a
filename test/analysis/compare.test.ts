import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createCanvas, loadImage } from '@napi-rs/canvas';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { type RatioEstimate, ratioInterval } from '../../src/stats/ratio-interval.js';
import { benjaminiHochberg, decide, worsePValue } from '../../src/stats/decision.js';
import { compareMarkdown } from '../../src/analysis/compare-output.js';
import { compareRuns, configDifferences, pairStrategies } from '../../src/analysis/compare-runs.js';
import { BENCH_OPTIONS } from '../../src/cli/bench-options.js';
import { notCompared } from '../../src/cli/option-spec.js';
import type { CompareRow, LoadedRun } from '../../src/export/read-summary.js';
import { loadRun, uniqueLabels } from '../../src/export/read-summary.js';
import { MAPS_PER_S, MAP_P99, type Metric, formatRatio, verdictWords } from '../../src/analysis/ratio-words.js';
import { referenceMarkdown, referenceRatios, referenceWords, resolveReference } from '../../src/analysis/reference.js';
import { rankStrategies, rankingWords } from '../../src/analysis/ranking.js';
import type { ThroughputRow } from '../../src/export/columns.js';
import { InputError } from '../../src/base/errors.js';
import { runCli, tempDir } from '../helpers.js';

const OPTS = { confidence: 0.95, minEffect: 0.05 };
/** Student t quantiles t(0.975, df) from a printed table: df 2 and 4. */
const T975 = { 2: 4.302653, 4: 2.776445 };

function rows(strategy: string, workload: string, threads: number, maps: number[], p99: number[] = maps.map(() => 1000)): CompareRow[] {
  return maps.map((m, repeat) => ({ strategy, workload, threads, repeat, maps_per_s: m, map_p99_ns: p99[repeat], full_failures: repeat, hiwater_slots: 100 + repeat }));
}

function run(label: string, rs: CompareRow[], config?: Record<string, unknown>): LoadedRun {
  return { label, file: `${label}/summary.json`, rows: rs, config };
}

/** Every verdict a ratio with a CI can get, in words (minimum effect 5%): all that verdictWords says except "no CI ...". */
function verdictsWithCi(m: Metric): string[] {
  return [m.better, m.worse, 'same (within ±5%)', 'inconclusive (the CI crosses the ±5% band; more repeats would tell)'];
}

/** `verdictsWithCi(m)` as a regex alternation, longest first. */
function verdictAlternation(m: Metric): string {
  return verdictsWithCi(m).sort((a, b) => b.length - a.length).map((v) => v.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|');
}

/** An estimate with just what decide reads. */
function estimate(low: number | undefined, high: number | undefined, n = 3): RatioEstimate {
  return { ratio: low === undefined || high === undefined ? 1.5 : Math.sqrt(low * high), low, high, paired: true, confidence: 0.95, baselineMean: 1, otherMean: 1, baselineN: n, otherN: n };
}

/** Sample mean and standard deviation, written out. */
function meanSd(x: number[]): [number, number] {
  const m = x.reduce((a, b) => a + b, 0) / x.length;
  return [m, Math.sqrt(x.reduce((a, b) => a + (b - m) ** 2, 0) / (x.length - 1))];
}

describe('ratioInterval: a t interval of the log-ratio', () => {
  it('pairs repeat i with repeat i: exp(mean of log-ratios ± t(0.975, n-1) sd/sqrt(n))', () => {
    const e = ratioInterval([100, 101, 99], [150, 151, 149], true);
    const [m, sd] = meanSd([Math.log(150 / 100), Math.log(151 / 101), Math.log(149 / 99)]);
    const half = T975[2] * sd / Math.sqrt(3);
    expect(e.ratio).toBeCloseTo(Math.exp(m), 10);
    expect(e.low).toBeCloseTo(Math.exp(m - half), 5);
    expect(e.high).toBeCloseTo(Math.exp(m + half), 5);
    expect([e.paired, e.df]).toEqual([true, 2]);
    // A 1.5x difference with a 1% spread is called plainly at 3 repeats (the old permutation rule could not go below p = 0.1).
    expect(decide(e, true, 0.05)).toBe('better');
  });

  it("uses Welch's interval for unpaired sides: logs 0, .1, .2 against .5, .6, .7 give df 4 and exp(0.5 ± 2.776 x 0.0816)", () => {
    const e = ratioInterval([0, 0.1, 0.2].map(Math.exp), [0.5, 0.6, 0.7].map(Math.exp), false);
    expect(e.df).toBeCloseTo(4, 10);
    expect(e.ratio).toBeCloseTo(Math.exp(0.5), 10);
    const se = Math.sqrt(0.01 / 3 + 0.01 / 3);
    expect(e.logSe).toBeCloseTo(se, 10);
    expect(e.low).toBeCloseTo(Math.exp(0.5 - T975[4] * se), 5);
    expect(e.high).toBeCloseTo(Math.exp(0.5 + T975[4] * se), 5);
  });

  it('gives no CI with one repeat, and none with a rate of 0; refuses empty or mismatched sides', () => {
    expect(ratioInterval([100], [200, 210], false).low).toBeUndefined();
    expect(verdictWords(ratioInterval([100], [200, 210], false), MAPS_PER_S, 0.05)).toBe('no CI (1 repeat on a side)');
    const zero = ratioInterval([0, 0], [5, 6], false);
    expect(zero.low).toBeUndefined();
    expect(verdictWords(zero, MAPS_PER_S, 0.05)).toBe('no CI (baseline is 0: not measured)');
    expect(verdictWords(ratioInterval([5, 6], [0, 0], true), MAP_P99, 0.05)).toBe('no CI (the other side is 0: not measured)');
    expect(() => ratioInterval([], [1], false)).toThrow(RangeError);
    expect(() => ratioInterval([1, 2], [1], true)).toThrow(/paired sides differ/);
    expect(() => ratioInterval([1, 2], [1, 2], false, 1)).toThrow(/confidence/);
  });

  it('identical samples give ratio 1 and a zero-width CI: the same', () => {
    const e = ratioInterval([90, 100, 110], [90, 100, 110], true);
    expect([e.ratio, e.low, e.high]).toEqual([1, 1, 1]);
    expect(verdictWords(e, MAPS_PER_S, 0.05)).toBe('same (within ±5%)');
  });

  it('formats symmetric CIs with ± and skewed ones with +up/−down', () => {
    expect(formatRatio(estimate(1.11, 1.21))).toBe(`${Math.sqrt(1.11 * 1.21).toFixed(2)} ± 0.05`);
    expect(formatRatio({ ...estimate(0.37, 9.82), ratio: 0.89 })).toBe('0.89 +8.93/−0.52');
  });
});

describe('the decision rule (minimum effect 5%: band 1/1.05 to 1.05)', () => {
  it('calls a CI wholly beyond the band a win or a loss, wholly inside it the same, and across an edge inconclusive', () => {
    expect(decide(estimate(1.06, 1.2), true)).toBe('better');
    expect(decide(estimate(1.06, 1.2), false)).toBe('worse');
    expect(decide(estimate(0.8, 0.9), true)).toBe('worse');
    expect(decide(estimate(0.8, 0.9), false)).toBe('better');
    expect(decide(estimate(0.97, 1.04), true)).toBe('same');
    // 3% faster for sure, but not surely more than 5%: not a win.
    expect(decide(estimate(1.01, 1.08), true)).toBe('inconclusive');
    expect(decide(estimate(0.9, 1.1), true)).toBe('inconclusive');
    expect(decide(estimate(1 / 1.05 - 0.001, 1), true)).toBe('inconclusive');
    expect(decide(estimate(undefined, undefined), true)).toBe('no-ci');
    // The band's width is the caller's: at 10% a 1.06-1.08 CI is the same.
    expect(decide(estimate(1.06, 1.08), true, 0.1)).toBe('same');
    expect(() => decide(estimate(1, 1), true, -0.1)).toThrow(RangeError);
  });

  it('says each verdict in words', () => {
    for (const m of [MAPS_PER_S, MAP_P99]) {
      const words = [estimate(1.1, 1.2), estimate(0.8, 0.9), estimate(0.99, 1.01), estimate(1.01, 1.2)].map((e) => verdictWords(e, m, 0.05));
      expect(new Set(words)).toEqual(new Set(verdictsWithCi(m)));
    }
  });

  it('worsePValue: 0.5 exactly at the edge of the budget, falling as the slowdown passes it', () => {
    const at = { ...estimate(0.9, 1), logMean: -Math.log(1.05), logSe: 0.01, df: 5 };
    expect(worsePValue(at, true, 0.05)).toBeCloseTo(0.5, 10);
    expect(worsePValue({ ...at, logMean: -0.2 }, true, 0.05)).toBeLessThan(0.001);
    expect(worsePValue({ ...at, logMean: 0.2 }, true, 0.05)).toBeGreaterThan(0.999);
    // Latency: worse is up.
    expect(worsePValue({ ...at, logMean: 0.2 }, false, 0.05)).toBeLessThan(0.001);
    expect(worsePValue(estimate(undefined, undefined), true)).toBe(1);
  });

  it('Benjamini-Hochberg rejects by the step-up rule p(k) <= k q / m', () => {
    expect(benjaminiHochberg([0.01, 0.04, 0.03, 0.005], 0.05)).toEqual([true, true, true, true]);
    expect(benjaminiHochberg([0.01, 0.02, 0.03, 0.5], 0.05)).toEqual([true, true, true, false]);
    // Step-up: 0.02 > 1 x 0.0125 and 0.03 > 2 x 0.0125, but 0.035 <= 3 x 0.0125 carries both.
    expect(benjaminiHochberg([0.9, 0.035, 0.02, 0.03], 0.05)).toEqual([false, true, true, true]);
    expect(benjaminiHochberg([0.04, 0.001, 0.5, 0.045], 0.05)).toEqual([false, true, false, false]);
    expect(benjaminiHochberg([], 0.05)).toEqual([]);
    expect(() => benjaminiHochberg([0.1], 1)).toThrow(RangeError);
  });
});

describe('pairing and compareRuns', () => {
  it('pairs same-named strategies when the runs share names, else every pair', () => {
    expect(pairStrategies(['global-lock', 'per-cpu-areas'], ['per-cpu-areas', 'x'])).toEqual({ mode: 'same-name', pairs: [['per-cpu-areas', 'per-cpu-areas']], unpaired: ['global-lock', 'x'] });
    const all = pairStrategies(['a', 'b'], ['c', 'd']);
    expect(all.mode).toBe('all-pairs');
    expect(all.pairs).toEqual([['a', 'c'], ['a', 'd'], ['b', 'c'], ['b', 'd']]);
  });

  it('compares only the (workload, threads) both runs have, with failures summed and high-water maxed', () => {
    const a = run('A', [...rows('s', 'w', 1, [100, 101, 99]), ...rows('s', 'w', 2, [200, 201, 199]), ...rows('s', 'only-a', 1, [5, 5])]);
    const b = run('B', [...rows('s', 'w', 2, [300, 301, 299], [500, 510, 505])]);
    const r = compareRuns([a, b], OPTS);
    expect(r.pairs).toHaveLength(1);
    const [p] = r.pairs;
    expect([p.workload, p.threads, p.baseline.run, p.other.run]).toEqual(['w', 2, 'A', 'B']);
    // Separate runs: Welch's interval, the ratio of geometric means.
    expect(p.maps.paired).toBe(false);
    expect(p.maps.ratio).toBeCloseTo(Math.cbrt((300 * 301 * 299) / (200 * 201 * 199)), 10);
    // Three repeats a side, 1.5x apart with a 0.5% spread: called plainly.
    expect(verdictWords(p.maps, MAPS_PER_S, 0.05)).toBe('faster');
    expect(verdictWords(p.p99, MAP_P99, 0.05)).toBe('lower p99 (better)');
    expect(p.baseline.fullFailuresSum).toBe(0 + 1 + 2);
    expect(p.other.hiwaterMax).toBe(102);
    expect(r.pairings[0].notShared.sort()).toEqual(['only-a/1', 'w/1']);
  });

  it('throws an InputError naming both files when nothing is in common', () => {
    const a = run('A', rows('s', 'w', 1, [1, 2]));
    const b = run('B', rows('s', 'w', 4, [1, 2]));
    expect(() => compareRuns([a, b], OPTS)).toThrow(InputError);
    expect(() => compareRuns([a, b], OPTS)).toThrow(/no \(workload, threads\) in common between A \(A\/summary.json: w\/1\) and B \(B\/summary.json: w\/4\)/);
    expect(() => compareRuns([a], OPTS)).toThrow(/at least two runs/);
  });

  it('lists the options that differ between the runs, not where results went or what was compared', () => {
    // summary.json's config: options by flag name (src/cli/option-spec.ts configOf).
    const IGNORED = notCompared(BENCH_OPTIONS);
    const baseConfig = { duration: 2, pool: 32768, 'kernel-rules': 'newest', latency: '80+3000', threads: [1], strategy: ['s'], out: 'results', label: 'a', repeat: 3, progress: true };
    const otherConfig = { duration: 0.5, pool: 32768, 'kernel-rules': 'v6.6', latency: '80+3000', threads: [1, 2], strategy: ['s', 't'], out: '/tmp', label: 'b', repeat: 6, progress: false, 'sample-every': 4 };
    expect(configDifferences(baseConfig, otherConfig, IGNORED)).toEqual([
      { field: 'duration', baseline: 2, other: 0.5 },
      { field: 'kernel-rules', baseline: 'newest', other: 'v6.6' },
      { field: 'sample-every', baseline: undefined, other: 4 },
    ]);
    expect(configDifferences(baseConfig, { ...baseConfig, out: 'x', reference: 's', list: false, verbose: true, workload: ['w'] }, IGNORED)).toEqual([]);
    // Without the ignore set every field counts.
    expect(configDifferences(baseConfig, { ...baseConfig, out: 'x' })).toEqual([{ field: 'out', baseline: 'results', other: 'x' }]);
    expect(configDifferences({ a: [1, { x: 1, y: 2 }] }, { a: [1, { y: 2, x: 1 }] })).toEqual([]);
    expect(configDifferences(baseConfig, undefined)).toBeUndefined();
    // What is left out: where results go, how they are shown, what is matched pair by pair, the verdicts' band, which shard ran it, and the sim sweep after a real job (its rows are not compared).
    expect([...IGNORED].sort()).toEqual(['debug', 'label', 'list', 'min-effect', 'out', 'progress', 'reference', 'repeat', 'shard', 'sim-sweep', 'strategy', 'threads', 'verbose', 'workload']);

    const a = run('A', rows('s', 'w', 1, [100, 101, 99]), baseConfig);
    const b = run('B', rows('s', 'w', 1, [100, 102, 98]), otherConfig);
    const same = run('C', rows('s', 'w', 1, [100, 102, 98]), { ...baseConfig, out: 'elsewhere' });
    const none = run('D', rows('s', 'w', 1, [100, 102, 98]));
    const r = compareRuns([a, b, same, none], { ...OPTS, ignoreConfig: IGNORED });
    expect(r.pairings.map((p) => p.configDifferences?.length)).toEqual([3, 0, undefined]);
    const md = compareMarkdown(r);
    expect(md).toContain('- **Warning:** B ran with different options than the baseline (duration: 2 → 0.5; kernel-rules: "newest" → "v6.6"; sample-every: (not set) → 4); ratios include that difference.\n');
    expect(md.match(/different options/g)).toHaveLength(1);
    expect(md).toContain('- Note: D has no `config` in its summary.json, so its options cannot be checked against the baseline.\n');
  });

  it('makes repeated labels unique', () => {
    expect(uniqueLabels(['latest', 'latest', 'latest#2'])).toEqual(['latest', 'latest#2', 'latest#2#2']);
  });
});

describe('--reference', () => {
  it('resolves the reference by --strategy item or loaded name, and refuses others', () => {
    expect(resolveReference(undefined, ['a'], ['a'])).toBeUndefined();
    expect(resolveReference('./examples/least-used-area.ts', ['global-lock', './examples/least-used-area.ts'], ['global-lock', 'least-used-area'])).toBe('least-used-area');
    expect(resolveReference('least-used-area', ['global-lock', './examples/least-used-area.ts'], ['global-lock', 'least-used-area'])).toBe('least-used-area');
    expect(() => resolveReference('nope', ['global-lock'], ['global-lock'])).toThrow(/--reference 'nope': not one of this run's strategies \(global-lock\)/);
  });

  it('does not compare maps/s with the reference when their failure rates are more than 1 percentage point apart', () => {
    const withFailures = (strategy: string, maps: number[], failures: number) => rows(strategy, 'w', 2, maps).map((r) => ({ ...r, maps: r.maps_per_s, full_failures: failures }));
    const rs = [...withFailures('ref', [100, 101, 99], 0), ...withFailures('failing', [200, 201, 199], 100), ...withFailures('fine', [100, 102, 98], 0)] as unknown as ThroughputRow[];
    const s = referenceRatios(rs, 'ref', OPTS);
    const failing = s.entries.find((e) => e.strategy === 'failing')!;
    expect(failing.failureRate).toBeCloseTo(300 / 900, 10);
    expect(failing.maps.verdict).toBe('not comparable: 33.3% vs 0% of maps failed');
    expect(s.entries.find((e) => e.strategy === 'fine')!.maps.verdict).toBe('same (within ±5%)');
    expect(referenceWords(s)[0]).toMatch(/^w, 2 threads: failing: 2\.00 .* times the maps\/s of ref \(95% CI .*, 33\.3% vs 0% of maps failed\): not comparable: 33\.3% vs 0% of maps failed; map p99/);
    expect(referenceMarkdown(s).join('\n')).toContain('| w | 2 | failing | 33.3% / 0% |');
  });

  it('expresses every other strategy as ratios to the reference', () => {
    const rs = [...rows('ref', 'w', 1, [100, 100, 101]), ...rows('fast', 'w', 1, [200, 199, 201]), ...rows('same', 'w', 1, [99, 101, 100])] as unknown as ThroughputRow[];
    const s = referenceRatios(rs, 'ref', OPTS);
    expect(s.entries.map((e) => e.strategy)).toEqual(['fast', 'same']);
    // Paired by repeat: the geometric mean of 200/100, 199/100 and 201/101.
    expect(s.entries[0].maps.paired).toBe(true);
    expect(s.entries[0].maps.ratio).toBeCloseTo(Math.cbrt((200 / 100) * (199 / 100) * (201 / 101)), 10);
    expect(s.entries[0].maps.verdict).toBe('faster');
    expect(s.entries[1].maps.verdict).toBe('same (within ±5%)');
  });
});

describe('the console summary (rankingWords)', () => {
  /** Rows of one (workload w, threads): maps/s per repeat, 1 s each, and `failures[strategy]` full failures per repeat (default none). */
  const summaryRows = (spec: Record<string, number[]>, threads = 2, failures: Record<string, number> = {}) =>
    Object.entries(spec).flatMap(([strategy, maps]) =>
      rows(strategy, 'w', threads, maps).map((r) => ({ ...r, maps: r.maps_per_s, full_failures: failures[strategy] ?? 0 }))) as unknown as ThroughputRow[];
  const NUM = '\\d+\\.\\d\\d';

  it('calls the fastest against the runner-up by the three-way rule, paired by repeat', () => {
    // 1.5x with a 1% spread at the default 3 repeats: said plainly (the "1.6x with a few percent spread").
    const three = rankingWords(rankStrategies(summaryRows({ slow: [100, 101, 99], fast: [150, 151, 149] })));
    expect(three).toHaveLength(1);
    expect(three[0]).toMatch(new RegExp(`^w, 2 threads: fast fastest, 1\\.50x slow \\(150 vs 100 maps/s, 0% vs 0% failed; 95% CI ${NUM}–${NUM}, paired over 3 repeats\\)\\.$`));

    // 1% apart with a tight CI: the same within the band.
    const same = rankingWords(rankStrategies(summaryRows({ a: [100, 101, 99], b: [101, 102, 100] }, 1)));
    expect(same[0]).toMatch(new RegExp(`^w, 1 thread: b and a the same within ±5%: 1\\.01x a \\(101 vs 100 maps/s, 0% vs 0% failed; 95% CI ${NUM}–${NUM}, paired over 3 repeats\\)\\.$`));

    // About 5% apart, CI across the band's edge (log-ratios .054, .044, .049: CI 1.038-1.063).
    const edge = rankingWords(rankStrategies(summaryRows({ a: [90, 110, 100], b: [95, 115, 105] }, 1)));
    expect(edge[0]).toMatch(new RegExp(`^w, 1 thread: no clear winner: b 1\\.05x a \\(105 vs 100 maps/s, 0% vs 0% failed; 95% CI 1\\.04–1\\.06, paired over 3 repeats\\), the CI crosses the ±5% band; use a larger --repeat\\.$`));

    // Noisy: 15%, 6% and 18% apart; t(0.975, 2) = 4.30 makes the CI 0.97-1.31.
    const noisy = rankingWords(rankStrategies(summaryRows({ slow: [100, 90, 110], fast: [115, 95, 130] })));
    expect(noisy[0]).toMatch(/^w, 2 threads: no clear winner: fast 1\.13x slow \(.*; 95% CI 0\.97–1\.31, paired over 3 repeats\), the CI crosses/);

    expect(rankingWords(rankStrategies(summaryRows({ a: [100], b: [200] })))).toEqual(['w, 2 threads: b fastest, 2.00x a (200 vs 100 maps/s, 0% vs 0% failed); one repeat, so no noise estimate (use --repeat).']);
    expect(rankingWords(rankStrategies(summaryRows({ a: [1500, 1700] })))).toEqual(['w, 2 threads: a only, 1.6k maps/s, 0% of maps failed.']);
  });

  it('never ranks a strategy that failed more than 1 percentage point above the others, and says its failure rate', () => {
    // fast-but-failing: 1000 maps/s while failing 38% of its attempts (613 failures a repeat); steady: 900 maps/s, no failures.
    const words = rankingWords(rankStrategies(summaryRows({ failing: [1000, 1010, 990], steady: [900, 905, 895], slower: [800, 805, 795] }, 2, { failing: 613 })));
    expect(words[0]).toMatch(/^w, 2 threads: steady fastest, 1\.13x slower \(900 vs 800 maps\/s, 0% vs 0% failed; /);
    expect(words[0]).toMatch(/ Not ranked by maps\/s, for failing more than 1 percentage point above the rest \(at most 0%\): failing 38\.0% of its map attempts failed\.$/);
    expect(words[0]).not.toMatch(/failing (probably )?fastest/);
    // Within the margin (0.5 percentage point apart): both ranked, rates stated.
    const close = rankingWords(rankStrategies(summaryRows({ a: [1000, 1000], b: [900, 900] }, 2, { a: 5 })));
    expect(close[0]).toMatch(/^w, 2 threads: a .*1\.11x b \(1\.0k vs 900 maps\/s, 0\.50% vs 0% failed/);
    expect(close[0]).not.toContain('Not ranked');
    // Only one strategy left ranked.
    const one = rankingWords(rankStrategies(summaryRows({ failing: [1000, 1000], steady: [900, 900] }, 2, { failing: 500 })));
    expect(one[0]).toMatch(/^w, 2 threads: steady the only one ranked, 900 maps\/s, 0% of maps failed\. Not ranked .*: failing 33\.3% of its map attempts failed\.$/);
  });

  it('is deterministic, and agrees with --reference on the same rows', () => {
    const rs = summaryRows({ slow: [100, 104, 97], fast: [120, 131, 117] });
    const words = rankingWords(rankStrategies(rs));
    expect(rankingWords(rankStrategies(rs))).toEqual(words);
    const ref = referenceRatios(rs, 'slow', OPTS).entries[0];
    const verdict = decide(ref.maps, true, 0.05);
    expect(['better', 'same', 'inconclusive']).toContain(verdict);
    expect(words[0]).toMatch(verdict === 'better' ? /fast fastest/ : verdict === 'same' ? /the same within/ : /no clear winner/);
  });
});

/** The one complete result directory under a --out root (not latest/, not a hidden staging one). */
function resultDir(out: string): string {
  const dirs = readdirSync(out).filter((d) => !d.startsWith('.') && d !== 'latest');
  expect(dirs).toHaveLength(1);
  return join(out, dirs[0]);
}

const QUICK = ['--workload', 'msr-hm0', '--threads', '1', '--repeat', '2', '--duration', '0.3', '--warmup', '0.1', '--sample-interval', '50'];

describe('npm run compare', () => {
  it('compares two real runs, writes compare.md/csv/png, prints the markdown; --reference adds ratios to the bench summary', async () => {
    const root = tempDir('compare');
    const a = runCli('bench', [...QUICK, '--strategy', 'global-lock,per-cpu-areas', '--reference', 'global-lock', '--label', 'base', '--out', join(root, 'a')]);
    expect(a.stderr).toBe('');
    expect(a.code).toBe(0);
    // Two repeats a side always give a CI, so never "no CI"; which of the other verdicts is chance.
    expect(a.stdout).toMatch(new RegExp(`msr-hm0, 1 thread: per-cpu-areas: \\d+\\.\\d\\d (± \\d+\\.\\d\\d|\\+\\d+\\.\\d\\d/−\\d+\\.\\d\\d) times the maps/s of global-lock \\(95% CI \\d+\\.\\d\\d–\\d+\\.\\d\\d, 0% vs 0% of maps failed\\): (${verdictAlternation(MAPS_PER_S)}); map p99 latency .*: (${verdictAlternation(MAP_P99)})\\.$`, 'm'));
    const dirA = resultDir(join(root, 'a'));
    const summaryA = JSON.parse(readFileSync(join(dirA, 'summary.json'), 'utf8'));
    expect(summaryA.reference.strategy).toBe('global-lock');
    expect(summaryA.reference.entries).toHaveLength(1);
    expect(summaryA.reference.entries[0]).toMatchObject({ workload: 'msr-hm0', threads: 1, strategy: 'per-cpu-areas', repeats: 2, referenceRepeats: 2 });
    // The printed verdict is exactly the one its CI and p call for.
    const refMaps = summaryA.reference.entries[0].maps as RatioEstimate & { verdict: string };
    expect(refMaps.verdict).toBe(verdictWords(refMaps, MAPS_PER_S, 0.05));
    expect(verdictsWithCi(MAPS_PER_S)).toContain(refMaps.verdict);
    expect(a.stdout).toContain(`): ${refMaps.verdict}; map p99 latency`);
    expect(summaryA.reference.entries[0].maps.low).toBeLessThanOrEqual(summaryA.reference.entries[0].maps.high);
    expect(readFileSync(join(dirA, 'summary.md'), 'utf8')).toMatch(/## Ratios to global-lock \(--reference\)\n[\s\S]*\| msr-hm0 \| 1 \| per-cpu-areas \| /);

    const b = runCli('bench', [...QUICK, '--strategy', 'per-cpu-areas', '--label', 'new', '--out', join(root, 'b')]);
    expect(b.code).toBe(0);
    const dirB = resultDir(join(root, 'b'));

    const out = join(root, 'cmp');
    const c = runCli('compare', [dirA, join(dirB, 'summary.json'), '--out', out]);
    expect(c.stderr).toBe('');
    expect(c.code).toBe(0);
    expect(readdirSync(out).sort()).toEqual(['compare.csv', 'compare.md', 'compare.png']);
    const md = readFileSync(join(out, 'compare.md'), 'utf8');
    expect(c.stdout.startsWith(md)).toBe(true);
    const labelA = dirA.split('/').pop()!;
    const labelB = dirB.split('/').pop()!;
    expect(md).toContain(`- Baseline: **${labelA}**`);
    expect(md).toContain('strategies paired by name');
    expect(md).toContain('Not paired (in one run only): global-lock');
    expect(md).toMatch(new RegExp(`\\| 1 \\| ${labelA}:per-cpu-areas \\| ${labelB}:per-cpu-areas \\| 2 / 2 \\| `));
    expect(md).toMatch(/- msr-hm0, 1 thread: .*:per-cpu-areas: \d+\.\d\d .*times the maps\/s of .*:per-cpu-areas \(95% CI/);
    const csv = parse(readFileSync(join(out, 'compare.csv')), { columns: true }) as Record<string, string>[];
    expect(csv).toHaveLength(1);
    expect(csv[0]).toMatchObject({ workload: 'msr-hm0', threads: '1', baseline_strategy: 'per-cpu-areas', other_strategy: 'per-cpu-areas', baseline_repeats: '2', other_repeats: '2' });
    // The ratio of geometric means of the two runs' per-cpu-areas repeats (compare.csv keeps 6 significant digits).
    const geo = async (dir: string) => { const rs = (await loadRun(dir)).rows.filter((r) => r.strategy === 'per-cpu-areas').map((r) => r.maps_per_s); return Math.exp(rs.reduce((x, v) => x + Math.log(v), 0) / rs.length); };
    expect(Number(csv[0].maps_ratio)).toBeCloseTo((await geo(dirB)) / (await geo(dirA)), 4);
    expect(Number(csv[0].maps_ci_low)).toBeLessThanOrEqual(Number(csv[0].maps_ci_high));
    // Exactly the verdict of the same comparison made here from the two summary.json files (same seed).
    const again1 = compareRuns([await loadRun(dirA), await loadRun(join(dirB, 'summary.json'))], OPTS);
    expect(csv[0].maps_verdict).toBe(verdictWords(again1.pairs[0].maps, MAPS_PER_S, 0.05));
    expect(csv[0].p99_verdict).toBe(verdictWords(again1.pairs[0].p99, MAP_P99, 0.05));
    expect(verdictsWithCi(MAPS_PER_S)).toContain(csv[0].maps_verdict);
    expect(verdictsWithCi(MAP_P99)).toContain(csv[0].p99_verdict);
    // Both runs used the same options (label, strategies, --reference and --out are not options of the measurement).
    expect(md).not.toContain('different options');
    expect(md).not.toContain('no `config`');
    const png = readFileSync(join(out, 'compare.png'));
    expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    // The panel is drawn: pixels in the first pair's colour (#1f77b4) and the dashed 1.0 line's grey (#444444).
    const image = await loadImage(png);
    const canvas = createCanvas(image.width, image.height);
    const ctx = canvas.getContext('2d');
    ctx.drawImage(image, 0, 0);
    const { data } = ctx.getImageData(0, 0, image.width, image.height);
    const count = (r: number, g: number, b: number) => {
      let n = 0;
      for (let i = 0; i < data.length; i += 4) if (Math.abs(data[i] - r) < 8 && Math.abs(data[i + 1] - g) < 8 && Math.abs(data[i + 2] - b) < 8) n++;
      return n;
    };
    expect(count(0x1f, 0x77, 0xb4)).toBeGreaterThan(50);
    expect(count(0x44, 0x44, 0x44)).toBeGreaterThan(50);

    // Reproducible: the same inputs give the same CSV.
    const again = runCli('compare', [dirA, dirB, '--out', join(root, 'cmp2')]);
    expect(again.code).toBe(0);
    expect(readFileSync(join(root, 'cmp2', 'compare.csv'), 'utf8')).toBe(readFileSync(join(out, 'compare.csv'), 'utf8'));
  });

  it('exits 2 on bad input, names the file and field, and writes nothing', () => {
    const root = tempDir('compare-bad');
    const good = join(root, 'good');
    mkdirSync(good);
    const row = { strategy: 's', workload: 'w', threads: 1, repeat: 0, maps_per_s: 100, map_p99_ns: 1000, full_failures: 0, hiwater_slots: 10 };
    writeFileSync(join(good, 'summary.json'), JSON.stringify({ throughput: [row, { ...row, repeat: 1 }] }));
    const out = join(root, 'out');

    const missing = runCli('compare', [good, join(root, 'nope'), '--out', out]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(`${join(root, 'nope')}: no such file or directory`);

    const badField = join(root, 'bad-field.json');
    writeFileSync(badField, JSON.stringify({ throughput: [row, { ...row, maps_per_s: 'fast' }] }));
    const r1 = runCli('compare', [good, badField, '--out', out]);
    expect(r1.code).toBe(2);
    expect(r1.stderr).toContain(`${badField}: field 'throughput[1].maps_per_s': `);

    const noRows = join(root, 'no-throughput.json');
    writeFileSync(noRows, JSON.stringify({ command: 'x' }));
    const r2 = runCli('compare', [good, noRows, '--out', out]);
    expect(r2.code).toBe(2);
    expect(r2.stderr).toContain(`${noRows}: field 'throughput': `);

    const notJson = join(root, 'broken.json');
    writeFileSync(notJson, '{"throughput": [');
    const r3 = runCli('compare', [good, notJson, '--out', out]);
    expect(r3.code).toBe(2);
    expect(r3.stderr).toContain(`${notJson}: not valid JSON`);

    const other = join(root, 'other.json');
    writeFileSync(other, JSON.stringify({ throughput: [{ ...row, threads: 8 }] }));
    const r4 = runCli('compare', [good, other, '--out', out]);
    expect(r4.code).toBe(2);
    expect(r4.stderr).toMatch(/no \(workload, threads\) in common between good \(.*summary\.json: w\/1\) and .* \(.*other\.json: w\/8\)/);

    const r5 = runCli('compare', [good, '--out', out]);
    expect(r5.code).toBe(2);
    expect(r5.stderr).toContain('at least two runs');

    expect(existsSync(out)).toBe(false);
    expect(readdirSync(root).filter((f) => f.startsWith('.'))).toEqual([]);
  });

  it('bench refuses a --reference that is not one of --strategy (exit 2)', () => {
    const r = runCli('bench', ['--strategy', 'global-lock', '--reference', 'per-cpu-areas', '--out', tempDir('ref-bad')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("'per-cpu-areas' is not one of --strategy (global-lock)");
  });
});
