/**
 * The pool at its fullest, as one worker saw it: a copy of every live pool's
 * slot words taken whenever this worker raises io_tlb_used_hiwater to at
 * least 2% (and 1 slot) above its last copy. The main thread's 100 ms
 * samples miss short bursts; these do not, so pool-map.png shows the pool
 * within 2% of its high-water mark (copies are racy, as debugfs reads are).
 * A copy is two array copies per pool; the picture is made once, at the end.
 */
import type { PoolSnapshot } from '../export/run-series.js';
import { type PoolCopy, pictureOf } from './pool-snapshot.js';

/** The next copy waits for the mark to pass `hiwater` by this many slots: 2%, at least 1. */
export function pictureMargin(hiwater: number): number {
  return Math.max(1, Math.ceil(hiwater / 50));
}

/** One worker's copies at its high-water marks. */
export class PeakPicture {
  private best: { copy: PoolCopy; hiwater: number; tMs: number } | null = null;
  /** Take the next copy when the high-water mark reaches this (slots). */
  nextAt = 0;

  /** @param take copies the live pools now. */
  constructor(private readonly take: () => PoolCopy) {}

  /** Forget the warm-up's copies: measuring starts. */
  reset(): void {
    this.best = null;
    this.nextAt = 0;
  }

  /** This worker raised the high-water mark to `hiwater` slots, `tMs` into measuring (call when `hiwater >= nextAt`). */
  capture(hiwater: number, tMs: number): void {
    this.best = { copy: this.take(), hiwater, tMs: Math.round(tMs) };
    this.nextAt = hiwater + pictureMargin(hiwater);
  }

  /** The picture at the highest mark this worker set, or null. */
  picture(): PoolSnapshot | null {
    return this.best && pictureOf(this.best.copy, 'peak', this.best.tMs);
  }
}
