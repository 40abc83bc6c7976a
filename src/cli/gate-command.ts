/**
 * `npm run gate -- --base REF` (or `--baseline FILE`): CI performance gating.
 * Deterministic figures from the virtual-time engine compared exactly, then
 * real-thread timing in randomised ABBA blocks decided three ways against a
 * slowdown budget, with Benjamini-Hochberg across cells and a confirmation by
 * fresh blocks before anything fails. Exit codes: 0 no regression
 * (INCONCLUSIVE cells included), 1 a measured regression, 2 the harness failed
 * or the input was bad; never 1 for anything but a measured regression.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { gateMarkdown } from '../analysis/gate-output.js';
import { InputError, stacksOf } from '../base/errors.js';
import { projectRoot } from '../base/paths.js';
import { machineFacts } from '../export/machine.js';
import { prepareResultsRoot } from '../export/result-dir.js';
import { headCommit } from './gate-base.js';
import { gateAgainstBase } from './gate-compare-base.js';
import { gateAgainstBaseline } from './gate-compare-baseline.js';
import type { GateContext } from './gate-context.js';
import { appendStepSummary, writeGateResult } from './gate-files.js';
import { GATE_OPTIONS } from './gate-options.js';
import { defaultSuite, loadSuite } from './gate-suite.js';
import { commandFor, parseOrExitCode, valuesOf } from './option-spec.js';

/** Exit codes, as --help and docs/ci.md state them. */
export const GATE_EXIT_CODES = 'Exit codes: 0 no regression (INCONCLUSIVE cells included, and listed); 1 a measured regression (a deterministic figure beyond its tolerance, or a timing regression confirmed by fresh blocks); 2 the harness failed or the input was bad. Never 1 for anything else.';

/** The command definition (exported for --help tests and docs/options.md). */
export function gateCommand() {
  return commandFor('npm run gate --', 'Gate a change: compare this checkout with a base commit (or a stored gate result) on deterministic figures and on paired real-thread timing.', GATE_OPTIONS, GATE_EXIT_CODES);
}

/** `HEAD`, or `HEAD + uncommitted changes` when tracked files changed: what the candidate is. */
function candidateRef(root: string): string {
  const r = spawnSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: root, encoding: 'utf8' });
  if (r.status !== 0) return 'working tree (not a git checkout)';
  return r.stdout.trim() === '' ? 'HEAD' : 'HEAD + uncommitted changes';
}

/**
 * Run `npm run gate` with `argv`; returns the exit code (0, 1 or 2). Never throws.
 * @param env the environment (GITHUB_STEP_SUMMARY; variables passed to both sides).
 */
export async function gateMain(argv: string[], env: NodeJS.ProcessEnv = process.env, log: (line: string) => void = console.log, sideEnv: Record<string, string> = {}): Promise<number> {
  const cmd = gateCommand();
  const early = parseOrExitCode(cmd, argv);
  // The gate's exit code 1 means a regression: a failure to parse is 2 whatever it was.
  if (early !== undefined) return early === 0 ? 0 : 2;
  const o = valuesOf(cmd, GATE_OPTIONS);
  const t0 = Date.now();
  try {
    if ((o.base === undefined) === (o.baseline === undefined)) throw new InputError('gate: give one of --base REF (build and run that commit here) and --baseline FILE (a stored gate.json)');
    const root = projectRoot();
    const calibration = resolve(o.calibration ?? join(root, 'calibration', 'default.json'));
    if (!existsSync(calibration)) throw new InputError(`--calibration ${calibration}: no such file`);
    await prepareResultsRoot(o.out);
    const ctx: GateContext = {
      root, candidate: { role: 'candidate', ref: candidateRef(root), commit: headCommit(root), dir: root },
      suite: o.suite ? loadSuite(o.suite) : defaultSuite(), machine: machineFacts(),
      calibration, calibrationSha256: createHash('sha256').update(readFileSync(calibration)).digest('hex'),
      timing: { budget: o.budget / 100, confidence: o.confidence, deadlineMs: t0 + o.timeCap * 1000, seed: o.seed, runTimeoutMs: 120_000 },
      env: sideEnv, log,
    };
    const found = o.base !== undefined ? await gateAgainstBase(o.base, ctx) : await gateAgainstBaseline(o.baseline!, ctx);
    const result = { ...found, wallSeconds: (Date.now() - t0) / 1000 };
    const dir = await writeGateResult(o.out, result);
    const markdown = gateMarkdown(result);
    log('');
    log(markdown);
    const summary = appendStepSummary(markdown, env, dir);
    if (summary) log(summary);
    log(`gate: ${dir}/ (gate.md, gate.json, bencher.json, benchmark-bigger.json, benchmark-smaller.json); exit ${result.exitCode}`);
    return result.exitCode;
  } catch (err) {
    return fail(err);
  }
}

/** Print an error; the gate's harness and input failures are both exit 2 (never 1, which means a regression). */
function fail(err: unknown): number {
  const e = err as Error;
  process.stderr.write(`error: ${e instanceof InputError ? e.message : stacksOf(e)}\n`);
  return 2;
}
