/**
 * The gate's deterministic figures: what the virtual-time engine reports for
 * a (strategy, workload, CPUs) cell, bit-identical for the same code, inputs,
 * seed and calibration, so base and candidate are compared exactly, with no
 * statistics: a change for the worse beyond the figure's tolerance is a
 * regression, and a figure that was 0 on the base and is worse on the
 * candidate is always one (a relative tolerance of 0 is still 0).
 */
import { mean } from 'simple-statistics';
import type { FragmentationRow, ThroughputRow } from '../export/columns.js';

/** How far a figure may move for the worse before it is a regression: worse by more than max(absolute, relative x |base|). */
export interface Tolerance {
  /** Fraction of the base value (0.01 = 1%). @default 0 */
  relative?: number;
  /** In the figure's unit. @default 0 */
  absolute?: number;
}

/** One deterministic figure, declared once (gate.md, gate.json, the formats and docs/ci.md read these). */
export interface FigureSpec {
  key: string;
  /** What it is, with its unit. */
  label: string;
  unit: string;
  higherIsBetter: boolean;
  tolerance: Tolerance;
}

/** Every figure the gate compares, with its default tolerance. `full_failures@SIZE` figures (failures by mapping size) share full_failures' spec. */
export const FIGURES: readonly FigureSpec[] = [
  { key: 'full_failures', label: '"swiotlb buffer is full" failures', unit: 'maps', higherIsBetter: false, tolerance: { absolute: 0 } },
  { key: 'hiwater_slots', label: 'io_tlb_used high-water mark', unit: 'slots', higherIsBetter: false, tolerance: { relative: 0.01 } },
  { key: 'slots_scanned_per_map', label: 'candidate slots examined per map', unit: 'slots', higherIsBetter: false, tolerance: { relative: 0.01 } },
  { key: 'area_fallbacks_per_map', label: 'areas tried beyond the first, per map', unit: 'areas', higherIsBetter: false, tolerance: { relative: 0.01 } },
  { key: 'unusable_8_mean', label: 'unusable free space index for 8-slot requests, mean over the fixed samples', unit: 'index 0..1', higherIsBetter: false, tolerance: { absolute: 0.01 } },
  { key: 'unusable_128_mean', label: 'unusable free space index for 128-slot requests, mean over the fixed samples', unit: 'index 0..1', higherIsBetter: false, tolerance: { absolute: 0.01 } },
  { key: 'internal_waste_pct_mean', label: 'internal waste (slot bytes not mapped), mean over the fixed samples', unit: '%', higherIsBetter: false, tolerance: { absolute: 0.5 } },
  { key: 'predicted_maps_per_s', label: 'predicted maps/s (virtual-time engine, one calibration for both sides)', unit: 'maps/s', higherIsBetter: true, tolerance: { relative: 0.01 } },
];

/** The spec of a figure key (`full_failures@4096` reads full_failures'). @throws RangeError for an unknown key. */
export function figureSpec(key: string, overrides: Readonly<Record<string, Tolerance>> = {}): FigureSpec {
  const base = FIGURES.find((f) => f.key === key.split('@')[0]);
  if (!base) throw new RangeError(`unknown gate figure '${key}'`);
  const tolerance = overrides[key] ?? overrides[base.key] ?? base.tolerance;
  return { ...base, key, tolerance };
}

/** One sim run as the gate reads it (a ServedRun). */
export interface SimRunFigures {
  row: ThroughputRow;
  failuresBySize: Record<string, number>;
  fragmentation: FragmentationRow[];
}

/** `per-cpu-areas/msr-hm0/cpus=64`: the name of a sim cell. */
export function simCellName(r: Pick<ThroughputRow, 'strategy' | 'workload' | 'threads'>): string {
  return `${r.strategy}/${r.workload}/cpus=${r.threads}`;
}

const meanOf = (rows: readonly FragmentationRow[], k: 'unusable_8' | 'unusable_128' | 'internal_waste_pct') => (rows.length ? mean(rows.map((r) => r[k])) : 0);

/** Every figure of one sim run, keyed by figure key (failures by size as `full_failures@BYTES`). */
export function figuresOf(run: SimRunFigures): Map<string, number> {
  const r = run.row;
  const out = new Map<string, number>([
    ['full_failures', r.full_failures],
    ['hiwater_slots', r.hiwater_slots],
    ['slots_scanned_per_map', r.slots_scanned_per_map],
    ['area_fallbacks_per_map', r.area_fallbacks_per_map],
    ['unusable_8_mean', meanOf(run.fragmentation, 'unusable_8')],
    ['unusable_128_mean', meanOf(run.fragmentation, 'unusable_128')],
    ['internal_waste_pct_mean', meanOf(run.fragmentation, 'internal_waste_pct')],
    ['predicted_maps_per_s', r.maps_per_s],
  ]);
  for (const [size, n] of Object.entries(run.failuresBySize)) out.set(`full_failures@${size}`, n);
  return out;
}

/** What a figure did from base to candidate. */
export type FigureVerdict = 'REGRESSION' | 'IMPROVEMENT' | 'SAME' | 'WITHIN-TOLERANCE';

/** One figure of one cell compared. */
export interface FigureChange {
  cell: string;
  figure: string;
  unit: string;
  higherIsBetter: boolean;
  base: number;
  candidate: number;
  /** candidate / base - 1 (undefined when base is 0). */
  relativeChange?: number;
  tolerance: Tolerance;
  verdict: FigureVerdict;
}

/**
 * Judge one figure: SAME when equal, IMPROVEMENT when better, REGRESSION
 * when worse beyond the tolerance or worse from a base of 0, else WITHIN-TOLERANCE.
 */
export function judgeFigure(spec: FigureSpec, base: number, candidate: number): FigureVerdict {
  if (candidate === base) return 'SAME';
  const worse = spec.higherIsBetter ? candidate < base : candidate > base;
  if (!worse) return 'IMPROVEMENT';
  if (base === 0) return 'REGRESSION';
  const allowed = Math.max(spec.tolerance.absolute ?? 0, (spec.tolerance.relative ?? 0) * Math.abs(base));
  return Math.abs(candidate - base) > allowed ? 'REGRESSION' : 'WITHIN-TOLERANCE';
}

/** The comparison of every figure of every cell both sides ran, and the cells only one side ran. */
export interface FigureComparison {
  changes: FigureChange[];
  /** Cells present on one side only (`name (base only)`). */
  unmatched: string[];
}

/**
 * Compare the sim runs of two sides cell by cell (one run per cell; a
 * failures-by-size figure missing on one side counts as 0 there).
 * @param overrides tolerances by figure key, over the defaults of {@link FIGURES}.
 */
export function compareFigures(base: readonly SimRunFigures[], candidate: readonly SimRunFigures[], overrides: Readonly<Record<string, Tolerance>> = {}): FigureComparison {
  const byCell = (runs: readonly SimRunFigures[]) => new Map(runs.map((r) => [simCellName(r.row), figuresOf(r)]));
  const b = byCell(base);
  const c = byCell(candidate);
  const changes: FigureChange[] = [];
  for (const [cell, bf] of b) {
    const cf = c.get(cell);
    if (!cf) continue;
    for (const key of new Set([...bf.keys(), ...cf.keys()])) {
      const spec = figureSpec(key, overrides);
      const bv = bf.get(key) ?? 0;
      const cv = cf.get(key) ?? 0;
      changes.push({ cell, figure: key, unit: spec.unit, higherIsBetter: spec.higherIsBetter, base: bv, candidate: cv, relativeChange: bv === 0 ? undefined : cv / bv - 1, tolerance: spec.tolerance, verdict: judgeFigure(spec, bv, cv) });
    }
  }
  const unmatched = [...[...b.keys()].filter((k) => !c.has(k)).map((k) => `${k} (base only)`), ...[...c.keys()].filter((k) => !b.has(k)).map((k) => `${k} (candidate only)`)];
  return { changes, unmatched };
}
