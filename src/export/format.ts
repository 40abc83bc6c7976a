/** Numbers as the result files and the console write them. */

/** A rate in maps/s: `540.0k`, `1.23M`. */
export function formatRate(x: number): string {
  return x >= 1e6 ? `${(x / 1e6).toFixed(2)}M` : x >= 1e3 ? `${(x / 1e3).toFixed(1)}k` : x.toFixed(0);
}
