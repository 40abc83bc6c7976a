/**
 * The few Chart.js options that must be functions (heat-map cell size and
 * colour). Configurations carry `{ $fn: name, arg }` markers instead, so they
 * stay JSON; {@link reviveFunctions} swaps the markers for real functions in
 * Node, and the HTML report inlines the same factories (their source text), so
 * both render alike. Factories must not reference anything outside themselves.
 */

/** A marker standing for `SCRIPTABLES[$fn](arg)`. */
export interface FnMarker {
  $fn: keyof typeof SCRIPTABLES;
  arg: number;
}

interface CellContext {
  chart: { chartArea?: { width: number; height: number } };
  dataset: { data: { v: number }[] };
  dataIndex: number;
}

/** Factories: argument in, Chart.js scriptable option out. */
export const SCRIPTABLES = {
  /** Matrix cell width for `n` columns, px. */
  cellWidth: (n: number) => (c: CellContext) => Math.max(1, (c.chart.chartArea?.width ?? 0) / n - 1),
  /** Matrix cell height for `n` rows, px. */
  cellHeight: (n: number) => (c: CellContext) => Math.max(1, (c.chart.chartArea?.height ?? 0) / n - 1),
  /** White (0) to dark blue (`max`) by the cell's value `v`. */
  heat: (max: number) => (c: CellContext) => {
    const v = c.dataset.data[c.dataIndex]?.v ?? 0;
    const f = max > 0 ? Math.min(1, v / max) : 0;
    const mix = (from: number, to: number) => Math.round(from + (to - from) * f);
    return `rgb(${mix(255, 8)},${mix(255, 48)},${mix(255, 107)})`;
  },
};

/** Build a marker (typed, so a misspelt name fails to compile). */
export function fn($fn: FnMarker['$fn'], arg: number): FnMarker {
  return { $fn, arg };
}

/** Deep copy of `value` with every marker replaced by its function. */
export function reviveFunctions<T>(value: T, factories: Record<string, (arg: number) => unknown> = SCRIPTABLES): T {
  const walk = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(walk);
    if (v === null || typeof v !== 'object') return v;
    const o = v as Record<string, unknown>;
    if (typeof o.$fn === 'string' && factories[o.$fn]) return factories[o.$fn](o.arg as number);
    return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, walk(x)]));
  };
  return walk(value) as T;
}
