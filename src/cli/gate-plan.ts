/**
 * What a gate run will do, from its suite and the two sides: the strategies
 * both sides have, the timed cells (thread counts above the cores left out,
 * with a note saying so) and the sim requests of the deterministic figures.
 */
import { execFileSync } from 'node:child_process';
import { isAbsolute, join, resolve } from 'node:path';
import { InputError } from '../base/errors.js';
import type { Suite } from './gate-suite.js';
import type { TimedCell } from './gate-timing-loop.js';

/** The built-in strategy names a checkout lists (`bench.js --list`). @throws InputError when the list cannot be read. */
export function listedStrategies(dir: string, what: string): string[] {
  let text: string;
  try {
    text = execFileSync(process.execPath, [join(dir, 'dist', 'bench', 'bench.js'), '--list'], { cwd: dir, encoding: 'utf8', timeout: 60_000 });
  } catch (err) {
    throw new InputError(`${what}: cannot list its strategies (${(err as Error).message.split('\n')[0]})`);
  }
  const lines = text.split('\n');
  const start = lines.findIndex((l) => l.startsWith('strategies'));
  const names: string[] = [];
  for (const l of lines.slice(start + 1)) {
    if (!l.startsWith('  ')) break;
    names.push(l.trim().split(/\s+/)[0]);
  }
  return names;
}

/** A plug-in path made absolute (the sides run in different directories); names unchanged. */
function strategyRef(s: string, root: string): string {
  return /[/\\]|\.m?[jt]s$/.test(s) && !isAbsolute(s) ? resolve(root, s) : s;
}

/** The gate's matrix. */
export interface GatePlan {
  strategies: string[];
  timed: TimedCell[];
  /** One sim request per strategy, each side's argv. */
  sim: { strategy: string; argv: { base: string[]; candidate: string[] } }[];
  notes: string[];
}

/**
 * Plan the gate.
 * @param both the strategies of each side (`listedStrategies`), or only the candidate's with --baseline.
 * @param cores this machine's cores: timed thread counts above it are left out.
 * @param calibration absolute path of the one calibration file both sides' sim runs use.
 * @throws InputError when no strategy is left to gate.
 */
export function planGate(suite: Suite, both: { base?: string[]; candidate: string[] }, cores: number, calibration: string, root: string): GatePlan {
  const notes: string[] = [];
  let strategies: string[];
  if (suite.strategies === 'both') {
    strategies = both.base ? both.candidate.filter((s) => both.base!.includes(s)) : both.candidate;
    const one = both.base ? [...both.candidate.filter((s) => !both.base!.includes(s)).map((s) => `${s} (candidate only)`), ...both.base.filter((s) => !both.candidate.includes(s)).map((s) => `${s} (base only)`)] : [];
    if (one.length) notes.push(`Not gated, present on one side only: ${one.join(', ')}.`);
  } else {
    strategies = suite.strategies.map((s) => strategyRef(s, root));
  }
  if (strategies.length === 0) throw new InputError('gate: no strategy to compare (none is on both sides)');
  const threads = suite.timing.threads.filter((t) => t <= cores);
  const above = suite.timing.threads.filter((t) => t > cores);
  if (above.length) notes.push(`Thread counts above this machine's ${cores} cores are never timing-gated (threads would share cores, and the lock then measures the scheduler): ${above.join(', ')}. The sim figures cover ${suite.sim.cpus.join(', ')} CPUs.`);
  const t = suite.timing;
  const timed: TimedCell[] = [];
  for (const workload of t.workloads) {
    for (const n of threads) {
      for (const strategy of strategies) {
        const argv = ['--strategy', strategy, '--workload', workload, '--threads', String(n), '--repeat', '1', '--duration', String(t.duration), '--warmup', String(t.warmup), '--sim-sweep', 'off', ...suite.benchArgs];
        timed.push({ name: `${strategy.split('/').pop()}/${workload}/threads=${n}`, threads: n, argv: { base: argv, candidate: argv } });
      }
    }
  }
  const s = suite.sim;
  const sim = s.workloads.length === 0 || s.cpus.length === 0 ? [] : strategies.map((strategy) => {
    const argv = ['--engine', 'sim', '--sim-maps', String(s.maps), '--calibration', calibration, '--strategy', strategy, '--workload', s.workloads.join(','), '--threads', s.cpus.join(','), '--repeat', '1', ...suite.benchArgs];
    return { strategy, argv: { base: argv, candidate: argv } };
  });
  return { strategies, timed, sim, notes };
}
