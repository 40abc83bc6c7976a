/**
 * A picture-ready copy of a strategy's pools at one instant: one state byte
 * per slot, read racily from the main thread as debugfs reads `list[]`.
 * Slot states come from the kernel's own bookkeeping (swiotlb_area_find_slots(),
 * swiotlb_tbl_map_single()): `list[i] == 0` marks a slot in use, `pad_slots`
 * on a mapping's first slot counts the padding slots before it
 * (min_align_mask), and an `alloc_size` below IO_TLB_SIZE on a mapping's last
 * slot means that slot is only partly filled.
 */
import { IO_TLB_SIZE } from '../src/constants.js';
import { type PoolShared, SwiotlbPool } from '../src/pool.js';

/** Slot states in {@link PoolPicture.states}. */
export const SLOT_FREE = 0;
export const SLOT_USED = 1;
export const SLOT_PADDING = 2;
/** The last slot of a mapping, partly filled (internal waste). */
export const SLOT_TAIL = 3;

/** One pool at one instant. */
export interface PoolPicture {
  /** e.g. `node 1` or `pool 2`. */
  label: string;
  nslabs: number;
  nareas: number;
  /** One byte per slot: SLOT_FREE, SLOT_USED, SLOT_PADDING or SLOT_TAIL; base64 so it travels in JSON. */
  states: string;
}

/** A strategy's pools at one instant of a run. */
export interface PoolSnapshot {
  /** `peak` (largest io_tlb_used sampled) or `end` (last sample of the measured window). */
  moment: 'peak' | 'end';
  /** ms since measuring started. */
  tMs: number;
  /** Slots not free in the picture (used, padding and partly filled). */
  used: number;
  pools: PoolPicture[];
}

/** Slot states of one pool (see the module comment for the rules). */
export function slotStates(pool: SwiotlbPool): Uint8Array {
  const { list, padSlots, allocSize, nslabs } = pool;
  const states = new Uint8Array(nslabs);
  for (let i = 0; i < nslabs; i++) {
    if (list[i] !== 0) continue;
    states[i] = allocSize[i] > 0 && allocSize[i] < IO_TLB_SIZE ? SLOT_TAIL : SLOT_USED;
    const pad = padSlots[i];
    for (let p = 1; p <= pad && i - p >= 0; p++) states[i - p] = SLOT_PADDING;
  }
  return states;
}

/** Decode {@link PoolPicture.states}. */
export function decodeStates(picture: PoolPicture): Uint8Array {
  return new Uint8Array(Buffer.from(picture.states, 'base64'));
}

/**
 * Copy the pools' slot states; pools of several io_tlb_mems (per-node
 * pools) are labelled by node.
 */
export function snapshotPools(pools: PoolShared[], moment: PoolSnapshot['moment'], tMs: number): PoolSnapshot {
  const mems = [...new Set(pools.map((p) => p.mem))];
  let used = 0;
  const pictures = pools.map((shared, i) => {
    const states = slotStates(new SwiotlbPool(shared));
    for (const s of states) if (s !== SLOT_FREE) used++;
    return {
      label: mems.length > 1 ? `node ${mems.indexOf(shared.mem)}` : pools.length > 1 ? `pool ${i}` : 'pool',
      nslabs: shared.nslabs,
      nareas: shared.nareas,
      states: Buffer.from(states).toString('base64'),
    };
  });
  return { moment, tMs, used, pools: pictures };
}

