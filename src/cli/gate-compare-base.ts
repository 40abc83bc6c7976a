/**
 * `npm run gate -- --base REF`: both sides built here and run in one job,
 * the deterministic figures first (sim), then the timing blocks, interleaved.
 */
import { compareFigures } from '../analysis/gate-figures.js';
import type { GateResult, TimedCellResult } from '../analysis/gate-result.js';
import { gateVerdict } from '../analysis/gate-result.js';
import type { TimingState } from '../analysis/gate-timing.js';
import { measureMachineReference } from '../selfbench/machine-reference.js';
import { prepareBase } from './gate-base.js';
import type { GateContext } from './gate-context.js';
import { type GatePlan, listedStrategies, planGate } from './gate-plan.js';
import { SideProcess } from './gate-side.js';
import { pairSimRuns, simRuns } from './gate-sim.js';
import { runTiming } from './gate-timing-loop.js';

/** A timed cell's state in gate.json's shape. */
export function timedResult(s: TimingState, threads: number, confirmation?: TimingState): TimedCellResult {
  const e = (x: TimingState) => ({ ratio: Number.isFinite(x.estimate.ratio) ? x.estimate.ratio : undefined, low: x.estimate.low, high: x.estimate.high, pWorse: x.pWorse });
  return { cell: s.cell, threads, blocks: s.blocks, ...e(s), verdict: s.verdict, ...(confirmation ? { confirmation: { blocks: confirmation.blocks, ...e(confirmation), verdict: confirmation.verdict } } : {}) };
}

/**
 * Run both sides on a plan and judge: the sim figures, then the timing blocks.
 * @throws InputError (options a side refuses), GateHarnessError (a side failed).
 */
export async function compareSides(plan: GatePlan, base: SideProcess, candidate: SideProcess, ctx: GateContext): Promise<Pick<GateResult, 'figures' | 'timing' | 'notes' | 'reference' | 'candidateRuns'>> {
  const notes = [...plan.notes];
  if (plan.sim.length) ctx.log(`figures: sim runs of ${plan.sim.length} strateg${plan.sim.length === 1 ? 'y' : 'ies'}, on each side`);
  // Both sides at once: the sim figures are deterministic, so sharing the cores changes none of them, and the phase takes half the time.
  const [baseSims, candidateSims] = await Promise.all([simRuns(plan, base), simRuns(plan, candidate)]);
  const sims = pairSimRuns(baseSims, candidateSims, notes);
  const figures = compareFigures(sims.base, sims.candidate, ctx.suite.tolerances);
  ctx.log(`timing: ${plan.timed.length} cells, randomised ABBA blocks (at least ${ctx.suite.timing.minBlocks}, up to ${ctx.suite.timing.maxBlocks} while inconclusive)`);
  const reference = await measureMachineReference();
  const timing = await runTiming(plan.timed, { ...ctx.timing, minBlocks: ctx.suite.timing.minBlocks, maxBlocks: ctx.suite.timing.maxBlocks }, base, candidate, ctx.log);
  if (timing.stoppedByDeadline) notes.push(`The time cap stopped extra blocks after ${timing.rounds} rounds: cells still INCONCLUSIVE might be decided with a larger --time-cap.`);
  const threadsOf = new Map(plan.timed.map((c) => [c.name, c.threads]));
  const timed = timing.states.map((s) => timedResult(s, threadsOf.get(s.cell)!, timing.confirmations.get(s.cell)));
  const unconfirmed = timed.filter((t) => t.confirmation && t.verdict === 'INCONCLUSIVE').map((t) => t.cell);
  if (unconfirmed.length) notes.push(`A difference the fresh blocks did not confirm (so INCONCLUSIVE, not failing): ${unconfirmed.join(', ')}.`);
  const candidateTiming = Object.fromEntries(timing.states.map((s) => [s.cell, s.blocks.flatMap((b) => b.candidate)]));
  return { figures, timing: timed, notes, reference, candidateRuns: { timing: candidateTiming, sim: sims.candidate } };
}

/**
 * Build the base, run both sides and judge.
 * @throws InputError (bad ref, options a side refuses), GateHarnessError (a side failed).
 */
export async function gateAgainstBase(ref: string, ctx: GateContext): Promise<Omit<GateResult, 'wallSeconds'>> {
  const baseInfo = prepareBase(ctx.root, ref, ctx.log);
  const plan = planGate(ctx.suite, { base: listedStrategies(baseInfo.dir, `base ${ref}`), candidate: listedStrategies(ctx.root, 'candidate') }, ctx.machine.cores, ctx.calibration, ctx.root);
  const base = new SideProcess(baseInfo, ctx.env);
  const candidate = new SideProcess(ctx.candidate, ctx.env);
  try {
    const found = await compareSides(plan, base, candidate, ctx);
    return {
      schema: 'swiotlb-bench/gate@1', ...gateVerdict(found), mode: 'base',
      base: { ref, commit: baseInfo.commit }, candidate: { ref: ctx.candidate.ref, commit: ctx.candidate.commit },
      budget: ctx.timing.budget, confidence: ctx.timing.confidence, machine: ctx.machine, calibration: ctx.calibration, calibrationSha256: ctx.calibrationSha256,
      ...found,
    };
  } finally {
    base.close();
    candidate.close();
  }
}
