/**
 * `throttled-areas`: per-CPU areas plus back-pressure, after Michael Kelley's
 * "Introduce swiotlb throttling" RFC (2024-08-22, never merged; message
 * 20240822183718.1234-2-mhklinux@outlook.com; docs/model.md, "Proposals
 * modelled as strategies"). Only a map made with DMA_ATTR_MAY_BLOCK (block
 * I/O here; the RFC sets it for storage drivers, never for network maps, and
 * only on a scatterlist's first entry) can be throttled: when io_tlb_used is
 * above 70% of nslabs, or above 65% while the semaphore (count 1) is held, it
 * does down() on the semaphore, waiting for it however use changes meanwhile,
 * and the buffer it maps holds the semaphore until its unmap releases it:
 * such map/unmap pairs serialise. Unmap reads and clears the buffer's hold
 * before its slots go back (so a map that takes those slots cannot have its
 * own hold consumed), then does up(). A throttled map that fails gives the
 * semaphore back. Unmap never blocks. The RFC keeps io_tlb_mem's `total_used`
 * counter under CONFIG_SWIOTLB_THROTTLE as well as CONFIG_DEBUG_FS, so the
 * counters stay with `--debugfs off` (a plan change says so).
 *
 * Extra counters: throttled_maps (maps that took the semaphore),
 * throttle_waits (maps that had to wait for it) and throttle_wait_ns.
 */
import { numberColumn } from '../src/base/column.js';
import { DMA_MAPPING_ERROR, IO_TLB_SHIFT } from '../src/model/constants.js';
import { SwiotlbPool } from '../src/model/pool.js';
import { createSinglePool } from '../src/model/single-pool.js';
import type { HostMemory, MapThrottle, Strategy, StrategyState, ThrottledAllocator } from '../src/model/strategy.js';
import { perCpuAreas } from './per-cpu-areas.js';

/** Throttle when io_tlb_used exceeds this share of nslabs... */
export const THROTTLE_HIGH = 0.7;
/** ...or this share while the semaphore is held. */
export const THROTTLE_LOW = 0.65;

/** Shared state: the pool plus the semaphore word and a per-slot "holds the semaphore" flag. */
export interface ThrottledState extends StrategyState {
  /** Int32: [0] semaphore count (1 = free). */
  semaphore: SharedArrayBuffer;
  /** Uint8 per slot: 1 on the first data slot of a buffer that holds the semaphore. */
  holds: SharedArrayBuffer;
}

class ThrottledPool extends SwiotlbPool implements ThrottledAllocator, MapThrottle {
  readonly throttle: MapThrottle = this;
  private readonly sem: Int32Array;
  private readonly holds: Uint8Array;
  private readonly high: number;
  private readonly low: number;
  /** This CPU holds the semaphore for its next map. */
  private entered = false;
  /** This CPU's next map decided to throttle and is in down(): it waits for the semaphore whatever io_tlb_used does. */
  private waiting = false;

  constructor(state: ThrottledState) {
    super(state.pools[0]);
    this.sem = new Int32Array(state.semaphore);
    this.holds = new Uint8Array(state.holds);
    this.high = Math.floor(THROTTLE_HIGH * this.nslabs);
    this.low = Math.floor(THROTTLE_LOW * this.nslabs);
    const extra = this.counters.extra;
    extra.throttled_maps = extra.throttle_waits = extra.throttle_wait_ns = 0;
  }

  /** For a DMA_ATTR_MAY_BLOCK map: the RFC's test on total_used, then down(); false while down() would sleep. */
  tryEnter(): boolean {
    if (this.entered) return true;
    if (!this.waiting) {
      const held = Atomics.load(this.sem, 0) <= 0;
      if (this.mem.used <= (held ? this.low : this.high)) return true;
      this.waiting = true;
    }
    if (Atomics.compareExchange(this.sem, 0, 1, 0) !== 1) return false;
    this.waiting = false;
    this.entered = true;
    return true;
  }

  wait(ms: number): void {
    Atomics.wait(this.sem, 0, 0, ms);
  }

  private up(): void {
    Atomics.store(this.sem, 0, 1);
    Atomics.notify(this.sem, 0, 1);
  }

  override tblMapSingle(cpu: number, orig: number, mappingSize: number, allocAlignMask: number, minAlignMask: number): number {
    return this.afterMap(super.tblMapSingle(cpu, orig, mappingSize, allocAlignMask, minAlignMask));
  }

  override mapAndCopy(cpu: number, orig: number, mappingSize: number, allocAlignMask: number, minAlignMask: number, host: HostMemory): number {
    return this.afterMap(super.mapAndCopy(cpu, orig, mappingSize, allocAlignMask, minAlignMask, host));
  }

  /** A map that took the semaphore holds it with its buffer, or gives it back at once when it failed. */
  private afterMap(tlb: number): number {
    if (this.entered) {
      this.entered = false;
      if (tlb === DMA_MAPPING_ERROR) this.up();
      else {
        this.holds[(tlb - this.start) >>> IO_TLB_SHIFT] = 1;
        this.counters.extra.throttled_maps++;
      }
    }
    return tlb;
  }

  override releaseSlots(tlb: number, minAlignMask: number, mappingSize: number): void {
    const held = this.takeHold(tlb);
    super.releaseSlots(tlb, minAlignMask, mappingSize);
    if (held) this.up();
  }

  override copyAndRelease(tlb: number, minAlignMask: number, mappingSize: number, copyBack: number, host: HostMemory): void {
    const held = this.takeHold(tlb);
    super.copyAndRelease(tlb, minAlignMask, mappingSize, copyBack, host);
    if (held) this.up();
  }

  /** True when the buffer at `tlb` held the semaphore (up() is due after its release); clears the mark. */
  private takeHold(tlb: number): boolean {
    const slot = (tlb - this.start) >>> IO_TLB_SHIFT;
    if (this.holds[slot] === 0) return false;
    this.holds[slot] = 0;
    return true;
  }
}

export const throttledAreas: Strategy<ThrottledState> = {
  name: 'throttled-areas',
  description: 'per-CPU areas plus a semaphore that serialises maps above 70% use (Kelley 2024 RFC, unmerged)',
  plan(request) {
    // The pool and areas of per-cpu-areas; only the throttle differs.
    const plan = perCpuAreas.plan(request);
    plan.notes.push(`throttles maps above ${THROTTLE_HIGH * 100}% of nslabs (${THROTTLE_LOW * 100}% while held)`);
    if (request.debugfs === false) plan.changes!.push('--debugfs off: the io_tlb_used counter stays, as the RFC keeps total_used under CONFIG_SWIOTLB_THROTTLE to decide when to throttle');
    return plan;
  },
  create(plan, arena) {
    const semaphore = new SharedArrayBuffer(64);
    new Int32Array(semaphore)[0] = 1;
    // The throttle reads total_used, which the RFC keeps whatever CONFIG_DEBUG_FS says.
    return { ...createSinglePool({ ...plan, debugfs: true }, arena), plan, semaphore, holds: new SharedArrayBuffer(plan.nslabs) };
  },
  attach: (state) => new ThrottledPool(state),
  mapsMayBlock: true,
  columns: {
    throughput: [
      numberColumn('throttle_wait_ns', 'ns', 'total time maps waited for the semaphore (not part of map latency)'),
      numberColumn('throttle_waits', 'count', 'maps that had to wait for the semaphore'),
      numberColumn('throttled_maps', 'count', 'maps that took the semaphore (io_tlb_used above the threshold)'),
    ],
  },
};
