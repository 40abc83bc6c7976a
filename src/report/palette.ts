/** One colour per strategy (in run order), the same in every chart. */
const COLOURS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf', '#7f7f7f', '#bcbd22'];

/** The colour of the `i`-th strategy, optionally with alpha 0..1. */
export function colour(i: number, alpha = 1): string {
  const hex = COLOURS[i % COLOURS.length];
  if (alpha >= 1) return hex;
  const n = Number.parseInt(hex.slice(1), 16);
  return `rgba(${n >> 16},${(n >> 8) & 255},${n & 255},${alpha})`;
}
