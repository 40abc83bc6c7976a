/**
 * Each device's transient pools (`dev->dma_io_tlb_pools` under
 * `dev->dma_io_tlb_lock`), kept in the meta words of a dynamic io_tlb_mem
 * (layout.ts: META_DEVICES, one DEVICE_WORDS block per device) and linked
 * through the table entries' E_NEXT words, newest first as list_add_rcu()
 * puts them. A device here is one min_align_mask value, as in the dynamic
 * conformance vectors.
 */
import type { LockOps, LockStats } from '../lock.js';
import { D_HEAD, D_LOCK, D_MASK, DEVICE_WORDS, ENTRY_WORDS, E_DEVICE, E_NEXT, MAX_DEVICES, META_DEVICES, META_DEVICE_COUNT, META_DEVICE_LOCK } from './layout-words.js';

/** A view of the devices' transient lists; every method is safe from any thread. */
export class DeviceLists {
  constructor(
    private readonly meta: Int32Array,
    private readonly table: Int32Array,
    private readonly lock: LockOps,
    private readonly lockStats: LockStats,
  ) {}

  /**
   * The device standing for `minAlignMask` (one per mask value), registered on first use.
   * @throws RangeError past MAX_DEVICES distinct masks.
   */
  deviceOf(minAlignMask: number): number {
    const meta = this.meta;
    const known = Atomics.load(meta, META_DEVICE_COUNT);
    for (let d = 0; d < known; d++) if (meta[META_DEVICES + d * DEVICE_WORDS + D_MASK] === minAlignMask) return d;
    this.lock.acquire(meta, META_DEVICE_LOCK, this.lockStats);
    try {
      const count = meta[META_DEVICE_COUNT];
      for (let d = 0; d < count; d++) if (meta[META_DEVICES + d * DEVICE_WORDS + D_MASK] === minAlignMask) return d;
      if (count === MAX_DEVICES) throw new RangeError(`more than ${MAX_DEVICES} distinct min_align_mask values (devices) in one run`);
      meta[META_DEVICES + count * DEVICE_WORDS + D_MASK] = minAlignMask;
      Atomics.store(meta, META_DEVICE_COUNT, count + 1);
      return count;
    } finally {
      this.lock.release(meta, META_DEVICE_LOCK);
    }
  }

  /** Take device `d`'s dma_io_tlb_lock. */
  lockDevice(d: number): void {
    this.lock.acquire(this.meta, META_DEVICES + d * DEVICE_WORDS + D_LOCK, this.lockStats);
  }

  unlockDevice(d: number): void {
    this.lock.release(this.meta, META_DEVICES + d * DEVICE_WORDS + D_LOCK);
  }

  /** The first entry of device `d`'s transient list (newest), or -1. Call with the device locked. */
  head(d: number): number {
    return this.meta[META_DEVICES + d * DEVICE_WORDS + D_HEAD] - 1;
  }

  /** The entry after `e` on its device's list, or -1. Call with the device locked. */
  next(e: number): number {
    return this.table[e * ENTRY_WORDS + E_NEXT] - 1;
  }

  /** list_add_rcu() under dma_io_tlb_lock: put transient entry `e` at the head of device `d`'s list. */
  addTransient(d: number, e: number): void {
    this.lockDevice(d);
    const head = META_DEVICES + d * DEVICE_WORDS + D_HEAD;
    this.table[e * ENTRY_WORDS + E_NEXT] = this.meta[head];
    this.table[e * ENTRY_WORDS + E_DEVICE] = d;
    this.meta[head] = e + 1;
    this.unlockDevice(d);
  }

  /** swiotlb_del_pool(): list_del_rcu() of transient entry `e` under its device's lock. */
  removeTransient(e: number): void {
    const d = this.table[e * ENTRY_WORDS + E_DEVICE];
    this.lockDevice(d);
    const head = META_DEVICES + d * DEVICE_WORDS + D_HEAD;
    const next = this.table[e * ENTRY_WORDS + E_NEXT];
    if (this.meta[head] === e + 1) this.meta[head] = next;
    else {
      let p = this.meta[head] - 1;
      while (p >= 0 && this.table[p * ENTRY_WORDS + E_NEXT] !== e + 1) p = this.table[p * ENTRY_WORDS + E_NEXT] - 1;
      if (p < 0) {
        this.unlockDevice(d);
        throw new RangeError(`transient pool entry ${e} is not on device ${d}'s list`);
      }
      this.table[p * ENTRY_WORDS + E_NEXT] = next;
    }
    this.unlockDevice(d);
  }

}
