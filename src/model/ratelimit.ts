/**
 * The rate limit of dev_warn_ratelimited(): lib/ratelimit.c ___ratelimit()
 * (Kingxukai/linux @ 9b44fff655e2) with DEFINE_RATELIMIT_STATE(_rs,
 * DEFAULT_RATELIMIT_INTERVAL, DEFAULT_RATELIMIT_BURST), one state per call
 * site, shared by every CPU:
 * - the first call opens a 5 s window with a burst of 10;
 * - a call after the window (strictly later than start + 5 s) reopens it,
 *   refills the burst and reports the calls missed meanwhile
 *   ("swiotlb_tbl_map_single: N callbacks suppressed");
 * - a call prints while the burst lasts; a caller that finds the state's lock
 *   taken may still print from the burst, without reopening the window;
 * - every call that does not print counts as missed.
 *
 * Layout (one SharedArrayBuffer): Int32 [0] lock (0 free, 1 taken), [1]
 * rs_n_left (burst left), [2] missed, [3] initialised; Float64 [2] the
 * window's start, ms (performance.timeOrigin based).
 */

/** DEFAULT_RATELIMIT_INTERVAL: 5 * HZ. */
export const RATELIMIT_INTERVAL_MS = 5000;
/** DEFAULT_RATELIMIT_BURST. */
export const RATELIMIT_BURST = 10;

const LOCK = 0;
const LEFT = 1;
const MISSED = 2;
const INITIALISED = 3;

/** A fresh rate-limit state for one call site. */
export function allocateRatelimit(): SharedArrayBuffer {
  return new SharedArrayBuffer(24);
}

/**
 * What one call to the limiter decided, as one number (no object per call):
 * n >= 0: print, after reporting n calls suppressed before this window
 * reopened (0: none); n < 0: do not print, after reporting -n - 1.
 * RATELIMIT_SILENT (-1): nothing to print or report.
 */
export type RatelimitVerdict = number;
export const RATELIMIT_SILENT = -1;

/** Whether the verdict lets this message print. */
export function printsOf(verdict: RatelimitVerdict): boolean {
  return verdict >= 0;
}

/** The calls suppressed before this window reopened that the verdict asks to report. */
export function suppressedOf(verdict: RatelimitVerdict): number {
  return verdict >= 0 ? verdict : -verdict - 1;
}

/** A view of a shared rate-limit state (one call site). */
export class Ratelimit {
  private readonly words: Int32Array;
  private readonly start: Float64Array;

  constructor(buffer: SharedArrayBuffer, private readonly now: () => number = () => performance.timeOrigin + performance.now()) {
    this.words = new Int32Array(buffer, 0, 4);
    this.start = new Float64Array(buffer, 16, 1);
  }

  /** Take one from the burst if any is left (atomic_dec_return(&rs_n_left) >= 0). */
  private takeBurst(): boolean {
    return Atomics.load(this.words, LEFT) > 0 && Atomics.sub(this.words, LEFT, 1) - 1 >= 0;
  }

  /** ___ratelimit(): may this call print? */
  check(): RatelimitVerdict {
    const w = this.words;
    let print = false;
    let suppressed = 0;
    if (Atomics.compareExchange(w, LOCK, 0, 1) !== 0) {
      print = Atomics.load(w, INITIALISED) === 1 && this.takeBurst();
    } else {
      const now = this.now();
      if (w[INITIALISED] === 0) {
        this.start[0] = now;
        Atomics.store(w, LEFT, RATELIMIT_BURST);
        Atomics.store(w, INITIALISED, 1);
      }
      if (now > this.start[0] + RATELIMIT_INTERVAL_MS) {
        Atomics.store(w, LEFT, RATELIMIT_BURST);
        this.start[0] = now;
        suppressed = Atomics.exchange(w, MISSED, 0);
      }
      print = this.takeBurst();
      Atomics.store(w, LOCK, 0);
    }
    if (!print) Atomics.add(w, MISSED, 1);
    return print ? suppressed : -suppressed - 1;
  }
}
