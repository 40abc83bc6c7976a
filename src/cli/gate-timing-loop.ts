/**
 * The gate's timing phase on real threads: rounds of randomised ABBA/BAAB
 * blocks (in mirrored pairs, each on a fresh pair of processes) over the
 * timed cells (one block per cell per round, so every cell sees the machine
 * at every moment), more rounds for the cells still
 * INCONCLUSIVE up to `maxBlocks` or the deadline, then fresh blocks for each
 * SUSPECTED or IMPROVEMENT cell, run the same way (but past the deadline):
 * only a regression that these confirm fails the gate, and only an
 * improvement they confirm is called one (an A/A gate on a noisy 2-core
 * machine once called a 12-block burst an IMPROVEMENT of 1.86x).
 */
import { type Block, type TimingState, judgeCells } from '../analysis/gate-timing.js';
import { mixSeed } from '../stats/hash.js';
import { xorshift32 } from '../stats/prng.js';
import { GateHarnessError, type SideProcess } from './gate-side.js';

/** One timed cell: its name and each side's bench arguments (one strategy, workload and thread count; one repeat). */
export interface TimedCell {
  name: string;
  threads: number;
  argv: { base: string[]; candidate: string[] };
}

/** How the blocks are run and read. */
export interface TimingSettings {
  minBlocks: number;
  maxBlocks: number;
  /** Slowdown budget, fraction (0.05). */
  budget: number;
  confidence: number;
  /** Wall-clock time (ms, Date.now()) after which no optional round starts. */
  deadlineMs: number;
  /** Seed of the ABBA/BAAB draws. */
  seed: number;
  /** Longest one run may take, ms. */
  runTimeoutMs: number;
}

/** The timing phase's outcome: every cell's final state, and the confirmation of the suspected ones. */
export interface TimingOutcome {
  states: TimingState[];
  /** Fresh-block states of the cells that were SUSPECTED or IMPROVEMENT, by cell name. */
  confirmations: Map<string, TimingState>;
  /** Rounds run (first pass, extensions) and whether the deadline stopped extensions. */
  rounds: number;
  stoppedByDeadline: boolean;
}

/** maps/s of the one run an answer must hold. @throws GateHarnessError otherwise. */
function mapsOf(runs: { row: { maps_per_s: number } }[], what: string): number {
  if (runs.length !== 1) throw new GateHarnessError(`${what}: expected one run, got ${runs.length}`);
  return runs[0].row.maps_per_s;
}

/**
 * The orders of a cell's blocks: a random one for each even block, its
 * mirror for the odd block after it, so every position in a block (first
 * after the processes start, last...) falls to each side equally often.
 */
function orderOf(k: number, previous: Block['order'] | undefined, rand: () => number): Block['order'] {
  if (k % 2 === 1 && previous !== undefined) return previous === 'ABBA' ? 'BAAB' : 'ABBA';
  return rand() < 0.5 ? 'ABBA' : 'BAAB';
}

/**
 * Run a block of `cell` in `order`, once both sides' processes are up (a
 * process still starting would slow the other's run), then restart both.
 * A fresh pair per block because two processes of identical code differ by up
 * to about 5% for their whole life: kept for 4 blocks, that difference made
 * the blocks alike and the interval too narrow (2 of 15 A/A gates had
 * intervals excluding 1.00 on this machine); fresh, it is the block's own noise.
 */
async function runBlock(cell: TimedCell, order: Block['order'], base: SideProcess, candidate: SideProcess, timeoutMs: number): Promise<Block> {
  await Promise.all([base.whenReady(), candidate.whenReady()]);
  const got: { A: number[]; B: number[] } = { A: [], B: [] };
  for (const letter of [...order] as ('A' | 'B')[]) {
    const side = letter === 'A' ? base : candidate;
    const argv = letter === 'A' ? cell.argv.base : cell.argv.candidate;
    got[letter].push(mapsOf(await side.run(argv, timeoutMs), `${side.info.role} ${cell.name}`));
  }
  base.restart();
  candidate.restart();
  return { order, base: [got.A[0], got.A[1]], candidate: [got.B[0], got.B[1]] };
}

/**
 * Run rounds of blocks over `cells`: every cell up to `minBlocks`, then the
 * cells still INCONCLUSIVE (or, in a confirmation, not yet decided either
 * way) one block a round up to `maxBlocks`; optional rounds stop at the
 * deadline unless `pastDeadline`. `log` gets one line per round.
 */
async function rounds(cells: readonly TimedCell[], blocks: Map<string, Block[]>, s: TimingSettings, base: SideProcess, candidate: SideProcess, rand: () => number, log: (l: string) => void, pastDeadline: boolean): Promise<{ states: TimingState[]; rounds: number; stopped: boolean }> {
  let n = 0;
  let roundMs = 0;
  for (;;) {
    const states = judgeCells(blocks, s.budget, s.confidence);
    const have = (c: TimedCell) => blocks.get(c.name)!.length;
    const verdict = (c: TimedCell) => states.find((x) => x.cell === c.name)!.verdict;
    const open = cells.filter((c) => have(c) < s.minBlocks || (verdict(c) === 'INCONCLUSIVE' && have(c) < s.maxBlocks));
    if (open.length === 0) return { states, rounds: n, stopped: false };
    const mandatory = open.some((c) => have(c) < s.minBlocks);
    if (!mandatory && !pastDeadline && Date.now() + roundMs * (open.length / cells.length) > s.deadlineMs) return { states, rounds: n, stopped: true };
    const t0 = Date.now();
    for (const c of open) {
      const done = blocks.get(c.name)!;
      done.push(await runBlock(c, orderOf(done.length, done.at(-1)?.order, rand), base, candidate, s.runTimeoutMs));
    }
    roundMs = ((Date.now() - t0) * cells.length) / open.length;
    n++;
    log(`timing: round ${n}: ${open.length} cell${open.length === 1 ? '' : 's'} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  }
}

/**
 * The timing phase.
 * @throws GateHarnessError / InputError from a side.
 */
export async function runTiming(cells: readonly TimedCell[], s: TimingSettings, base: SideProcess, candidate: SideProcess, log: (line: string) => void): Promise<TimingOutcome> {
  // Mixed, so that small seeds (1, 2, 3...) do not start xorshift in a run of tiny draws.
  const rand = xorshift32(mixSeed(s.seed, 'gate block orders'));
  const blocks = new Map(cells.map((c) => [c.name, [] as Block[]]));
  const first = await rounds(cells, blocks, s, base, candidate, rand, log, false);
  const suspected = first.states.filter((x) => x.verdict === 'SUSPECTED' || x.verdict === 'IMPROVEMENT');
  const confirmations = new Map<string, TimingState>();
  if (suspected.length > 0) {
    log(`timing: ${suspected.length} suspected difference${suspected.length === 1 ? '' : 's'}; confirming with fresh blocks: ${suspected.map((x) => `${x.cell} (${x.verdict === 'SUSPECTED' ? 'slower' : 'faster'})`).join(', ')}`);
    const again = cells.filter((c) => suspected.some((x) => x.cell === c.name));
    const fresh = new Map(again.map((c) => [c.name, [] as Block[]]));
    // Sequential like the first look, and not cut by the deadline: a suspected regression is worth the minutes.
    const confirmed = await rounds(again, fresh, s, base, candidate, rand, log, true);
    for (const c of confirmed.states) confirmations.set(c.cell, c);
  }
  const states = first.states.map((x) => {
    const again = confirmations.get(x.cell)?.verdict;
    if (x.verdict === 'SUSPECTED') return { ...x, verdict: again === 'SUSPECTED' ? 'REGRESSION' as const : 'INCONCLUSIVE' as const };
    if (x.verdict === 'IMPROVEMENT') return { ...x, verdict: again === 'IMPROVEMENT' ? 'IMPROVEMENT' as const : 'INCONCLUSIVE' as const };
    return x;
  });
  return { states, confirmations, rounds: first.rounds, stoppedByDeadline: first.stopped };
}
