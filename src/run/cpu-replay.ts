/**
 * One CPU's replay loop, run inside a worker thread: its slice of the
 * schedule, as fast as it can, looping, through the strategy's allocator and
 * the DMA layer, with real copies. Counters are this CPU's own.
 */
import * as hdr from 'hdr-histogram-js';
import { IO_TLB_SIZE } from '../model/constants.js';
import { DMA_ATTR_SKIP_CPU_SYNC, DMA_FROM_DEVICE, type DmaDevice, DmaMapper, type DmaDirection } from '../model/dma.js';
import type { BounceAllocator, MapThrottle, ThrottledAllocator } from '../model/strategy.js';
import { HOST_BASE } from '../../workloads/schedule/build.js';
import { AbortedError, Control, PHASE_MEASURE, PHASE_STOP, WaitTimeoutError } from './control.js';
import type { WorkerResult, WorkerTask } from './task.js';
import { claimSlots, countCorrupted, mappingTag, releaseSlots, stamp } from './verify-stamps.js';

/** Events between looks at the phase word. */
const CHECK_EVERY = 256;
/** Spins before parking while waiting for another CPU. */
const HANDOFF_SPINS = 2000;
const HANDOFF_PARK_MS = 2;
const MAPPING_FAILED = 2;
const MAPPING_LIVE = 1;
const UNMAPPER_WAITING = -1;

function newHistogram(): hdr.Histogram {
  return hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 3.6e12, numberOfSignificantValueDigits: 3 });
}

export class CpuReplay {
  private readonly control: Control;
  private readonly dma: DmaMapper;
  private readonly alloc: BounceAllocator;
  private readonly dev: DmaDevice;
  private readonly events: Int32Array;
  private readonly orig: Float64Array;
  private readonly size: Int32Array;
  private readonly dir: Int32Array;
  private readonly copyBack: Int32Array;
  private readonly mask: Int32Array;
  private readonly mapCpu: Int32Array;
  private readonly hostBytes: Uint8Array;
  /** This CPU's bounce addresses by mapping (same-CPU completion). */
  private readonly tlbs: Float64Array;
  // Cross-CPU hand-off (null when completion is on the submitting CPU).
  private readonly handState: Int32Array | null;
  private readonly handTlb: Float64Array | null;
  private readonly regionFree: Int32Array | null;
  private readonly regionWaiters: Int32Array | null;
  private readonly region: Int32Array;
  private readonly regionSeq: Int32Array;
  private readonly regionUses: Int32Array;
  // Back-pressure (throttling strategies): unmaps done early while a map waited.
  private readonly throttle: MapThrottle | null;
  private readonly doneEarly: Uint8Array;
  // Verify mode.
  private readonly owners: Int32Array | null;
  private readonly tags: Int32Array | null;

  private mapHist = newHistogram();
  private unmapHist = newHistogram();
  private pass = 0;
  /** Maps and unmaps left before the next timed one (each drawn around sampleEvery, so periodic traces are not aliased). */
  private mapsToSample = 1;
  private unmapsToSample = 1;
  private sampleRand = 0x2545f491;
  private mapSeq = 0;
  private maps = 0;
  private unmaps = 0;
  private bytes = 0;
  private handoffWaits = 0;
  private checkedBytes = 0;
  private corruptedBytes = 0;
  private overlaps = 0;

  constructor(private readonly task: WorkerTask, alloc: BounceAllocator) {
    const s = task.schedule;
    this.control = new Control(task.control, task.threads);
    this.alloc = alloc;
    this.dev = { name: 'nvme0', minAlignMask: s.minAlignMask };
    this.hostBytes = new Uint8Array(task.host);
    this.dma = new DmaMapper(alloc, { bytes: this.hostBytes, base: HOST_BASE }, task.cpu);
    this.events = new Int32Array(s.events[task.cpu]);
    this.orig = new Float64Array(s.orig);
    this.size = new Int32Array(s.size);
    this.dir = new Int32Array(s.dir);
    this.copyBack = new Int32Array(s.copyBack);
    this.mask = new Int32Array(s.mask);
    this.mapCpu = new Int32Array(s.mapCpu);
    this.region = new Int32Array(s.region);
    this.regionSeq = new Int32Array(s.regionSeq);
    this.regionUses = new Int32Array(s.regionUses);
    this.tlbs = new Float64Array(s.mappings).fill(-1);
    const h = task.handoff;
    this.handState = h ? new Int32Array(h.state) : null;
    this.handTlb = h ? new Float64Array(h.tlb) : null;
    this.regionFree = h ? new Int32Array(h.regionFree) : null;
    this.regionWaiters = h ? new Int32Array(h.regionWaiters) : null;
    this.throttle = (alloc as Partial<ThrottledAllocator>).throttle ?? null;
    this.doneEarly = new Uint8Array(this.throttle ? s.mappings : 0);
    if (this.throttle && h) throw new Error(`strategy ${task.strategy} throttles maps: it needs --completion-cpu same (its completions run on the submitting CPU while a map waits)`);
    this.owners = task.verify ? new Int32Array(task.verify.owners) : null;
    this.tags = task.verify ? new Int32Array(task.verify.tags) : null;
  }

  /**
   * Run: start barrier, warm-up, measured phase until the stop phase, drain.
   * @throws WaitTimeoutError, AbortedError, LockTimeoutError.
   */
  run(): WorkerResult {
    const control = this.control;
    const cpu = this.task.cpu;
    control.startBarrier(this.task.barrierTimeoutMs);
    const events = this.events;
    const n = events.length;
    let phase = control.phase;
    let t0 = performance.now();
    let t1 = t0;
    let i = 0;
    for (;;) {
      if (n === 0) {
        control.waitForPhaseChange(phase, 5);
      } else {
        const end = Math.min(i + CHECK_EVERY, n);
        for (; i < end; i++) {
          const e = events[i];
          const ok = (e & 1) === 0 ? this.mapEvent(e >> 1, i) : this.unmapEvent(e >> 1);
          if (!ok) break;
        }
        if (i === n) {
          i = 0;
          this.pass++;
        }
      }
      if (control.aborted) throw new AbortedError();
      const now = control.phase;
      if (now !== phase) {
        if (now === PHASE_MEASURE) {
          this.resetCounters();
          t0 = performance.now();
        }
        if (now >= PHASE_STOP) {
          t1 = performance.now();
          break;
        }
        phase = now;
      }
      control.publishProgress(cpu, this.maps);
    }
    control.drainBarrier(this.task.barrierTimeoutMs);
    this.drain();
    return this.result(phase === PHASE_MEASURE ? (t1 - t0) / 1000 : 0);
  }

  /** A gap uniform in 1..2N-1 (mean N): xorshift32, cheap and deterministic. */
  private nextSampleGap(): number {
    let x = this.sampleRand;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.sampleRand = x >>> 0;
    return 1 + (this.sampleRand % (2 * this.task.sampleEvery - 1));
  }

  private resetCounters(): void {
    this.maps = this.unmaps = this.bytes = this.handoffWaits = 0;
    this.mapHist.reset();
    this.unmapHist.reset();
    const c = this.alloc.counters;
    c.slotsScanned = c.areaFallbacks = 0;
    c.lock.acquisitions = c.lock.contended = c.lock.waitNs = 0;
    for (const k of Object.keys(c.extra)) c.extra[k] = 0;
    this.dma.failures = 0;
    this.dma.failuresBySize.clear();
  }

  /** Map mapping `m` (event `at` of this CPU). Returns false when the run stopped while it waited. */
  private mapEvent(m: number, at: number): boolean {
    if (this.regionFree !== null && !this.awaitRegion(m)) return false;
    if (this.throttle !== null && !this.throttle.tryEnter() && !this.awaitThrottle(at)) return false;
    const size = this.size[m];
    const dir = this.dir[m] as DmaDirection;
    const orig = this.orig[m];
    this.dev.minAlignMask = this.mask[m];
    let tag = 0;
    if (this.tags !== null) {
      tag = mappingTag(this.task.cpu, this.mapSeq++);
      this.tags[m] = tag;
      if (dir !== DMA_FROM_DEVICE) stamp(this.hostBytes, orig - HOST_BASE, size, tag);
    }
    let tlb: number;
    if (this.task.sampleEvery > 0 && --this.mapsToSample === 0) {
      this.mapsToSample = this.nextSampleGap();
      const start = performance.now();
      tlb = this.dma.map(this.dev, orig, size, dir);
      this.mapHist.recordValue(Math.max(1, Math.round((performance.now() - start) * 1e6)));
    } else {
      tlb = this.dma.map(this.dev, orig, size, dir);
    }
    if (tlb >= 0) {
      this.maps++;
      this.bytes += size;
      if (this.owners !== null) this.verifyMapped(m, tlb, size, dir, tag);
    }
    if (this.handState !== null) {
      this.handTlb![m] = tlb;
      if (Atomics.exchange(this.handState, m, tlb >= 0 ? MAPPING_LIVE : MAPPING_FAILED) === UNMAPPER_WAITING) Atomics.notify(this.handState, m);
    } else {
      this.tlbs[m] = tlb;
    }
    return true;
  }

  /** Unmap mapping `m` (if its map succeeded). Returns false when the run stopped while waiting for the map. */
  private unmapEvent(m: number): boolean {
    if (this.doneEarly.length !== 0 && this.doneEarly[m] !== 0) {
      this.doneEarly[m] = 0;
      return true;
    }
    let tlb: number;
    if (this.handState !== null) {
      const state = this.awaitMapped(m);
      if (state === 0) return false;
      tlb = state === MAPPING_LIVE ? this.handTlb![m] : -1;
      Atomics.store(this.handState, m, 0);
    } else {
      tlb = this.tlbs[m];
      this.tlbs[m] = -1;
    }
    if (tlb >= 0) this.unmapOne(m, tlb);
    if (this.regionFree !== null) this.freeRegion(m);
    return true;
  }

  private unmapOne(m: number, tlb: number): void {
    const size = this.size[m];
    const dir = this.dir[m] as DmaDirection;
    this.dev.minAlignMask = this.mask[m];
    if (this.owners !== null) this.verifyBeforeUnmap(m, tlb, size, dir);
    if (this.task.sampleEvery > 0 && --this.unmapsToSample === 0) {
      this.unmapsToSample = this.nextSampleGap();
      const start = performance.now();
      this.unmapAs(m, tlb, size, dir);
      this.unmapHist.recordValue(Math.max(1, Math.round((performance.now() - start) * 1e6)));
    } else {
      this.unmapAs(m, tlb, size, dir);
    }
    this.unmaps++;
    if (this.owners !== null && dir === DMA_FROM_DEVICE) {
      // The device's data must have arrived in the original buffer (the copied-back part).
      const n = this.copyBack[m];
      this.checkedBytes += n;
      this.corruptedBytes += countCorrupted(this.hostBytes, this.orig[m] - HOST_BASE, n, this.tags![m] ^ 0x5a5a5a5a);
    }
  }

  /** Unmap as the driver does: all at once, or (a frame in a bigger RX buffer) sync the frame for the CPU, then unmap without a copy. */
  private unmapAs(m: number, tlb: number, size: number, dir: DmaDirection): void {
    const back = this.copyBack[m];
    if (back === size || dir !== DMA_FROM_DEVICE) {
      this.dma.unmap(this.dev, tlb, size, dir);
    } else {
      if (back > 0) this.dma.syncForCpu(this.dev, tlb, back, dir);
      this.dma.unmap(this.dev, tlb, size, dir, DMA_ATTR_SKIP_CPU_SYNC);
    }
  }

  /** The slot holding the last byte of `size` bytes at `tlb`. */
  private lastSlot(tlb: number, size: number): number {
    return this.alloc.slotOf(tlb) + Math.floor(((tlb % IO_TLB_SIZE) + size - 1) / IO_TLB_SIZE);
  }

  private verifyMapped(m: number, tlb: number, size: number, dir: DmaDirection, tag: number): void {
    this.overlaps += claimSlots(this.owners!, this.alloc.slotOf(tlb), this.lastSlot(tlb, size), m + 1);
    // A FROM_DEVICE transfer: the device writes the data into the bounce buffer.
    if (dir === DMA_FROM_DEVICE) stamp(this.alloc.deviceAccess(tlb, size), 0, size, tag ^ 0x5a5a5a5a);
  }

  private verifyBeforeUnmap(m: number, tlb: number, size: number, dir: DmaDirection): void {
    if (dir !== DMA_FROM_DEVICE) {
      // What the device reads must be what the CPU wrote before the map.
      this.checkedBytes += size;
      this.corruptedBytes += countCorrupted(this.alloc.deviceAccess(tlb, size), 0, size, this.tags![m]);
    }
    this.overlaps += releaseSlots(this.owners!, this.alloc.slotOf(tlb), this.lastSlot(tlb, size), m + 1);
  }

  /**
   * The map at event `at` must wait for the throttle: meanwhile this CPU
   * completes its in-flight I/O in order (its later unmap events whose maps
   * are done), as the completion context would while the submitter sleeps,
   * and sleeps when it has nothing left to complete.
   */
  private awaitThrottle(at: number): boolean {
    const throttle = this.throttle!;
    const extra = this.alloc.counters.extra;
    extra.throttle_waits++;
    const t0 = performance.now();
    const deadline = t0 + this.task.waitTimeoutMs;
    const events = this.events;
    let cursor = at + 1;
    for (;;) {
      let completed = false;
      for (; cursor < events.length && !completed; cursor++) {
        const e = events[cursor];
        const m = e >> 1;
        if ((e & 1) === 1 && this.tlbs[m] >= 0) {
          this.unmapOne(m, this.tlbs[m]);
          this.tlbs[m] = -1;
          this.doneEarly[m] = 1;
          completed = true;
        }
      }
      if (throttle.tryEnter()) break;
      if (!completed) {
        if (this.control.phase >= PHASE_STOP || this.control.aborted) return false;
        throttle.wait(1);
        if (performance.now() > deadline) throw new WaitTimeoutError(`cpu ${this.task.cpu}: map throttled for over ${this.task.waitTimeoutMs} ms`);
      }
    }
    extra.throttle_wait_ns += (performance.now() - t0) * 1e6;
    return true;
  }

  /** Cross-CPU: wait until every earlier user of m's host region was unmapped. */
  private awaitRegion(m: number): boolean {
    const r = this.region[m];
    const need = this.pass * this.regionUses[r] + this.regionSeq[m];
    const free = this.regionFree!;
    if (Atomics.load(free, r) >= need) return true;
    this.handoffWaits++;
    const deadline = performance.now() + this.task.waitTimeoutMs;
    for (let spin = 0; ; spin++) {
      const value = Atomics.load(free, r);
      if (value >= need) return true;
      if (this.control.phase >= PHASE_STOP || this.control.aborted) return false;
      if (spin < HANDOFF_SPINS) continue;
      Atomics.store(this.regionWaiters!, r, 1);
      if (Atomics.load(free, r) !== value) continue;
      Atomics.wait(free, r, value, HANDOFF_PARK_MS);
      if (performance.now() > deadline) throw new WaitTimeoutError(`cpu ${this.task.cpu}: host buffer of mapping ${m} not unmapped by another CPU within ${this.task.waitTimeoutMs} ms`);
    }
  }

  /** Cross-CPU: wait for m's map; returns its state, or 0 when the run stopped first. */
  private awaitMapped(m: number): number {
    const states = this.handState!;
    let state = Atomics.load(states, m);
    if (state > 0) return state;
    this.handoffWaits++;
    const deadline = performance.now() + this.task.waitTimeoutMs;
    for (let spin = 0; ; spin++) {
      state = Atomics.load(states, m);
      if (state > 0) return state;
      if (this.control.phase >= PHASE_STOP || this.control.aborted) return 0;
      if (spin < HANDOFF_SPINS) continue;
      if (state === 0 && Atomics.compareExchange(states, m, 0, UNMAPPER_WAITING) !== 0) continue;
      Atomics.wait(states, m, UNMAPPER_WAITING, HANDOFF_PARK_MS);
      if (performance.now() > deadline) throw new WaitTimeoutError(`cpu ${this.task.cpu}: mapping ${m} not mapped by cpu ${this.mapCpu[m]} within ${this.task.waitTimeoutMs} ms`);
    }
  }

  private freeRegion(m: number): void {
    const r = this.region[m];
    Atomics.add(this.regionFree!, r, 1);
    if (Atomics.load(this.regionWaiters!, r) !== 0) {
      Atomics.store(this.regionWaiters!, r, 0);
      Atomics.notify(this.regionFree!, r);
    }
  }

  /** After every CPU stopped: unmap what this CPU mapped and nobody unmapped, so io_tlb_used returns to 0. */
  private drain(): void {
    const cpu = this.task.cpu;
    for (let m = 0; m < this.tlbs.length; m++) {
      if (this.mapCpu[m] !== cpu) continue;
      let tlb = this.tlbs[m];
      if (this.handState !== null) {
        tlb = Atomics.load(this.handState, m) === MAPPING_LIVE ? this.handTlb![m] : -1;
        Atomics.store(this.handState, m, 0);
      }
      if (tlb >= 0) {
        this.dev.minAlignMask = this.mask[m];
        if (this.owners !== null) this.verifyBeforeUnmap(m, tlb, this.size[m], this.dir[m] as DmaDirection);
        this.unmapAs(m, tlb, this.size[m], this.dir[m] as DmaDirection);
        this.tlbs[m] = -1;
      }
    }
  }

  private result(seconds: number): WorkerResult {
    const c = this.alloc.counters;
    return {
      cpu: this.task.cpu,
      seconds,
      maps: this.maps,
      unmaps: this.unmaps,
      bytes: this.bytes,
      failures: this.dma.failures,
      failuresBySize: [...this.dma.failuresBySize],
      messages: this.dma.messages,
      slotsScanned: c.slotsScanned,
      areaFallbacks: c.areaFallbacks,
      lockAcquisitions: c.lock.acquisitions,
      lockContended: c.lock.contended,
      lockWaitNs: c.lock.waitNs,
      mapHistogram: hdr.encodeIntoCompressedBase64(this.mapHist),
      unmapHistogram: hdr.encodeIntoCompressedBase64(this.unmapHist),
      extra: { ...c.extra },
      passes: this.pass,
      handoffWaits: this.handoffWaits,
      verify: this.owners !== null ? { checkedBytes: this.checkedBytes, corruptedBytes: this.corruptedBytes, overlaps: this.overlaps } : null,
    };
  }
}
