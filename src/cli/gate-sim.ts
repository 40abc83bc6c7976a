/**
 * The gate's deterministic phase: each strategy's sim runs (every suite
 * workload at every CPU count, one calibration) on a side. A strategy that
 * both sides refuse the same way (a plan impossible at some CPU count) is
 * left out with a note; one side refusing what the other runs is a
 * harness error (exit 2), as it cannot be compared.
 */
import type { SimRunFigures } from '../analysis/gate-figures.js';
import { InputError } from '../base/errors.js';
import type { GatePlan } from './gate-plan.js';
import type { SideProcess } from './gate-side.js';
import { isStrategyPath } from '../../strategies/index.js';

/** Longest one sim request may take: 10 minutes. */
const SIM_TIMEOUT_MS = 600_000;

/**
 * One side's sim runs for every planned strategy, or the error that stopped a
 * strategy. Built-in strategies go in one request first, so the side builds
 * each workload's schedule once rather than once per strategy; when that
 * request is refused (a strategy cannot run some cell), or a strategy is a
 * plug-in file (its row carries a name the plan does not know), each
 * strategy gets a request of its own.
 */
export async function simRuns(plan: Pick<GatePlan, 'sim'>, side: SideProcess): Promise<Map<string, SimRunFigures[] | Error>> {
  const out = new Map<string, SimRunFigures[] | Error>();
  const builtIn = plan.sim.every((s) => !isStrategyPath(s.strategy));
  if (plan.sim.length > 1 && builtIn) {
    const argv = combinedArgv(plan.sim.map((s) => s.argv[side.info.role]), plan.sim.map((s) => s.strategy));
    try {
      const runs = await side.run(argv, SIM_TIMEOUT_MS * plan.sim.length);
      // A strategy's rows are named by it, or `NAME/nodes=M` with a --nodes list.
      for (const { strategy } of plan.sim) out.set(strategy, runs.filter((r) => r.row.strategy === strategy || r.row.strategy.startsWith(`${strategy}/`)));
      if ([...out.values()].every((r) => (r as SimRunFigures[]).length > 0)) return out;
      out.clear(); // rows this code cannot attribute: ask one strategy at a time
    } catch (err) {
      if (!(err instanceof InputError)) throw err;
    }
  }
  for (const { strategy, argv } of plan.sim) {
    try {
      out.set(strategy, await side.run(argv[side.info.role], SIM_TIMEOUT_MS));
    } catch (err) {
      if (!(err instanceof InputError)) throw err;
      out.set(strategy, err);
    }
  }
  return out;
}

/** The first strategy's argv with `--strategy` naming them all. */
function combinedArgv(argvs: string[][], strategies: string[]): string[] {
  const argv = [...argvs[0]];
  argv[argv.indexOf('--strategy') + 1] = strategies.join(',');
  return argv;
}

/**
 * The runs both sides made, with notes for strategies both refused.
 * @throws InputError when one side ran a strategy the other refused.
 */
export function pairSimRuns(base: Map<string, SimRunFigures[] | Error>, candidate: Map<string, SimRunFigures[] | Error>, notes: string[]): { base: SimRunFigures[]; candidate: SimRunFigures[] } {
  const b: SimRunFigures[] = [];
  const c: SimRunFigures[] = [];
  for (const [strategy, cr] of candidate) {
    const br = base.get(strategy);
    if (br === undefined) continue;
    const bad = (x: unknown) => x instanceof Error;
    if (bad(br) && bad(cr)) notes.push(`${strategy}: no sim figures, both sides refused its runs (${(cr as Error).message})`);
    else if (bad(br) || bad(cr)) throw new InputError(`${strategy}: ${bad(br) ? 'the base' : 'the candidate'} refused the sim runs the other side made: ${((bad(br) ? br : cr) as Error).message}`);
    else {
      b.push(...(br as SimRunFigures[]));
      c.push(...(cr as SimRunFigures[]));
    }
  }
  return { base: b, candidate: c };
}
