/**
 * The search behind `npm run size`: the smallest pool, out of an ascending
 * list of candidate pools, whose replay passes (no "swiotlb buffer is full",
 * or failures under a rate). A probe is one deterministic replay, so each
 * candidate is probed at most once per search (the caller's cache makes that
 * hold across searches). Pure: the probe is given.
 */

/** Whether the replay at candidate `index` passes; may be asked in any order. */
export type PoolProbe = (index: number) => Promise<boolean>;

/**
 * Bisection over `count` ascending candidates, assuming that a larger pool
 * never fails where a smaller one passes: about log2(count) + 1 probes.
 * Returns the index of the smallest passing candidate, or `count` when even
 * the largest fails. `from` skips candidates known to fail (a lower bound).
 */
export async function bisectPool(count: number, passes: PoolProbe, from = 0): Promise<number> {
  let lo = from; // every index below lo fails
  let hi = count; // hi passes, or is past the end
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (await passes(mid)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/**
 * Every candidate probed, smallest first: the index of the smallest passing
 * one (`count` when none passes), and whether the outcomes are monotone (no
 * failing candidate above a passing one), which bisection relies on.
 */
export async function scanPools(count: number, passes: PoolProbe): Promise<{ index: number; monotone: boolean }> {
  const outcomes: boolean[] = [];
  for (let i = 0; i < count; i++) outcomes.push(await passes(i));
  const index = outcomes.indexOf(true);
  const first = index < 0 ? count : index;
  return { index: first, monotone: outcomes.slice(first).every(Boolean) };
}
