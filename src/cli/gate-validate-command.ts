/**
 * `npm run gate:validate`: proof on this machine that the gate neither cries
 * wolf nor sleeps through a regression. It runs the gate's own comparison
 * (compareSides) with both sides on this checkout:
 * - A/A: `--runs` gates on identical code: REGRESSION verdicts (goal 0) and INCONCLUSIVE cells;
 * - a planted 10% slowdown per map (test/fixtures/strategies/planted-slowdown.ts,
 *   calibrated here to a tenth of a measured map+unmap): caught in how many of `--runs` (goal >= 19 of 20);
 * - a planted deterministic regression (planted-scan.ts: one more slot examined
 *   per map): caught by the sim figures alone in how many of `--runs` (goal all);
 * - the wall time of one gate on the default suite (goal <= 10 minutes on 2 cores).
 * Exit codes: 0 every goal met, 1 a goal missed, 2 the harness failed.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CommanderError } from 'commander';
import { median } from 'simple-statistics';
import { InputError, stacksOf } from '../base/errors.js';
import { projectRoot } from '../base/paths.js';
import { machineFacts } from '../export/machine.js';
import { headCommit } from './gate-base.js';
import { compareSides } from './gate-compare-base.js';
import type { GateContext } from './gate-context.js';
import { type GatePlan, listedStrategies, planGate } from './gate-plan.js';
import { SideProcess } from './gate-side.js';
import { type Suite, SuiteSchema, defaultSuite } from './gate-suite.js';
import { commandFor, option, parse, valuesOf } from './option-spec.js';

/** The options of `npm run gate:validate`. */
export const GATE_VALIDATE_OPTIONS = {
  /** Gates per experiment. @default 20 */
  runs: option<number>({ arg: '<n>', help: 'gates per experiment (A/A, planted slowdown, planted deterministic regression)', default: 20, parse: parse.int(1, 'a run count', 1000) }),
  /** Planted slowdown, percent of a map+unmap. @default 10 */
  slowdown: option<number>({ arg: '<pct>', help: 'the planted slowdown, percent of one map+unmap', default: 10, parse: parse.between(0, 1000, '10'), unit: '%' }),
  /** Skip the timed gate on the default suite. @default false */
  skipFull: option<boolean>({ help: 'skip the wall-time run of one gate on the default suite (about 8 minutes)', default: false }),
};

/** The small suite each validation gate runs: one timed cell, and a small sim matrix. */
function validationSuite(): Suite {
  return SuiteSchema.parse({
    strategies: ['per-cpu-areas'],
    timing: { workloads: ['msr-hm0'], threads: [1], duration: 0.2, warmup: 0.1, minBlocks: 8, maxBlocks: 48 },
    sim: { workloads: ['msr-hm0'], cpus: [1, 4], maps: 5000 },
  });
}

const FIXTURES = join(projectRoot(), 'test', 'fixtures', 'strategies');

/** `plan` with the candidate's per-cpu-areas replaced by `fixture` (timed cells and sim runs alike). */
function plant(plan: GatePlan, fixture: string, where: 'timed' | 'sim'): GatePlan {
  const swap = (argv: string[]) => argv.map((a) => (a === 'per-cpu-areas' ? join(FIXTURES, fixture) : a));
  return {
    ...plan,
    timed: where === 'timed' ? plan.timed.map((c) => ({ ...c, argv: { ...c.argv, candidate: swap(c.argv.candidate) } })) : [],
    sim: where === 'sim' ? plan.sim.map((s) => ({ ...s, argv: { ...s.argv, candidate: swap(s.argv.candidate) } })) : [],
  };
}

/** One line of the report: what, the count, the goal, met or not. */
interface Finding {
  what: string;
  value: string;
  goal: string;
  met: boolean;
}

/** Run `npm run gate:validate` with `argv`; returns the exit code. Never throws. */
export async function gateValidateMain(argv: string[], log: (line: string) => void = console.log): Promise<number> {
  const cmd = commandFor('npm run gate:validate --', 'Check the gate on this machine: A/A gates, a planted 10% slowdown, a planted deterministic regression, and the wall time of one default gate.', GATE_VALIDATE_OPTIONS, 'Exit codes: 0 every goal met; 1 a goal missed; 2 the harness failed.');
  try {
    cmd.parse(argv, { from: 'user' });
  } catch (err) {
    return err instanceof CommanderError && (err.code === 'commander.helpDisplayed' || err.code === 'commander.version') ? 0 : 2;
  }
  const o = valuesOf(cmd, GATE_VALIDATE_OPTIONS);
  const root = projectRoot();
  const calibration = join(root, 'calibration', 'default.json');
  const info = (role: 'base' | 'candidate') => ({ role, ref: 'HEAD', commit: headCommit(root), dir: root });
  const ctxOf = (suite: Suite, seed: number, quiet = true): GateContext => ({
    root, candidate: info('candidate'), suite, machine: machineFacts(), calibration,
    calibrationSha256: createHash('sha256').update(readFileSync(calibration)).digest('hex'),
    timing: { budget: 0.05, confidence: 0.95, deadlineMs: Date.now() + 600_000, seed, runTimeoutMs: 120_000 }, env: {}, log: quiet ? () => {} : log,
  });
  const findings: Finding[] = [];
  const sides: SideProcess[] = [];
  try {
    const suite = validationSuite();
    const plan = planGate(suite, { candidate: ['per-cpu-areas'] }, machineFacts().cores, calibration, root);
    const base = new SideProcess(info('base'));
    const same = new SideProcess(info('candidate'));
    sides.push(base, same);

    // A/A: identical code on both sides.
    let aaRegressions = 0;
    let aaInconclusive = 0;
    const walls: number[] = [];
    for (let i = 1; i <= o.runs; i++) {
      const t0 = Date.now();
      const r = await compareSides(plan, base, same, ctxOf(suite, i));
      walls.push((Date.now() - t0) / 1000);
      const reg = r.timing.filter((t) => t.verdict === 'REGRESSION').length + r.figures.changes.filter((c) => c.verdict === 'REGRESSION').length;
      aaRegressions += reg;
      aaInconclusive += r.timing.filter((t) => t.verdict === 'INCONCLUSIVE').length;
      log(`A/A ${i}/${o.runs}: ${r.timing.map((t) => `${t.cell} ${t.verdict} ${t.ratio?.toFixed(3)} (${t.low?.toFixed(3)}–${t.high?.toFixed(3)}, ${t.blocks.length} blocks)`).join('; ')}; figure regressions ${r.figures.changes.filter((c) => c.verdict === 'REGRESSION').length}; ${walls.at(-1)!.toFixed(0)} s`);
    }
    findings.push({ what: `A/A: REGRESSION verdicts in ${o.runs} gates on identical code`, value: String(aaRegressions), goal: '0', met: aaRegressions === 0 });
    findings.push({ what: `A/A: INCONCLUSIVE cells (of ${o.runs * plan.timed.length})`, value: String(aaInconclusive), goal: '(reported)', met: true });

    // The planted slowdown: a tenth of one map+unmap, measured here.
    const rates: number[] = [];
    for (let k = 0; k < 5; k++) rates.push((await same.run(plan.timed[0].argv.candidate, 120_000))[0].row.maps_per_s);
    const plantedNs = (o.slowdown / 100) * (1e9 / median(rates));
    const slow = new SideProcess(info('candidate'), { SWIOTLB_PLANTED_NS: String(plantedNs) });
    sides.push(slow);
    let caught = 0;
    for (let i = 1; i <= o.runs; i++) {
      const r = await compareSides(plant(plan, 'planted-slowdown.ts', 'timed'), base, slow, ctxOf(suite, 1000 + i));
      const t = r.timing[0];
      if (t.verdict === 'REGRESSION') caught++;
      log(`planted ${o.slowdown}% (${plantedNs.toFixed(0)} ns/map) ${i}/${o.runs}: ${t.verdict} ${t.ratio?.toFixed(3)} (${t.low?.toFixed(3)}–${t.high?.toFixed(3)}, ${t.blocks.length} blocks${t.confirmation ? `; confirmation ${t.confirmation.verdict} ${t.confirmation.ratio?.toFixed(3)}` : ''})`);
    }
    const need = Math.ceil(0.95 * o.runs);
    findings.push({ what: `planted ${o.slowdown}% slowdown per map (${plantedNs.toFixed(0)} ns), caught`, value: `${caught} of ${o.runs}`, goal: `>= ${need}`, met: caught >= need });

    // The planted deterministic regression: one more slot examined per map.
    let figureCaught = 0;
    for (let i = 1; i <= o.runs; i++) {
      const r = await compareSides(plant(plan, 'planted-scan.ts', 'sim'), base, same, ctxOf(suite, 2000 + i));
      const hit = r.figures.changes.filter((c) => c.verdict === 'REGRESSION' && c.figure === 'slots_scanned_per_map');
      if (hit.length > 0) figureCaught++;
      if (i === 1) log(`planted scan: ${hit.map((c) => `${c.cell} ${c.figure} ${c.base} -> ${c.candidate}`).join('; ')}`);
    }
    findings.push({ what: 'planted deterministic regression (one more slot examined per map), caught by the sim figures', value: `${figureCaught} of ${o.runs}`, goal: `${o.runs} of ${o.runs}`, met: figureCaught === o.runs });

    if (!o.skipFull) {
      const full = defaultSuite();
      const fullPlan = planGate(full, { base: listedStrategies(root, 'base'), candidate: listedStrategies(root, 'candidate') }, machineFacts().cores, calibration, root);
      const t0 = Date.now();
      const r = await compareSides(fullPlan, base, same, { ...ctxOf(full, 7, false), timing: { ...ctxOf(full, 7).timing, deadlineMs: t0 + 540_000 } });
      const wall = (Date.now() - t0) / 1000;
      const count = (v: string) => r.timing.filter((t) => t.verdict === v).length;
      findings.push({ what: `one A/A gate on the default suite (${fullPlan.timed.length} timed cells, ${fullPlan.sim.length} strategies' sim runs): wall time, s (the base build not included)`, value: wall.toFixed(0), goal: '<= 600', met: wall <= 600 });
      findings.push({ what: 'that gate\'s timing verdicts', value: `REGRESSION ${count('REGRESSION')}, INCONCLUSIVE ${count('INCONCLUSIVE')}, SAME ${count('SAME')}, IMPROVEMENT ${count('IMPROVEMENT')}`, goal: 'no REGRESSION', met: count('REGRESSION') === 0 });
    }
    for (const line of ['', '| check | value | goal | met |', '|---|---|---|---|', ...findings.map((f) => `| ${f.what} | ${f.value} | ${f.goal} | ${f.met ? 'yes' : '**no**'} |`)]) log(line);
    log(`median wall time of one validation gate: ${median(walls).toFixed(0)} s`);
    return findings.every((f) => f.met) ? 0 : 1;
  } catch (err) {
    process.stderr.write(`error: ${err instanceof InputError ? (err as Error).message : stacksOf(err)}\n`);
    return 2;
  } finally {
    for (const s of sides) s.close();
  }
}
