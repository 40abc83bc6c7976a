/**
 * The two locks a pool can run with (`--lock`; docs/model.md, "Locks"), each
 * on LOCK_WORDS Int32 words of a SharedArrayBuffer, standing in for the
 * kernel's `spin_lock_irqsave(&area->lock)` (and `mem->lock`,
 * `dev->dma_io_tlb_lock`):
 *
 * - `qspinlock`: a FIFO ticket spinlock (word 0: next ticket, word 1: ticket
 *   being served, word 2: waiters parked). Like the kernel's queued spinlock
 *   (kernel/locking/qspinlock.c, an MCS queue) it serves waiters in arrival
 *   order; unlike it, every waiter spins on the one shared word rather than on
 *   its own queue node. A waiter that has spun SPIN_THRESHOLD (2^15) times
 *   parks until the releaser kicks it, as the paravirt slow path of guests
 *   does (kernel/locking/qspinlock_paravirt.h: pv_wait() / pv_kick()), so a
 *   waiter the OS preempted does not leave the others spinning for a whole
 *   time slice. Right when every thread has a core.
 * - `mutex`: spin-then-park futex mutex (word 0; Drepper, "Futexes are
 *   tricky", mutex 2: 0 free, 1 held, 2 held with possible sleepers). It
 *   barges (no FIFO) and parks after SPIN_TRIES, so runs with more workers
 *   than cores stay sane.
 *
 * Both must not be called where Atomics.wait is forbidden (a browser main
 * thread); Node's main thread never contends in this project (only workers do).
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

/** Which lock runs: see the module comment. */
export type LockKind = 'qspinlock' | 'mutex';
export const LOCK_KINDS: readonly LockKind[] = ['qspinlock', 'mutex'];
/** Int32 words one lock occupies (the ticket lock uses three; the mutex the first). */
export const LOCK_WORDS = 3;

/** Spins before parking; a critical section here is a few hundred ns. */
const SPIN_TRIES = 128;
/** Each park is bounded so the timeout is checked even if a wake-up is lost. */
const PARK_SLICE_MS = 20;
/** SPIN_THRESHOLD of the paravirt qspinlock: spins before a ticket waiter parks. */
const SPIN_THRESHOLD = 1 << 15;
/** A parked ticket waiter wakes at least this often to look again (a kick may race with its parking). */
const TICKET_PARK_MS = 1;
/** Default bound on one acquisition, ms. */
export const DEFAULT_LOCK_TIMEOUT_MS = 10_000;

/** The virtual-time engine's hooks on JavaScript's shared-line operations (null in real runs). */
export interface SharedTouches {
  /** Every JavaScript lock acquisition reports its lock word before taking it, as pool-ops.wat's touch log does for the area locks. */
  hook: ((words: Int32Array, index: number) => void) | null;
  /** Every JavaScript atomic on an io_tlb_mem counter block (mem-stats.ts) reports the block, as pool-ops.wat logs its counter lines. */
  counter?: ((words: Int32Array) => void) | null;
}

/** The virtual-time engine's view of JavaScript's locks and counters (src/run/sim/touch-log.ts). */
export const lockTouches: SharedTouches =
  // One per thread for every copy of this module (a tsx-loaded plug-in brings its own: see pool-ops.ts).
  ((globalThis as Record<symbol, unknown>)[Symbol.for('swiotlb-bench/lock-touches')] ??= { hook: null, counter: null }) as SharedTouches;

/**
 * Take the mutex at `words[index]`.
 * @throws LockTimeoutError after `timeoutMs` of waiting.
 */
export function mutexAcquire(words: Int32Array, index: number, stats: LockStats, timeoutMs = DEFAULT_LOCK_TIMEOUT_MS): void {
  stats.acquisitions++;
  if (lockTouches.hook !== null) lockTouches.hook(words, index);
  if (Atomics.compareExchange(words, index, 0, 1) === 0) return;
  mutexSlowPath(words, index, stats, timeoutMs);
}

function mutexSlowPath(words: Int32Array, index: number, stats: LockStats, timeoutMs: number): void {
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

/** Release the mutex at `words[index]`, waking one parked waiter if any. */
export function mutexRelease(words: Int32Array, index: number): void {
  if (Atomics.sub(words, index, 1) !== 1) {
    Atomics.store(words, index, 0);
    Atomics.notify(words, index, 1);
  }
}

/**
 * Take the ticket lock at `words[index]` (next ticket) / `words[index + 1]`
 * (now serving) / `words[index + 2]` (parked waiters): draw a ticket, spin
 * until it is served, parking after SPIN_THRESHOLD spins. Tickets wrap at
 * 2^32 and are compared for equality only, so wrapping is harmless.
 * @throws LockTimeoutError after `timeoutMs` of waiting (the ticket is then lost with the run).
 */
export function ticketAcquire(words: Int32Array, index: number, stats: LockStats, timeoutMs = DEFAULT_LOCK_TIMEOUT_MS): void {
  stats.acquisitions++;
  if (lockTouches.hook !== null) lockTouches.hook(words, index);
  const ticket = Atomics.add(words, index, 1);
  if (Atomics.load(words, index + 1) === ticket) return;
  stats.contended++;
  const t0 = performance.now();
  for (;;) {
    for (let spins = 0; spins < SPIN_THRESHOLD; spins++) {
      if (Atomics.load(words, index + 1) === ticket) {
        stats.waitNs += (performance.now() - t0) * 1e6;
        return;
      }
    }
    // pv_wait(): announce a parked waiter, then sleep while the ticket served is not ours.
    Atomics.add(words, index + 2, 1);
    const serving = Atomics.load(words, index + 1);
    if (serving !== ticket) Atomics.wait(words, index + 1, serving, TICKET_PARK_MS);
    Atomics.sub(words, index + 2, 1);
    if (performance.now() - t0 > timeoutMs) throw new LockTimeoutError(`lock word ${index}`, timeoutMs);
  }
}

/** Release the ticket lock at `words[index]`: serve the next ticket, and kick parked waiters (pv_kick()). */
export function ticketRelease(words: Int32Array, index: number): void {
  Atomics.add(words, index + 1, 1);
  if (Atomics.load(words, index + 2) !== 0) Atomics.notify(words, index + 1);
}

/** A lock's two operations, chosen once per pool view so the hot path makes a direct call. */
export interface LockOps {
  readonly kind: LockKind;
  acquire(words: Int32Array, index: number, stats: LockStats, timeoutMs?: number): void;
  release(words: Int32Array, index: number): void;
}

const OPS: Record<LockKind, LockOps> = {
  qspinlock: { kind: 'qspinlock', acquire: ticketAcquire, release: ticketRelease },
  mutex: { kind: 'mutex', acquire: mutexAcquire, release: mutexRelease },
};

/** The operations of lock `kind`. */
export function lockOps(kind: LockKind): LockOps {
  return OPS[kind];
}

/**
 * The lock a run gets when `--lock` is not given: the FIFO spinlock when
 * every thread has a core, as in the kernel; the parking mutex when threads
 * outnumber cores, where a preempted spinner would stall the queue.
 * `threads` are the CPUs; `background` the threads that run beside them (a
 * growth worker), which need cores too. Returns the kind and the reason, for
 * the report header.
 */
export function defaultLock(threads: number, cores: number, background = 0): { kind: LockKind; why: string } {
  const runnable = threads + background;
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  const what = background ? `${plural(threads, 'thread')} and ${plural(background, 'background thread')}` : plural(threads, 'thread');
  return runnable <= cores
    ? { kind: 'qspinlock', why: `the default: ${what} fit on ${plural(cores, 'core')}, so spinning waiters are seldom preempted` }
    : { kind: 'mutex', why: `the default: ${what} on ${plural(cores, 'core')}; a FIFO spinlock would stall whenever the OS preempts a waiter, so waiters park at once instead` };
}
