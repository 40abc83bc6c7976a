/**
 * Cross-CPU completion (`--completion-cpu other`), one CPU's side: the
 * mapping CPU publishes each map's bounce address (or its failure) in a
 * shared word per mapping, and the completing CPU waits for it; a host
 * buffer region is reused only after every earlier user of it was unmapped
 * (workloads/schedule/host-memory.ts). Waits spin briefly, then park with
 * Atomics.wait, and give up after `waitTimeoutMs`.
 */
import type { Control } from './control.js';
import { PHASE_STOP, WaitTimeoutError } from './control.js';
import type { Handoff } from './task.js';

/** Spins before parking while waiting for another CPU. */
const HANDOFF_SPINS = 2000;
const HANDOFF_PARK_MS = 2;
/** Mapping state words: mapped, map failed, or an unmapper waiting (0: nothing yet). */
export const MAPPING_LIVE = 1;
export const MAPPING_FAILED = 2;
const UNMAPPER_WAITING = -1;

/** What the schedule says about the host regions (Int32 per mapping / per region). */
export interface RegionPlan {
  region: Int32Array;
  regionSeq: Int32Array;
  regionUses: Int32Array;
  mapCpu: Int32Array;
}

/** One CPU's view of the hand-off words. */
export class CrossCpuHandoff {
  private readonly state: Int32Array;
  private readonly tlb: Float64Array;
  private readonly regionFree: Int32Array;
  private readonly regionWaiters: Int32Array;
  /** Times this CPU waited for another CPU's map or unmap. */
  waits = 0;

  constructor(shared: Handoff, private readonly plan: RegionPlan, private readonly control: Control, private readonly cpu: number, private readonly waitTimeoutMs: number) {
    this.state = new Int32Array(shared.state);
    this.tlb = new Float64Array(shared.tlb);
    this.regionFree = new Int32Array(shared.regionFree);
    this.regionWaiters = new Int32Array(shared.regionWaiters);
  }

  private stopped(): boolean {
    return this.control.phase >= PHASE_STOP || this.control.aborted;
  }

  /**
   * Before mapping `m` in trace pass `pass`: wait until every earlier user of
   * m's host region was unmapped. Returns false when the run stopped first.
   * @throws WaitTimeoutError after waitTimeoutMs.
   */
  awaitRegion(m: number, pass: number): boolean {
    const r = this.plan.region[m];
    const need = pass * this.plan.regionUses[r] + this.plan.regionSeq[m];
    const free = this.regionFree;
    if (Atomics.load(free, r) >= need) return true;
    this.waits++;
    const deadline = performance.now() + this.waitTimeoutMs;
    for (let spin = 0; ; spin++) {
      const value = Atomics.load(free, r);
      if (value >= need) return true;
      if (this.stopped()) return false;
      if (spin < HANDOFF_SPINS) continue;
      Atomics.store(this.regionWaiters, r, 1);
      if (Atomics.load(free, r) !== value) continue;
      Atomics.wait(free, r, value, HANDOFF_PARK_MS);
      if (performance.now() > deadline) throw new WaitTimeoutError(`cpu ${this.cpu}: host buffer of mapping ${m} not unmapped by another CPU within ${this.waitTimeoutMs} ms`);
    }
  }

  /** After mapping `m`: publish its bounce address (`tlb` < 0: the map failed) and wake a waiting unmapper. */
  publish(m: number, tlb: number): void {
    this.tlb[m] = tlb;
    if (Atomics.exchange(this.state, m, tlb >= 0 ? MAPPING_LIVE : MAPPING_FAILED) === UNMAPPER_WAITING) Atomics.notify(this.state, m);
  }

  /**
   * Before unmapping `m`: wait for its map and take it. Returns its bounce
   * address, -1 when the map failed, or undefined when the run stopped first.
   * @throws WaitTimeoutError after waitTimeoutMs.
   */
  take(m: number): number | undefined {
    const state = this.awaitMapped(m);
    if (state === 0) return undefined;
    Atomics.store(this.state, m, 0);
    return state === MAPPING_LIVE ? this.tlb[m] : -1;
  }

  /** At the drain: m's bounce address if it is mapped and not yet unmapped (taking it), else -1. */
  takeIfLive(m: number): number {
    const tlb = Atomics.load(this.state, m) === MAPPING_LIVE ? this.tlb[m] : -1;
    Atomics.store(this.state, m, 0);
    return tlb;
  }

  /** After unmapping `m` (or skipping its failed map): its host region has one more user done. */
  freeRegion(m: number): void {
    const r = this.plan.region[m];
    Atomics.add(this.regionFree, r, 1);
    if (Atomics.load(this.regionWaiters, r) !== 0) {
      Atomics.store(this.regionWaiters, r, 0);
      Atomics.notify(this.regionFree, r);
    }
  }

  /** Wait for m's map; returns its state, or 0 when the run stopped first. */
  private awaitMapped(m: number): number {
    const states = this.state;
    let state = Atomics.load(states, m);
    if (state > 0) return state;
    this.waits++;
    const deadline = performance.now() + this.waitTimeoutMs;
    for (let spin = 0; ; spin++) {
      state = Atomics.load(states, m);
      if (state > 0) return state;
      if (this.stopped()) return 0;
      if (spin < HANDOFF_SPINS) continue;
      if (state === 0 && Atomics.compareExchange(states, m, 0, UNMAPPER_WAITING) !== 0) continue;
      Atomics.wait(states, m, UNMAPPER_WAITING, HANDOFF_PARK_MS);
      if (performance.now() > deadline) throw new WaitTimeoutError(`cpu ${this.cpu}: mapping ${m} not mapped by cpu ${this.plan.mapCpu[m]} within ${this.waitTimeoutMs} ms`);
    }
  }
}
