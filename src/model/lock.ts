/**
 * Spin-then-park mutex on one Int32 word of a SharedArrayBuffer, standing in
 * for the kernel's area spinlock (`spin_lock_irqsave(&area->lock)`).
 *
 * Word states (Drepper, "Futexes are tricky", mutex 2): 0 free, 1 held,
 * 2 held with possible sleepers. A contended acquirer spins briefly, then
 * parks with Atomics.wait so that runs with more workers than cores stay sane;
 * the releaser wakes one sleeper only when the word said 2.
 *
 * Must not be called where Atomics.wait is forbidden (a browser main thread);
 * Node's main thread never contends in this project (only workers do).
 */

/** Per-caller lock counters; kept per worker so counting adds no sharing. */
export interface LockStats {
  /** Lock acquisitions. */
  acquisitions: number;
  /** Acquisitions that found the lock held. */
  contended: number;
  /** Time spent waiting in contended acquisitions, ns. */
  waitNs: number;
}

export function newLockStats(): LockStats {
  return { acquisitions: 0, contended: 0, waitNs: 0 };
}

/** Thrown when a lock cannot be taken within the timeout (a crashed holder or a deadlock). */
export class LockTimeoutError extends Error {
  constructor(what: string, timeoutMs: number) {
    super(`${what}: lock not acquired within ${timeoutMs} ms (holder crashed or deadlocked?)`);
    this.name = 'LockTimeoutError';
  }
}

/** Spins before parking; a critical section here is a few hundred ns. */
const SPIN_TRIES = 128;
/** Each park is bounded so the timeout is checked even if a wake-up is lost. */
const PARK_SLICE_MS = 20;
/** Default bound on one acquisition, ms. */
export const DEFAULT_LOCK_TIMEOUT_MS = 10_000;

/**
 * Take the lock at `words[index]`.
 * @throws LockTimeoutError after `timeoutMs` of waiting.
 */
export function lockAcquire(words: Int32Array, index: number, stats: LockStats, timeoutMs = DEFAULT_LOCK_TIMEOUT_MS): void {
  stats.acquisitions++;
  if (Atomics.compareExchange(words, index, 0, 1) === 0) return;
  lockSlowPath(words, index, stats, timeoutMs);
}

function lockSlowPath(words: Int32Array, index: number, stats: LockStats, timeoutMs: number): void {
  stats.contended++;
  const t0 = performance.now();
  for (let i = 0; i < SPIN_TRIES; i++) {
    if (Atomics.load(words, index) === 0 && Atomics.compareExchange(words, index, 0, 1) === 0) {
      stats.waitNs += (performance.now() - t0) * 1e6;
      return;
    }
  }
  // Announce a sleeper (2) so the releaser knows to notify.
  while (Atomics.exchange(words, index, 2) !== 0) {
    Atomics.wait(words, index, 2, PARK_SLICE_MS);
    if (performance.now() - t0 > timeoutMs) throw new LockTimeoutError(`lock word ${index}`, timeoutMs);
  }
  stats.waitNs += (performance.now() - t0) * 1e6;
}

/** Release the lock at `words[index]`, waking one parked waiter if any. */
export function lockRelease(words: Int32Array, index: number): void {
  if (Atomics.sub(words, index, 1) !== 1) {
    Atomics.store(words, index, 0);
    Atomics.notify(words, index, 1);
  }
}
