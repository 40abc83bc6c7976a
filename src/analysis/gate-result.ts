/**
 * What a gate run found (gate.json), and the one rule for its exit code:
 * 1 only for a measured regression (a deterministic figure beyond its
 * tolerance, or a timing regression confirmed by fresh blocks); INCONCLUSIVE
 * cells pass and are listed as such.
 */
import type { MachineFacts } from '../export/machine.js';
import type { FigureComparison, SimRunFigures } from './gate-figures.js';
import type { Block, TimingVerdict } from './gate-timing.js';

/** A timed cell's verdict and figures (ratios candidate / base of maps/s). */
export interface TimedCellResult {
  cell: string;
  threads: number;
  blocks: Block[];
  ratio?: number;
  low?: number;
  high?: number;
  /** One-sided p that the slowdown exceeds the budget. */
  pWorse: number;
  verdict: TimingVerdict;
  /** The fresh blocks that confirmed (or not) a suspected regression or improvement. */
  confirmation?: { blocks: Block[]; ratio?: number; low?: number; high?: number; pWorse: number; verdict: TimingVerdict };
}

/** gate.json. Ratios are candidate / base; rates maps/s; the budget and confidence fractions. */
export interface GateResult {
  schema: 'swiotlb-bench/gate@1';
  verdict: 'PASS' | 'REGRESSION';
  exitCode: 0 | 1;
  /** `base`: both sides built and run here, interleaved; `baseline`: against a stored gate.json (weaker). */
  mode: 'base' | 'baseline';
  base: { ref: string; commit: string | null };
  candidate: { ref: string; commit: string | null };
  budget: number;
  confidence: number;
  machine: MachineFacts;
  /** This run's reference costs (lock pair + two 4 KiB copies, ns), which --baseline normalises by. */
  reference: { copyNs: number; lockPairNs: number; refNs: number } | null;
  /** The calibration file both sides' sim runs used, and its SHA-256 (a --baseline compares predicted maps/s only under the same one). */
  calibration: string;
  calibrationSha256: string;
  notes: string[];
  figures: FigureComparison;
  timing: TimedCellResult[];
  /** The candidate's own measurements, for a later `--baseline` against this file: maps/s of every timed run by cell, and its sim runs. */
  candidateRuns: { timing: Record<string, number[]>; sim: SimRunFigures[] };
  wallSeconds: number;
}

/** Everything that fails the gate: figure regressions and confirmed timing regressions. */
export function regressionsOf(r: Pick<GateResult, 'figures' | 'timing'>): { figures: number; timing: number } {
  return { figures: r.figures.changes.filter((c) => c.verdict === 'REGRESSION').length, timing: r.timing.filter((t) => t.verdict === 'REGRESSION').length };
}

/** The verdict and exit code of a gate's findings: 1 and REGRESSION when anything regressed, else 0 and PASS. */
export function gateVerdict(r: Pick<GateResult, 'figures' | 'timing'>): Pick<GateResult, 'verdict' | 'exitCode'> {
  const n = regressionsOf(r);
  return n.figures + n.timing > 0 ? { verdict: 'REGRESSION', exitCode: 1 } : { verdict: 'PASS', exitCode: 0 };
}
