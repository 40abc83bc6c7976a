/**
 * A machine's reference speed for `npm run gate -- --baseline FILE`: the
 * cost of an uncontended lock pair plus two 4 KiB bounce copies, the floor of
 * a map+unmap (bench:micro's denominator), measured in a second. Dividing
 * each side's maps/s by its own machine's reference makes two runs on
 * different runners comparable, roughly: copy bandwidth and lock cost move
 * with the runner, the allocator's own work does not exactly.
 */
import { median } from 'simple-statistics';
import { MODE_BYTES, memoryCopies, timeRounds, wasmLockPairs } from './micro-ops.js';

/** The reference costs, ns per operation (medians over rounds). */
export interface MachineReference {
  /** One 4 KiB memory.copy, cache-hot. */
  copyNs: number;
  /** One uncontended qspinlock lock+unlock in WebAssembly. */
  lockPairNs: number;
  /** lockPairNs + 2 copyNs: the floor of one map+unmap. */
  refNs: number;
}

/** Measure the reference: 5 rounds of 100 ms each op. */
export async function measureMachineReference(): Promise<MachineReference> {
  const rounds = await timeRounds(new Map([['copy', memoryCopies(MODE_BYTES.hot)], ['lock', wasmLockPairs('qspinlock')]]), 5, 100);
  const copyNs = median(rounds.copy);
  const lockPairNs = median(rounds.lock);
  return { copyNs, lockPairNs, refNs: lockPairNs + 2 * copyNs };
}
