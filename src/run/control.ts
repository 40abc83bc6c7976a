/**
 * The control block shared by the main thread and the workers of one run:
 * a start barrier, the run phase, an abort flag, a drain barrier, and one
 * 64-byte progress line per worker (so progress reports add no false sharing).
 * Workers block with Atomics.wait (with timeouts); the main thread only polls.
 */

export const PHASE_INIT = 0;
export const PHASE_WARMUP = 1;
export const PHASE_MEASURE = 2;
export const PHASE_STOP = 3;

const ARRIVED = 0;
const GO = 1;
const PHASE = 2;
const ABORT = 3;
const DRAINED = 4;
const LINE = 16;

/** Thrown by a worker whose wait timed out, naming what it waited for. */
export class WaitTimeoutError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WaitTimeoutError';
  }
}

/** Thrown by a worker that saw the abort flag (another worker failed). */
export class AbortedError extends Error {
  constructor() {
    super('run aborted');
    this.name = 'AbortedError';
  }
}

export function allocateControl(threads: number): SharedArrayBuffer {
  return new SharedArrayBuffer((1 + threads) * LINE * 4);
}

/** A view of the control block. */
export class Control {
  readonly words: Int32Array;

  constructor(readonly buffer: SharedArrayBuffer, readonly threads: number) {
    this.words = new Int32Array(buffer);
  }

  get phase(): number {
    return Atomics.load(this.words, PHASE);
  }

  setPhase(phase: number): void {
    Atomics.store(this.words, PHASE, phase);
  }

  /** Worker: sleep until the phase is no longer `phase`, at most `ms`. */
  waitForPhaseChange(phase: number, ms: number): void {
    Atomics.wait(this.words, PHASE, phase, ms);
  }

  get aborted(): boolean {
    return Atomics.load(this.words, ABORT) !== 0;
  }

  abort(): void {
    Atomics.store(this.words, ABORT, 1);
    Atomics.notify(this.words, GO);
    Atomics.notify(this.words, DRAINED);
  }

  get arrived(): number {
    return Atomics.load(this.words, ARRIVED);
  }

  get started(): boolean {
    return Atomics.load(this.words, GO) !== 0;
  }

  /** Worker: publish maps done so far. */
  publishProgress(worker: number, maps: number): void {
    Atomics.store(this.words, (1 + worker) * LINE, maps);
  }

  /** Main thread: maps done by all workers (racy sum). */
  progress(): number {
    let sum = 0;
    for (let w = 0; w < this.threads; w++) sum += Atomics.load(this.words, (1 + w) * LINE);
    return sum;
  }

  /**
   * Worker: wait until all workers arrived; the last to arrive starts the warm-up.
   * @throws WaitTimeoutError after `timeoutMs`, AbortedError on abort.
   */
  startBarrier(timeoutMs: number): void {
    if (Atomics.add(this.words, ARRIVED, 1) + 1 === this.threads) {
      Atomics.store(this.words, PHASE, PHASE_WARMUP);
      Atomics.store(this.words, GO, 1);
      Atomics.notify(this.words, GO);
      return;
    }
    this.waitFor(GO, 1, timeoutMs, () => `start barrier: only ${this.arrived} of ${this.threads} workers arrived within ${timeoutMs} ms`);
  }

  /**
   * Worker: after stopping, wait until every worker stopped too, so no one is mid-operation.
   * @throws WaitTimeoutError after `timeoutMs`, AbortedError on abort.
   */
  drainBarrier(timeoutMs: number): void {
    if (Atomics.add(this.words, DRAINED, 1) + 1 === this.threads) {
      Atomics.notify(this.words, DRAINED);
      return;
    }
    this.waitFor(DRAINED, this.threads, timeoutMs, () => `drain barrier: only ${Atomics.load(this.words, DRAINED)} of ${this.threads} workers stopped within ${timeoutMs} ms`);
  }

  private waitFor(index: number, target: number, timeoutMs: number, message: () => string): void {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const value = Atomics.load(this.words, index);
      if (value >= target) return;
      if (this.aborted) throw new AbortedError();
      const left = deadline - performance.now();
      if (left <= 0) throw new WaitTimeoutError(message());
      Atomics.wait(this.words, index, value, Math.min(left, 50));
    }
  }
}
