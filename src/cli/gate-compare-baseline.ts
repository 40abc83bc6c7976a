/**
 * `npm run gate -- --baseline FILE`: compare this checkout with a stored
 * gate.json (its candidate's runs) instead of building a base. Weaker than
 * --base, and gate.md says so: the two sides ran at different times, maybe
 * on different runners, so timing is normalised by each run's reference cost
 * (lock pair + two 4 KiB copies) and compared unpaired (Welch), and the
 * predicted maps/s only under the same calibration file.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { type SimRunFigures, compareFigures } from '../analysis/gate-figures.js';
import { type GateResult, type TimedCellResult, gateVerdict } from '../analysis/gate-result.js';
import { judgeEstimates } from '../analysis/gate-timing.js';
import { InputError } from '../base/errors.js';
import { parseJsonAs } from '../export/json-input.js';
import { measureMachineReference } from '../selfbench/machine-reference.js';
import { worsePValue } from '../stats/decision.js';
import { ratioInterval } from '../stats/ratio-interval.js';
import type { GateContext } from './gate-context.js';
import { timedResult } from './gate-compare-base.js';
import { listedStrategies, planGate } from './gate-plan.js';
import { SideProcess } from './gate-side.js';
import { simRuns } from './gate-sim.js';
import type { TimedCell } from './gate-timing-loop.js';

const SimRunSchema = z.object({
  row: z.object({ strategy: z.string(), workload: z.string(), threads: z.number() }).passthrough(),
  failuresBySize: z.record(z.string(), z.number()),
  fragmentation: z.array(z.object({}).passthrough()),
});

/** What --baseline reads of a stored gate.json. */
const StoredGateSchema = z.object({
  schema: z.literal('swiotlb-bench/gate@1'),
  candidate: z.object({ ref: z.string(), commit: z.string().nullable() }),
  machine: z.object({ cores: z.number(), cpuModel: z.string() }).passthrough(),
  reference: z.object({ refNs: z.number().positive() }).passthrough().nullable(),
  calibrationSha256: z.string(),
  candidateRuns: z.object({ timing: z.record(z.string(), z.array(z.number().positive())), sim: z.array(SimRunSchema) }),
}).passthrough();

/** Read and check a stored gate.json. @throws InputError naming the file and field. */
export function loadStoredGate(file: string): z.infer<typeof StoredGateSchema> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new InputError(`--baseline ${file}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : `cannot read it (${(err as Error).message})`}`);
  }
  const r = parseJsonAs(StoredGateSchema, text, `--baseline ${file} (a gate.json written by npm run gate)`);
  if (!r.data.reference) throw new InputError(`--baseline ${file}: field 'reference': null; the stored gate measured no reference cost, so its timing cannot be normalised`);
  return r.data;
}

/** `runs` maps/s of each cell, taken round-robin over the cells so a drift hits them alike. */
async function measure(cells: readonly TimedCell[], runs: number, side: SideProcess, timeoutMs: number): Promise<Map<string, number[]>> {
  const out = new Map(cells.map((c) => [c.name, [] as number[]]));
  for (let k = 0; k < runs; k++) {
    for (const c of cells) out.get(c.name)!.push((await side.run(c.argv.candidate, timeoutMs))[0].row.maps_per_s);
  }
  return out;
}

/**
 * Run the candidate and judge it against the stored file.
 * @throws InputError (bad file, options refused), GateHarnessError (the candidate failed).
 */
export async function gateAgainstBaseline(file: string, ctx: GateContext): Promise<Omit<GateResult, 'wallSeconds'>> {
  const stored = loadStoredGate(file);
  const plan = planGate(ctx.suite, { candidate: listedStrategies(ctx.root, 'candidate') }, ctx.machine.cores, ctx.calibration, ctx.root);
  const notes = [`Compared with a stored baseline (${file}: ${stored.candidate.ref} at ${stored.candidate.commit?.slice(0, 12) ?? 'unknown commit'}, measured on ${stored.machine.cores} cores, ${stored.machine.cpuModel}). ` +
    'This is weaker than --base: the sides ran at different times and perhaps on different runners, so timing is normalised by each run\'s lock pair + two 4 KiB copies and compared unpaired.', ...plan.notes];
  const candidate = new SideProcess(ctx.candidate, ctx.env);
  try {
    const sim: SimRunFigures[] = [];
    for (const [strategy, runs] of await simRuns(plan, candidate)) {
      if (runs instanceof Error) notes.push(`${strategy}: no sim figures (${runs.message})`);
      else sim.push(...runs);
    }
    let figures = compareFigures(stored.candidateRuns.sim as SimRunFigures[], sim, ctx.suite.tolerances);
    if (stored.calibrationSha256 !== ctx.calibrationSha256) {
      figures = { ...figures, changes: figures.changes.filter((c) => c.figure !== 'predicted_maps_per_s') };
      notes.push('Predicted maps/s not compared: the stored baseline used another calibration file.');
    }
    const reference = await measureMachineReference();
    const cells = plan.timed.filter((c) => (stored.candidateRuns.timing[c.name]?.length ?? 0) >= 2);
    const missing = plan.timed.filter((c) => !cells.includes(c)).map((c) => c.name);
    if (missing.length) notes.push(`Not timed, the baseline has fewer than 2 runs of them: ${missing.join(', ')}.`);
    const runs = 2 * ctx.suite.timing.minBlocks;
    const storedRef = stored.reference!.refNs;
    const judge = (measured: Map<string, number[]>, which: readonly TimedCell[]) => judgeEstimates(which.map((c) => {
      const estimate = ratioInterval(stored.candidateRuns.timing[c.name].map((x) => x * storedRef), measured.get(c.name)!.map((x) => x * reference.refNs), false, ctx.timing.confidence);
      return { cell: c.name, threads: c.threads, estimate, pWorse: worsePValue(estimate, true, ctx.timing.budget) };
    }), ctx.timing.budget, 1 - ctx.timing.confidence);
    ctx.log(`timing: ${cells.length} cells, ${runs} candidate runs each, against the stored runs`);
    const measured = await measure(cells, runs, candidate, ctx.timing.runTimeoutMs);
    const first = judge(measured, cells);
    const suspected = cells.filter((c) => first.find((x) => x.cell === c.name)!.verdict === 'SUSPECTED');
    const confirm = suspected.length ? judge(await measure(suspected, runs, candidate, ctx.timing.runTimeoutMs), suspected) : [];
    const timed: TimedCellResult[] = first.map((x) => {
      const c = confirm.find((y) => y.cell === x.cell);
      const verdict = x.verdict !== 'SUSPECTED' ? x.verdict : c?.verdict === 'SUSPECTED' ? 'REGRESSION' : 'INCONCLUSIVE';
      return timedResult({ ...x, blocks: [], verdict }, x.threads, c && { ...c, blocks: [] });
    });
    const findings = { figures, timing: timed };
    return {
      schema: 'swiotlb-bench/gate@1', ...gateVerdict(findings), mode: 'baseline',
      base: { ref: file, commit: stored.candidate.commit }, candidate: { ref: ctx.candidate.ref, commit: ctx.candidate.commit },
      budget: ctx.timing.budget, confidence: ctx.timing.confidence, machine: ctx.machine, reference, calibration: ctx.calibration, calibrationSha256: ctx.calibrationSha256,
      notes, ...findings, candidateRuns: { timing: Object.fromEntries(measured), sim },
    };
  } finally {
    candidate.close();
  }
}
