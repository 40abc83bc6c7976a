/**
 * `npm run validate-sim`: the virtual-time engine against real threads on
 * this machine. The same workloads, strategies and thread counts (up to the
 * cores) run on both engines; per cell it prints predicted / measured maps/s
 * (measured: the median of the repeats) and, per workload and thread count,
 * whether the strategies come out in the same order (Kendall's tau). Goal:
 * every ratio within 0.85-1.15 and the same order (docs/sim.md). Writes
 * results/validate-sim.json; exits 1 when a cell misses the goal.
 */
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { mkdir } from 'node:fs/promises';
import { median } from 'simple-statistics';
import { Command, CommanderError } from 'commander';
import { reportErrorAndExitCode } from '../base/errors.js';
import { projectRoot } from '../base/paths.js';
import { writeFileAtomic } from '../export/result-dir.js';
import type { RunOutcome } from '../run/run-one.js';
import { parseBenchArgs } from './bench-args.js';
import { runBench } from './bench-job.js';

/** The default cells: the default workloads, two network and two NVMe profiles. */
const WORKLOADS = ['msr-hm0', 'tpcc', 'net-rx-mtu1500', 'net-imix', 'nvme-4k-randread-qd32', 'nvme-mixed-70r30w'];
const STRATEGIES = ['global-lock', 'per-cpu-areas', 'per-numa-pools'];
/** The goal on every cell: predicted / measured maps/s. */
export const GOAL = { low: 0.85, high: 1.15 } as const;

/** One cell of the table. */
export interface ValidationCell {
  workload: string;
  threads: number;
  strategy: string;
  measured: number;
  predicted: number;
  ratio: number;
}

/** Predicted figures closer than this (relative) are a tie: the engine does not order them. */
const TIE = 0.02;

/**
 * Kendall's tau-a of the measured order against the predicted one, over the
 * pairs the engine does not predict as a tie (1: same order, -1: reversed);
 * NaN when it predicts every pair as a tie (one CPU runs the same code path
 * for every single-pool strategy: the measured order is then noise).
 */
export function kendallTau(measured: readonly number[], predicted: readonly number[]): number {
  let s = 0;
  let pairs = 0;
  for (let i = 0; i < measured.length; i++) {
    for (let j = i + 1; j < measured.length; j++) {
      if (Math.abs(predicted[i] - predicted[j]) <= TIE * Math.max(predicted[i], predicted[j])) continue;
      s += Math.sign(measured[i] - measured[j]) * Math.sign(predicted[i] - predicted[j]);
      pairs++;
    }
  }
  return pairs === 0 ? NaN : s / pairs;
}

/** Median maps/s per (workload, threads, strategy). */
function mapsPerS(outcomes: readonly RunOutcome[]): Map<string, number> {
  const by = new Map<string, number[]>();
  for (const o of outcomes) {
    const k = `${o.row.workload}|${o.row.threads}|${o.row.strategy}`;
    by.set(k, [...(by.get(k) ?? []), Number(o.row.maps_per_s)]);
  }
  return new Map([...by].map(([k, v]) => [k, median(v)]));
}

/** Run both engines and compare; `log` prints the table. Returns the cells and the taus. */
export async function validateSim(argv: string[], log: (line: string) => void): Promise<{ cells: ValidationCell[]; taus: { workload: string; threads: number; tau: number }[] }> {
  const cmd = new Command('validate-sim')
    .option('--workload <names>', 'workloads, comma list', WORKLOADS.join(','))
    .option('--strategy <names>', 'strategies, comma list', STRATEGIES.join(','))
    .option('--threads <list>', 'thread counts (at most the cores)', [1, Math.min(2, availableParallelism())].filter((t, i, a) => a.indexOf(t) === i).join(','))
    .option('--repeat <n>', 'real repeats per cell', '3')
    .option('--calibration <file>', 'the calibration the engine uses')
    .exitOverride();
  cmd.parse(argv, { from: 'user' });
  const o = cmd.opts<{ workload: string; strategy: string; threads: string; repeat: string; calibration?: string }>();
  const common = ['--workload', o.workload, '--strategy', o.strategy, '--threads', o.threads, '--out', join(projectRoot(), 'results', 'validate-sim'), '--no-progress', '--sim-sweep', 'off'];
  const quiet = () => undefined;
  log(`real runs (${o.repeat} repeats each) ...`);
  const real = await runBench(parseBenchArgs([...common, '--repeat', o.repeat, '--label', 'real']), 'validate-sim real', quiet);
  log('sim runs ...');
  const simArgs = [...common, '--repeat', '1', '--engine', 'sim', '--label', 'sim', ...(o.calibration ? ['--calibration', o.calibration] : [])];
  const sim = await runBench(parseBenchArgs(simArgs), 'validate-sim sim', quiet);
  const measured = mapsPerS(real.outcomes);
  const predicted = mapsPerS(sim.outcomes);
  const cells: ValidationCell[] = [...measured].map(([k, m]) => {
    const [workload, threads, strategy] = k.split('|');
    const p = predicted.get(k) ?? 0;
    return { workload, threads: Number(threads), strategy, measured: m, predicted: p, ratio: m > 0 ? p / m : 0 };
  });
  const taus: { workload: string; threads: number; tau: number }[] = [];
  for (const key of [...new Set(cells.map((c) => `${c.workload}|${c.threads}`))]) {
    const group = cells.filter((c) => `${c.workload}|${c.threads}` === key);
    taus.push({ workload: group[0].workload, threads: group[0].threads, tau: kendallTau(group.map((c) => c.measured), group.map((c) => c.predicted)) });
  }
  log('');
  log('| workload | threads | strategy | measured maps/s | predicted maps/s | predicted / measured |');
  log('|---|---:|---|---:|---:|---:|');
  for (const c of cells) {
    const miss = c.ratio < GOAL.low || c.ratio > GOAL.high ? ' (outside 0.85-1.15)' : '';
    log(`| ${c.workload} | ${c.threads} | ${c.strategy} | ${Math.round(c.measured)} | ${Math.round(c.predicted)} | ${c.ratio.toFixed(2)}${miss} |`);
  }
  log('');
  for (const t of taus) {
    const what = Number.isNaN(t.tau) ? 'n/a: the engine predicts a tie (within 2%)' : `${t.tau.toFixed(2)}${t.tau === 1 ? ' (same order)' : ''}`;
    log(`${t.workload}, ${t.threads} thread(s): Kendall tau ${what}`);
  }
  return { cells, taus };
}

/** The command: run, print, write results/validate-sim.json, exit 1 when a cell misses the goal. */
export async function validateSimMain(argv: string[]): Promise<number> {
  let result: Awaited<ReturnType<typeof validateSim>>;
  try {
    result = await validateSim(argv, console.log);
  } catch (err) {
    if (err instanceof CommanderError) return err.code === 'commander.helpDisplayed' ? 0 : 2;
    return reportErrorAndExitCode(err);
  }
  const dir = join(projectRoot(), 'results');
  await mkdir(dir, { recursive: true });
  await writeFileAtomic(join(dir, 'validate-sim.json'), JSON.stringify({ goal: GOAL, ...result }, null, 2) + '\n');
  const missed = result.cells.filter((c) => c.ratio < GOAL.low || c.ratio > GOAL.high).length + result.taus.filter((t) => t.tau < 1).length /* NaN: a predicted tie, not a miss */;
  console.log(missed === 0 ? 'every cell within the goal, same order everywhere' : `${missed} cell(s) or order(s) miss the goal`);
  return missed === 0 ? 0 : 1;
}
