/**
 * `npm run compare`'s outputs from a comparison (compare-runs.ts): compare.md
 * (what was compared, how to read it, one table per workload, the words),
 * one sentence per pair, and the rows of compare.csv.
 */
import { formatRate } from '../export/format.js';
import type { LoadedRun } from '../export/read-summary.js';
import type { RatioEstimate } from '../stats/ratio-interval.js';
import { type CompareResult, type SideFigures, canonical } from './compare-runs.js';
import { MAPS_PER_S, MAP_P99, bandWords, ciBounds, emphasizeVerdict, formatRatio, ratioSentence, verdictWords } from './ratio-words.js';

/** `run:strategy`, the name of one side. */
export function sideName(s: Pick<SideFigures, 'run' | 'strategy'>): string {
  return `${s.run}:${s.strategy}`;
}

const num = (x: number) => (Number.isInteger(x) ? String(x) : x.toFixed(1));

/** Machine facts in one line, to show that two runs ran on different machines. */
function machineLine(m: LoadedRun['machine']): string {
  return m ? `${m.cores ?? '?'} cores (${m.cpuModel ?? '?'}), Node ${m.node ?? '?'}` : 'machine unknown';
}

/** compare.md: what was compared, how to read it, one table per workload, and the comparison in words. */
export function compareMarkdown(result: CompareResult): string {
  const { options: o } = result;
  const conf = `${Math.round(o.confidence * 1000) / 10}%`;
  const out: string[] = ['# swiotlb-bench comparison', ''];
  const [base, ...others] = result.runs;
  out.push(`- Baseline: **${base.label}** (\`${base.file}\`), ${machineLine(base.machine)}`);
  for (const r of others) {
    const p = result.pairings.find((x) => x.run === r.label)!;
    out.push(`- Compared: **${r.label}** (\`${r.file}\`), ${machineLine(r.machine)}; strategies paired ${p.mode === 'same-name' ? 'by name' : 'every one with every one (no shared names)'}`);
    if (machineLine(r.machine) !== machineLine(base.machine)) out.push(`- **Warning:** ${r.label} ran on a different machine or Node than the baseline; ratios include that difference.`);
    const diffs = p.configDifferences;
    if (diffs === undefined) out.push(`- Note: ${r.config ? base.label : r.label} has no \`config\` in its summary.json, so its options cannot be checked against ${r.config ? r.label : 'the baseline'}.`);
    else if (diffs.length) out.push(`- **Warning:** ${r.label} ran with different options than the baseline (${diffs.map((d) => `${d.field}: ${canonical(d.baseline)} → ${canonical(d.other)}`).join('; ')}); ratios include that difference.`);
    if (p.unpaired.length) out.push(`- Not paired (in one run only): ${p.unpaired.join(', ')}`);
    if (p.notShared.length) out.push(`- Not compared (measured by one run only): ${p.notShared.join(', ')}`);
  }
  out.push(`- Ratios are other / baseline of the geometric means over repeats. CI: ${conf} Student-t interval of the log-ratio, Welch's (the runs' repeats do not pair).`);
  out.push(`- Verdicts (one rule for bench, compare and gate, minimum effect ${bandWords(o.minEffect)}): **faster**/**slower** when the CI lies wholly beyond the ${bandWords(o.minEffect)} band, **same** when it lies wholly inside it, **inconclusive** when it crosses an edge (more repeats would tell); with fewer than 2 repeats on a side there is **no CI**. For p99 latency lower is better.`);
  for (const workload of [...new Set(result.pairs.map((p) => p.workload))]) {
    out.push('', `## ${workload}`, '');
    out.push(`| threads | baseline | other | repeats | maps/s | maps/s ratio | ${conf} CI | maps/s verdict | map p99 ns | p99 ratio | ${conf} CI | p99 verdict | full failures (sum) | hiwater slots (max) |`);
    out.push('|---:|---|---|---:|---:|---:|---|---|---:|---:|---|---|---:|---:|');
    for (const p of result.pairs.filter((x) => x.workload === workload)) {
      const ci = (e: RatioEstimate) => ciBounds(e, o.confidence);
      out.push(`| ${p.threads} | ${sideName(p.baseline)} | ${sideName(p.other)} | ${p.baseline.repeats} / ${p.other.repeats} | ${formatRate(p.baseline.mapsPerS)} → ${formatRate(p.other.mapsPerS)} | ${formatRatio(p.maps)} | ${ci(p.maps)} | ${emphasizeVerdict(p.maps, verdictWords(p.maps, MAPS_PER_S, o.minEffect), true, o.minEffect)} | ` +
        `${num(p.baseline.p99Ns)} → ${num(p.other.p99Ns)} | ${formatRatio(p.p99)} | ${ci(p.p99)} | ${emphasizeVerdict(p.p99, verdictWords(p.p99, MAP_P99, o.minEffect), false, o.minEffect)} | ${p.baseline.fullFailuresSum} → ${p.other.fullFailuresSum} | ${p.baseline.hiwaterMax} → ${p.other.hiwaterMax} |`);
    }
  }
  out.push('', '## In words', '', ...compareWords(result).map((s) => `- ${s}`));
  return out.join('\n') + '\n';
}

/** One hyperfine-style sentence per pair. */
export function compareWords(result: CompareResult): string[] {
  return result.pairs.map((p) => `${p.workload}, ${p.threads} thread${p.threads === 1 ? '' : 's'}: ${ratioSentence(sideName(p.other), sideName(p.baseline), p.maps, p.p99, result.options.confidence, result.options.minEffect)}`);
}

/** compare.csv rows: one per pair; CI cells empty where there is none. Units: maps/s, ns, slots. */
export function compareCsvRows(result: CompareResult): Record<string, string | number>[] {
  const opt = (x: number | undefined) => (x === undefined || !Number.isFinite(x) ? '' : x);
  return result.pairs.map((p) => ({
    workload: p.workload, threads: p.threads,
    baseline_run: p.baseline.run, baseline_strategy: p.baseline.strategy, other_run: p.other.run, other_strategy: p.other.strategy,
    baseline_repeats: p.baseline.repeats, other_repeats: p.other.repeats,
    baseline_maps_per_s: p.baseline.mapsPerS, other_maps_per_s: p.other.mapsPerS,
    maps_ratio: opt(p.maps.ratio), maps_ci_low: opt(p.maps.low), maps_ci_high: opt(p.maps.high), maps_verdict: verdictWords(p.maps, MAPS_PER_S, result.options.minEffect),
    baseline_map_p99_ns: p.baseline.p99Ns, other_map_p99_ns: p.other.p99Ns,
    p99_ratio: opt(p.p99.ratio), p99_ci_low: opt(p.p99.low), p99_ci_high: opt(p.p99.high), p99_verdict: verdictWords(p.p99, MAP_P99, result.options.minEffect),
    baseline_full_failures_sum: p.baseline.fullFailuresSum, other_full_failures_sum: p.other.fullFailuresSum,
    baseline_full_failures_mean: p.baseline.fullFailuresMean, other_full_failures_mean: p.other.fullFailuresMean,
    baseline_hiwater_slots_max: p.baseline.hiwaterMax, other_hiwater_slots_max: p.other.hiwaterMax,
  }));
}
