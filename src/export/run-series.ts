/**
 * The per-run series that live beside the CSV rows (in summary.json `runs`
 * and the report): slots in use per area over time, and pictures of the
 * pools' slots. Written by the runner, drawn by the report.
 */

/** Slots in use per area at one sample, by area label (`area 1`, `node 0, area 1`, `transient@1536, area 0`). */
export interface AreaSample {
  tMs: number;
  used: Record<string, number>;
}

/** Slot state in {@link PoolPicture.states}: free (`list[i] > 0`). */
export const SLOT_FREE = 0;
/** Slot state: part of a live mapping (`list[i] == 0`). */
export const SLOT_USED = 1;
/** Slot state: a padding slot before a mapping's first slot (counted by its `pad_slots`). */
export const SLOT_PADDING = 2;

/** One pool at one instant. */
export interface PoolPicture {
  /** `node 1`, `pool@512`, `transient@1536`, `pool 0`, or `pool` (src/run/pool-snapshot.ts poolLabels). */
  label: string;
  nslabs: number;
  nareas: number;
  /** One byte per slot: SLOT_FREE, SLOT_USED or SLOT_PADDING; base64 so it travels in JSON. */
  states: string;
}

/** A strategy's pools at one instant of a run. */
export interface PoolSnapshot {
  /**
   * `peak`: the fullest picture of the measured window (a worker's picture at
   * a new io_tlb_used_hiwater, within 2% of the mark, or
   * the main thread's fullest sample); `end`: the last sample.
   */
  moment: 'peak' | 'end';
  /** ms since measuring started. */
  tMs: number;
  /** Slots not free in the picture (used and padding). */
  used: number;
  pools: PoolPicture[];
}
