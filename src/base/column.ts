/**
 * How a result column is declared, once: its CSV header name, its unit and
 * its meaning. The CSV headers, summary.json, summary.md and docs/results.md
 * are generated from these declarations (src/export/columns.ts for the
 * harness's own, `Strategy.columns` for a strategy's).
 */
export interface ColumnSpec {
  /** Header name; `<i>` stands for a node number in per-node columns (`node<i>_hiwater_slots`). */
  readonly name: string;
  /** Unit of the values (`slots`, `bytes`, `ns`, `count`, `%`, `share 0..1`...), or `` for text columns. */
  readonly unit: string;
  /** What the column means, in a sentence or two. */
  readonly description: string;
}

/** A text column (names, labels). */
export function textColumn<N extends string>(name: N, description: string): { readonly name: N; readonly unit: ''; readonly description: string } {
  return { name, unit: '', description };
}

/** A numeric column. */
export function numberColumn<N extends string, U extends string>(name: N, unit: U, description: string): { readonly name: N; readonly unit: U; readonly description: string } {
  return { name, unit, description };
}

/** True when `column` (a header name) is an instance of `spec`: equal, or matching its `<i>` with a number. */
export function columnMatches(spec: ColumnSpec, column: string): boolean {
  if (!spec.name.includes('<i>')) return spec.name === column;
  const [head, tail] = spec.name.split('<i>');
  return column.startsWith(head) && column.endsWith(tail) && /^\d+$/.test(column.slice(head.length, column.length - tail.length));
}
