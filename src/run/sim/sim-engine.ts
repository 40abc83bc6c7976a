/**
 * The virtual-time engine's loop (docs/sim.md): one thread runs every
 * virtual CPU's slice of the schedule through the real strategy code on the
 * run's shared memory, always taking the next op from the CPU whose op
 * reaches its first lock soonest in virtual time (its clock plus half the
 * op's fixed cost; ties: lower CPU id), so locks go first come first served,
 * and charges each op the cost model's
 * virtual ns (op-cost.ts). Only time is modelled: which slots a map gets,
 * failures, the hiwater and fragmentation come from the allocator itself,
 * and the copies are made for real.
 *
 * Cross-CPU completion waits in virtual time: an unmap waits for its map,
 * and a mapping is mapped again only once its last unmap is done.
 * Throttled maps complete their CPU's own in-flight unmaps early, as the
 * real replay does, and otherwise retry a microsecond later.
 */
import { DMA_ATTR_MAY_BLOCK, DMA_ATTR_SKIP_CPU_SYNC, DMA_FROM_DEVICE, DMA_TO_DEVICE, type DmaDirection } from '../../model/dma.js';
import { IO_TLB_SIZE, allocatedSlots } from '../../model/constants.js';
import type { Schedule } from '../../../workloads/schedule/build.js';
import type { CostTerms } from './calibration.js';
import { CpuHeap } from './cpu-heap.js';
import { BREAKDOWN, OpCost } from './op-cost.js';
import type { TouchLog } from './touch-log.js';
import type { VirtualCpu } from './virtual-cpu.js';

/** Nanoseconds a throttled map waits before it tries again. */
const THROTTLE_RETRY_NS = 1000;
/** Retries of one throttled map before the run fails (no CPU would ever release it). */
const THROTTLE_MAX_RETRIES = 1_000_000;

/** The engine's view of a run's memory beyond the CPUs. */
export interface SimHooks {
  /** NUMA factor of copying `tlb` from CPU `cpu`'s node (1: local). */
  copyFactor(cpu: number, tlb: number): number;
  /** Called every `sampleEvery` measured map attempts with the virtual ns since measuring started and the successful maps so far. */
  sample(tNs: number, mapsDone: number): void;
  /** Called once as measuring starts. */
  measuring(): void;
  /** The strategy's background work: true when queued; `step` runs it once and returns its counters. */
  backgroundQueued(): boolean;
  backgroundStep(): Record<string, number>;
}

/** What the engine measured. */
export interface SimOutcome {
  /** Virtual seconds between the start and the end of measuring. */
  seconds: number;
  /** Per CPU: lock acquisitions that waited, and virtual ns waited. */
  lockContended: Float64Array;
  lockWaitNs: Float64Array;
  /** Virtual ns by cost term (BREAKDOWN order), summed over the measured ops. */
  breakdown: Record<(typeof BREAKDOWN)[number], number>;
  /** Background counters summed over the run. */
  background: Record<string, number>;
  /** Virtual ms from each background work's queueing to its run. */
  backgroundLatencyMs: number[];
}

/** The loop (see the module comment). */
export class SimEngine {
  private readonly clock: Float64Array;
  /** When each ready CPU's next op reaches its first lock: the heap's order, so a lock goes to the CPU that reaches it first. */
  private readonly arrival: Float64Array;
  private readonly heap: CpuHeap;
  private readonly acc = new Float64Array(BREAKDOWN.length);
  private readonly contended: Float64Array;
  private readonly waitNs: Float64Array;
  // Cross-CPU completion: per mapping 0 free, 1 mapped (its tlb in tlb[]); the CPU waiting on it + 1.
  private readonly live: Uint8Array;
  private readonly tlb: Float64Array;
  private readonly waiter: Int32Array;
  private readonly sizes: Int32Array;
  private readonly dirs: Int32Array;
  private readonly copyBack: Int32Array;
  private readonly orig: Float64Array;
  private readonly attrs: Int32Array;
  private readonly mask: Int32Array;
  private readonly allocMask: Int32Array;
  private readonly device: Int32Array;
  private measuring = false;
  private attempts = 0;
  private background: Record<string, number> = {};
  /** Per CPU: retries of the throttled map it is on. */
  private readonly retries: Float64Array;
  private backgroundDue = -1;
  private backgroundQueuedAt = 0;
  private readonly backgroundLatencyMs: number[] = [];

  constructor(
    private readonly cpus: VirtualCpu[],
    private readonly schedule: Schedule,
    private readonly terms: CostTerms,
    private readonly cost: OpCost,
    private readonly touches: TouchLog,
    private readonly hooks: SimHooks,
  ) {
    const n = cpus.length;
    this.clock = new Float64Array(n);
    this.arrival = new Float64Array(n);
    this.heap = new CpuHeap(this.arrival);
    this.contended = new Float64Array(n);
    this.waitNs = new Float64Array(n);
    this.retries = new Float64Array(n);
    const m = schedule.mappings;
    this.live = new Uint8Array(m);
    this.tlb = new Float64Array(m).fill(-1);
    this.waiter = new Int32Array(m);
    this.sizes = new Int32Array(schedule.size);
    this.dirs = new Int32Array(schedule.dir);
    this.copyBack = new Int32Array(schedule.copyBack);
    this.orig = new Float64Array(schedule.orig);
    this.attrs = new Int32Array(schedule.attrs);
    this.mask = new Int32Array(schedule.mask);
    this.allocMask = new Int32Array(schedule.allocMask);
    this.device = new Int32Array(schedule.device);
  }

  /**
   * Run `warmup` map attempts uncounted, then measure `measured` map
   * attempts, sampling every `sampleEvery` of them; then unmap what is still
   * mapped (uncharged), so io_tlb_used returns to 0. With `passes` > 0 each
   * CPU instead replays its own events exactly that many times and stops
   * (`measured` is ignored): the whole replay, as `npm run size` needs it.
   * @throws Error when every CPU waits on another (a schedule the engine cannot order).
   */
  run(warmup: number, measured: number, sampleEvery: number, passes = 0): SimOutcome {
    for (const c of this.cpus) if (c.events.length > 0) this.ready(c.cpu);
    this.touches.start();
    let t0 = 0;
    let t1 = 0;
    try {
      for (;;) {
        const cpu = this.heap.pop();
        if (cpu < 0 && passes > 0 && this.cpus.every((c) => c.pass >= passes || c.events.length === 0)) {
          t1 = Math.max(t0, ...this.clock);
          break;
        }
        if (cpu < 0) throw new Error(`the virtual-time engine stalled: every CPU waits for another's map or unmap (${this.schedule.workload}, ${this.cpus.length} CPUs)`);
        const now = this.clock[cpu];
        if (!this.measuring && this.attempts >= warmup) {
          this.startMeasuring();
          t0 = now;
        }
        if (this.measuring && passes === 0 && this.attempts >= measured) {
          t1 = now;
          break;
        }
        this.runBackground(now);
        const before = this.attempts;
        // A CPU that has replayed its events `passes` times is done: it is not made ready again.
        if (this.step(this.cpus[cpu], now) && (passes === 0 || this.cpus[cpu].pass < passes)) this.ready(cpu);
        if (this.measuring && this.attempts !== before && this.attempts % sampleEvery === 0) this.hooks.sample(now - t0, this.mapsDone());
      }
    } finally {
      this.touches.stop();
    }
    this.drain();
    const breakdown = Object.fromEntries(BREAKDOWN.map((k, i) => [k, this.acc[i]])) as SimOutcome['breakdown'];
    return { seconds: (t1 - t0) / 1e9, lockContended: this.contended, lockWaitNs: this.waitNs, breakdown, background: this.background, backgroundLatencyMs: this.backgroundLatencyMs };
  }

  /** Successful maps of every CPU in the measured window (fragmentation.csv's maps_done, as a real run counts them). */
  private mapsDone(): number {
    let n = 0;
    for (const c of this.cpus) n += c.maps;
    return n;
  }

  private startMeasuring(): void {
    this.measuring = true;
    this.attempts = 0;
    this.acc.fill(0);
    this.contended.fill(0);
    this.waitNs.fill(0);
    for (const c of this.cpus) c.resetCounters();
    this.hooks.measuring();
  }

  /** The strategy's background work, due `background_delay_ns` after it was queued. */
  private runBackground(now: number): void {
    if (this.backgroundDue < 0) {
      if (this.hooks.backgroundQueued()) {
        this.backgroundQueuedAt = now;
        this.backgroundDue = now + this.terms.background_delay_ns;
      }
      return;
    }
    if (now < this.backgroundDue) return;
    this.backgroundDue = -1;
    this.backgroundLatencyMs.push((now - this.backgroundQueuedAt) / 1e6);
    for (const [k, v] of Object.entries(this.hooks.backgroundStep())) this.background[k] = (this.background[k] ?? 0) + v;
  }

  /** Run CPU `c`'s next event at virtual `now`. Returns true when it stays ready (false: it waits on another CPU). */
  private step(c: VirtualCpu, now: number): boolean {
    const e = c.events[c.at];
    const m = e >> 1;
    const cross = this.schedule.crossCpu;
    if ((e & 1) === 0) {
      if (cross && this.live[m] !== 0) return this.waitOn(c, m);
      let at = now;
      if (c.throttle !== null && (this.attrs[m] & DMA_ATTR_MAY_BLOCK) !== 0 && !c.throttle.tryEnter()) {
        if (!this.throttled(c, now)) return true;
        at = this.clock[c.cpu];
      }
      this.map(c, m, at);
    } else if (c.doneEarly.length !== 0 && c.doneEarly[m] !== 0) {
      c.doneEarly[m] = 0;
    } else {
      if (cross && this.live[m] === 0) return this.waitOn(c, m);
      this.unmap(c, m, now);
    }
    if (++c.at === c.events.length) {
      c.at = 0;
      c.pass++;
    }
    return true;
  }

  /** CPU `c` waits until mapping `m` changes state; its clock moves on to when it does. */
  private waitOn(c: VirtualCpu, m: number): boolean {
    if (this.waiter[m] !== 0) throw new Error(`the virtual-time engine found two CPUs waiting on mapping ${m} of ${this.schedule.workload}`);
    this.waiter[m] = c.cpu + 1;
    c.handoffWaits++;
    return false;
  }

  /** Mapping `m` changed state at virtual `t`: wake the CPU that waited on it. */
  private wake(m: number, t: number): void {
    const w = this.waiter[m] - 1;
    if (w < 0) return;
    this.waiter[m] = 0;
    if (this.clock[w] < t) this.clock[w] = t;
    this.ready(w);
  }

  /** Queue CPU `cpu` by when its next op, starting at its clock, reaches its first lock. */
  private ready(cpu: number): void {
    const c = this.cpus[cpu];
    const next = c.events[c.at];
    this.arrival[cpu] = this.clock[cpu] + this.cost.lead((next & 1) === 0 ? this.terms.map_fixed_ns : this.terms.unmap_fixed_ns);
    this.heap.push(cpu);
  }

  /**
   * A throttled map: complete this CPU's own mapped I/O early until the
   * throttle lets it through (true), or move its clock on a retry interval (false).
   */
  private throttled(c: VirtualCpu, now: number): boolean {
    const extra = c.alloc.counters.extra;
    if (this.retries[c.cpu] === 0) extra.throttle_waits = (extra.throttle_waits ?? 0) + 1;
    let t = now;
    for (let k = c.at + 1; k < c.events.length; k++) {
      const e = c.events[k];
      const m = e >> 1;
      if ((e & 1) === 0 || c.doneEarly[m] !== 0 || this.tlb[m] === -1 || this.live[m] === 0) continue;
      t = this.unmapAt(c, m, t);
      c.doneEarly[m] = 1;
      if (c.throttle!.tryEnter()) {
        this.clock[c.cpu] = t;
        this.throttleWaited(c, t - now);
        return true;
      }
    }
    this.clock[c.cpu] = t + THROTTLE_RETRY_NS;
    this.throttleWaited(c, t + THROTTLE_RETRY_NS - now);
    if (++this.retries[c.cpu] > THROTTLE_MAX_RETRIES) throw new Error(`cpu ${c.cpu}: a throttled map waited ${THROTTLE_MAX_RETRIES} retries and never got through`);
    return false;
  }

  /** Virtual ns a throttled map waited (the real replay's throttle_wait_ns). */
  private throttleWaited(c: VirtualCpu, ns: number): void {
    const extra = c.alloc.counters.extra;
    extra.throttle_wait_ns = (extra.throttle_wait_ns ?? 0) + ns;
  }

  /**
   * Slots a map or unmap of mapping `m` writes, for the cost model: the
   * whole allocation when an alloc_align_mask rounds it up (iommu-dma's
   * granules), else the mapping's own slots, as the calibration fitted.
   */
  private updatedSlots(m: number, size: number): number {
    const align = this.allocMask[m];
    return align === 0 ? Math.ceil(size / IO_TLB_SIZE) : allocatedSlots(this.orig[m], size, this.mask[m], align);
  }

  private map(c: VirtualCpu, m: number, now: number): void {
    this.retries[c.cpu] = 0;
    const size = this.sizes[m];
    const counters = c.alloc.counters;
    const scanned0 = counters.slotsScanned;
    c.dev.minAlignMask = this.mask[m];
    c.dev.allocAlignMask = this.allocMask[m];
    c.dev.id = this.device[m];
    this.touches.begin();
    const tlb = c.dma.map(c.dev, this.orig[m], size, this.dirs[m] as DmaDirection, this.attrs[m]);
    const touches = this.touches.collect();
    const ok = tlb >= 0;
    const t = this.terms;
    const work = (counters.slotsScanned - scanned0) * t.slot_scan_ns + (ok ? this.updatedSlots(m, size) * t.slot_update_ns : 0);
    const copy = ok ? t.copy_fixed_ns + size * t.copy_ns_per_byte : 0;
    const remote = ok ? copy * (this.hooks.copyFactor(c.cpu, tlb) - 1) : 0;
    const end = this.cost.charge(c.cpu, now, t.map_fixed_ns, work, touches, copy, remote, this.measuring ? this.acc : null);
    this.clock[c.cpu] = end;
    this.attempts++;
    if (this.measuring) {
      this.countLocks(c.cpu);
      if (ok) {
        c.maps++;
        c.bytesMapped += size;
      }
      c.mapDone(end - now, ok);
    }
    this.tlb[m] = tlb;
    this.live[m] = 1;
    this.wake(m, end);
  }

  private unmap(c: VirtualCpu, m: number, now: number): void {
    this.clock[c.cpu] = this.unmapAt(c, m, now);
  }

  /** Unmap mapping `m` from CPU `c` at virtual `now` as the driver does (cpu-replay.ts unmapAs); returns the end time. */
  private unmapAt(c: VirtualCpu, m: number, now: number): number {
    const tlb = this.tlb[m];
    this.tlb[m] = -1;
    this.live[m] = 0;
    let end = now;
    if (tlb >= 0) {
      const size = this.sizes[m];
      const dir = this.dirs[m] as DmaDirection;
      const back = this.copyBack[m];
      c.dev.minAlignMask = this.mask[m];
      this.touches.begin();
      let copied = dir === DMA_TO_DEVICE ? 0 : size;
      let fixed = this.terms.unmap_fixed_ns;
      if (back === size || dir !== DMA_FROM_DEVICE) {
        c.dma.unmap(c.dev, tlb, size, dir);
      } else {
        if (back > 0) {
          c.dma.syncForCpu(c.dev, tlb, back, dir);
          fixed += this.terms.sync_fixed_ns;
        }
        c.dma.unmap(c.dev, tlb, size, dir, DMA_ATTR_SKIP_CPU_SYNC);
        copied = back;
      }
      const touches = this.touches.collect();
      const t = this.terms;
      const copy = copied > 0 ? t.copy_fixed_ns + copied * t.copy_ns_per_byte : 0;
      const remote = copy * (this.hooks.copyFactor(c.cpu, tlb) - 1);
      end = this.cost.charge(c.cpu, now, fixed, this.updatedSlots(m, size) * t.slot_update_ns, touches, copy, remote, this.measuring ? this.acc : null);
      if (this.measuring) {
        this.countLocks(c.cpu);
        c.unmaps++;
        c.unmapDone(end - now);
      }
    }
    this.wake(m, end);
    return end;
  }

  private countLocks(cpu: number): void {
    this.contended[cpu] += this.cost.lastContended;
    this.waitNs[cpu] += this.cost.lastWaitNs;
  }

  /** After measuring: unmap everything still mapped, uncharged, so io_tlb_used returns to 0. */
  private drain(): void {
    for (const c of this.cpus) {
      for (let k = 0; k < c.events.length; k++) {
        const m = c.events[k] >> 1;
        const tlb = this.tlb[m];
        if ((c.events[k] & 1) === 1 || tlb < 0) continue;
        this.tlb[m] = -1;
        this.live[m] = 0;
        c.dev.minAlignMask = this.mask[m];
        c.dma.unmap(c.dev, tlb, this.sizes[m], this.dirs[m] as DmaDirection);
      }
    }
  }
}
