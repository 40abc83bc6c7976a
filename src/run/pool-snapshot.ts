/**
 * A picture-ready copy of a strategy's pools at one instant: one state byte
 * per slot, read racily from the main thread as debugfs reads `list[]`.
 * Slot states come from the kernel's own bookkeeping
 * (swiotlb_search_pool_area(), swiotlb_tbl_map_single()): `list[i] == 0`
 * marks a slot in use, and `pad_slots` on a mapping's first slot counts the
 * padding slots before it. Padding appears only when the caller passes an
 * alloc_align_mask wider than a slot (iommu-dma), since
 * swiotlb_align_offset() keeps min_align_mask bits only inside it; streaming
 * maps through dma-direct never pad.
 */
import type { PoolShared } from '../model/pool-layout.js';
import { SwiotlbPool } from '../model/pool.js';
import { type PoolSnapshot, SLOT_FREE, SLOT_PADDING, SLOT_USED } from '../export/run-series.js';

/** Slot states of one pool from its `list[]` and `pad_slots` (see the module comment for the rules). */
export function slotStates(pool: Pick<SwiotlbPool, 'list' | 'padSlots' | 'nslabs'>): Uint8Array {
  const { list, padSlots, nslabs } = pool;
  const states = new Uint8Array(nslabs);
  for (let i = 0; i < nslabs; i++) {
    if (list[i] !== 0) continue;
    states[i] = SLOT_USED;
    const pad = padSlots[i];
    for (let p = 1; p <= pad && i - p >= 0; p++) states[i - p] = SLOT_PADDING;
  }
  return states;
}

/**
 * Names of live pools that stay the same from sample to sample: the pool's
 * own label (dynamic pools: kind and first slot in the reserve), else the
 * node for pools of several io_tlb_mems, else `pool i`, or `pool` alone.
 */
export function poolLabels(pools: PoolShared[]): string[] {
  // io_tlb_mem blocks by offset: a pool posted to another thread arrives with a copy of its MemRegion.
  const mems = [...new Set(pools.map((p) => p.mem.offset))];
  return pools.map((p, i) => p.label ?? (mems.length > 1 ? `node ${mems.indexOf(p.mem.offset)}` : pools.length > 1 ? `pool ${i}` : 'pool'));
}

/** An area's name in reports: `area 2` in the only pool, else `node 1, area 2` or `transient@1536, area 0`. */
export function areaLabel(poolLabel: string, area: number): string {
  return poolLabel === 'pool' ? `area ${area}` : `${poolLabel}, area ${area}`;
}

/** The slot words of live pools copied at one instant: two array copies per pool, cheap enough for a worker to take mid-run. */
export interface PoolCopy {
  pools: { shared: PoolShared; list: Int32Array; padSlots: Int32Array }[];
}

/** Copy `list[]` and `pad_slots` of every pool (racy, as debugfs reads them). */
export function copyPools(pools: PoolShared[]): PoolCopy {
  return {
    pools: pools.map((shared) => {
      const view = new SwiotlbPool(shared);
      return { shared, list: view.list.slice(), padSlots: view.padSlots.slice() };
    }),
  };
}

/** A copy as a picture: slot states per pool (base64), pools of several io_tlb_mems labelled by node. */
export function pictureOf(copy: PoolCopy, moment: PoolSnapshot['moment'], tMs: number): PoolSnapshot {
  const labels = poolLabels(copy.pools.map((p) => p.shared));
  let used = 0;
  const pictures = copy.pools.map((p, i) => {
    const states = slotStates({ list: p.list, padSlots: p.padSlots, nslabs: p.shared.nslabs });
    for (const st of states) if (st !== SLOT_FREE) used++;
    return { label: labels[i], nslabs: p.shared.nslabs, nareas: p.shared.nareas, states: Buffer.from(states).toString('base64') };
  });
  return { moment, tMs, used, pools: pictures };
}

/** The pools' slot states now, as a picture. */
export function snapshotPools(pools: PoolShared[], moment: PoolSnapshot['moment'], tMs: number): PoolSnapshot {
  return pictureOf(copyPools(pools), moment, tMs);
}
