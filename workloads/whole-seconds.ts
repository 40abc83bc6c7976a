/**
 * Traces whose timestamps are whole seconds (Tencent CBS, CloudPhysics CSV)
 * log every request of a second at the same instant; replayed as logged, a
 * second's requests are all in flight at once (48,703 of the 50,000 shipped
 * Tencent requests share one second: 1.4 GiB in flight). The rule here: the
 * n requests logged in one second arrive evenly spread across it, the k-th
 * (in file order) at second + k/n s. `--whole-seconds keep` replays them as
 * logged.
 */
import type { IoRequest } from './types.js';

/** `--whole-seconds`: spread each second's requests evenly across it, or keep them as logged. */
export type WholeSeconds = 'spread' | 'keep';
export const WHOLE_SECONDS_MODES: readonly WholeSeconds[] = ['spread', 'keep'];

const NS_PER_S = 1e9;

/**
 * Spread the requests that share a whole-second arrival evenly across that
 * second, in place (order within a second: file order). Returns how many
 * requests shared a second with others (0: nothing changed).
 */
export function spreadWholeSeconds(requests: IoRequest[]): number {
  const bySecond = new Map<number, IoRequest[]>();
  for (const r of requests) {
    const group = bySecond.get(r.arrivalNs);
    if (group) group.push(r);
    else bySecond.set(r.arrivalNs, [r]);
  }
  let moved = 0;
  for (const [t, group] of bySecond) {
    if (group.length < 2) continue;
    moved += group.length;
    group.forEach((r, k) => (r.arrivalNs = t + Math.floor((k * NS_PER_S) / group.length)));
  }
  return moved;
}
