/**
 * A map that must wait for its strategy's throttle (throttled-areas; Michael
 * Kelley's 2024 RFC): meanwhile its CPU completes its own in-flight I/O in
 * trace order (the unmap events after the waiting map whose maps are done),
 * as the completion context would while the submitter sleeps, and sleeps
 * when it has nothing left to complete. The wait is counted in the
 * strategy's throttle_waits and throttle_wait_ns, not in map latency.
 */
import type { MapThrottle } from '../model/strategy.js';
import { type Control, PHASE_STOP, WaitTimeoutError } from './control.js';

/** One CPU's waits for the throttle. */
export class ThrottleWait {
  constructor(
    private readonly throttle: MapThrottle,
    private readonly control: Control,
    private readonly cpu: number,
    private readonly timeoutMs: number,
    /** The strategy's counters (throttle_waits, throttle_wait_ns). */
    private readonly extra: Record<string, number>,
  ) {}

  /**
   * Wait to pass the throttle for the map at `events[at]`, completing with
   * `complete(m)` (true when it unmapped mapping m early) the unmaps after it.
   * Returns false when the run stopped first.
   * @throws WaitTimeoutError after `timeoutMs`.
   */
  await(events: Int32Array, at: number, complete: (m: number) => boolean): boolean {
    this.extra.throttle_waits++;
    const t0 = performance.now();
    const deadline = t0 + this.timeoutMs;
    let cursor = at + 1;
    for (;;) {
      let completed = false;
      for (; cursor < events.length && !completed; cursor++) {
        const e = events[cursor];
        if ((e & 1) === 1) completed = complete(e >> 1);
      }
      if (this.throttle.tryEnter()) break;
      if (!completed) {
        if (this.control.phase >= PHASE_STOP || this.control.aborted) return false;
        this.throttle.wait(1);
        if (performance.now() > deadline) throw new WaitTimeoutError(`cpu ${this.cpu}: map throttled for over ${this.timeoutMs} ms`);
      }
    }
    this.extra.throttle_wait_ns += (performance.now() - t0) * 1e6;
    return true;
  }
}
