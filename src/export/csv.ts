/** CSV text for result files (csv-stringify): numbers to 6 significant digits. */
import { stringify } from 'csv-stringify/sync';

/** Rows as CSV with a header; `columns` defaults to the union of the rows' keys (strategies add their own). */
export function csvText<T extends object>(rows: T[], columns: string[] = [...new Set(rows.flatMap((r) => Object.keys(r)))]): string {
  return stringify(rows, { header: true, columns, cast: { number: (v) => (Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(6)))) } });
}
