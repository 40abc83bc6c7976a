/**
 * One CPU's replay loop, run inside a worker thread: its slice of the
 * schedule, as fast as it can, looping, through the strategy's allocator and
 * the DMA layer, with real copies. Counters are this CPU's own. Cross-CPU
 * completion (handoff.ts) and verify mode (verify-check.ts) are null in the
 * common case, so the hot loop pays one null test for each.
 */
import { DMA_ATTR_MAY_BLOCK, DMA_ATTR_SKIP_CPU_SYNC, DMA_FROM_DEVICE, type DmaDevice, DmaMapper, type DmaDirection } from '../model/dma.js';
import { type BounceAllocator, type MapThrottle, type ThrottledAllocator, hostMemory } from '../model/strategy.js';
import { xorshift32 } from '../stats/prng.js';
import { newHistogram } from '../stats/latency.js';
import { HOST_BASE } from '../../workloads/schedule/host-memory.js';
import { AbortedError, Control, PHASE_MEASURE, PHASE_STOP } from './control.js';
import { CrossCpuHandoff } from './handoff.js';
import type { PeakPicture } from './peak-picture.js';
import { ThrottleWait } from './throttle-wait.js';
import type { WorkerResult, WorkerTask } from './task.js';
import { VerifyCheck } from './verify-check.js';
import { resetTally, workerResult } from './worker-result.js';

/** Events between looks at the phase word. */
const CHECK_EVERY = 256;

/** One CPU of a run (see the module comment). */
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
  private readonly allocMask: Int32Array;
  private readonly device: Int32Array;
  private readonly attrs: Int32Array;
  private readonly mapCpu: Int32Array;
  /** This CPU's bounce addresses by mapping (same-CPU completion). */
  private readonly tlbs: Float64Array;
  private readonly handoff: CrossCpuHandoff | null;
  // Back-pressure (throttling strategies): unmaps done early while a map waited.
  private readonly throttle: MapThrottle | null;
  private readonly throttleWait: ThrottleWait | null;
  private readonly doneEarly: Uint8Array;
  private readonly verify: VerifyCheck | null;

  /** Sampled latencies of successful maps; failed attempts ("buffer is full") go to failHist. */
  private mapHist = newHistogram();
  private failHist = newHistogram();
  private unmapHist = newHistogram();
  private pass = 0;
  /** Maps and unmaps left before the next timed one (each drawn around sampleEvery, so periodic traces are not aliased). */
  private mapsToSample = 1;
  private unmapsToSample = 1;
  private readonly sampleRand = xorshift32(0x2545f491);
  private maps = 0;
  private unmaps = 0;
  private bytesMapped = 0;
  /** performance.now() when measuring started here. */
  private measureStart = 0;

  constructor(private readonly task: WorkerTask, alloc: BounceAllocator, private readonly peak: PeakPicture | null = null) {
    const s = task.schedule;
    this.control = new Control(task.control, task.threads);
    this.alloc = alloc;
    this.dev = { name: 'nvme0', id: 0, minAlignMask: s.minAlignMask, allocAlignMask: 0 };
    const hostBytes = new Uint8Array(task.host.memory.buffer, task.host.offset, task.host.bytes);
    this.dma = new DmaMapper(alloc, hostMemory(hostBytes, HOST_BASE, task.host.memory), task.cpu, task.ratelimit);
    this.events = new Int32Array(s.events[task.cpu]);
    this.orig = new Float64Array(s.orig);
    this.size = new Int32Array(s.size);
    this.dir = new Int32Array(s.dir);
    this.copyBack = new Int32Array(s.copyBack);
    this.mask = new Int32Array(s.mask);
    this.allocMask = new Int32Array(s.allocMask);
    this.device = new Int32Array(s.device);
    this.attrs = new Int32Array(s.attrs);
    this.mapCpu = new Int32Array(s.mapCpu);
    this.tlbs = new Float64Array(s.mappings).fill(-1);
    const regions = { region: new Int32Array(s.region), regionSeq: new Int32Array(s.regionSeq), regionUses: new Int32Array(s.regionUses), mapCpu: this.mapCpu };
    this.handoff = task.handoff ? new CrossCpuHandoff(task.handoff, regions, this.control, task.cpu, task.waitTimeoutMs) : null;
    this.throttle = (alloc as Partial<ThrottledAllocator>).throttle ?? null;
    this.doneEarly = new Uint8Array(this.throttle ? s.mappings : 0);
    this.throttleWait = this.throttle ? new ThrottleWait(this.throttle, this.control, task.cpu, task.waitTimeoutMs, alloc.counters.extra) : null;
    if (this.throttle && this.handoff) throw new Error(`strategy ${task.strategy} throttles maps: it needs --completion-cpu same (its completions run on the submitting CPU while a map waits)`);
    this.verify = task.verify ? new VerifyCheck(task.verify, task.cpu, alloc, hostBytes, task.state.plan.rules) : null;
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
          t0 = this.measureStart = performance.now();
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

  /** A gap uniform in 1..2N-1 (mean N). */
  private nextSampleGap(): number {
    return 1 + Math.floor(this.sampleRand() * (2 * this.task.sampleEvery - 1));
  }

  private resetCounters(): void {
    this.maps = this.unmaps = this.bytesMapped = 0;
    if (this.handoff) this.handoff.waits = 0;
    this.peak?.reset();
    resetTally(this.dma, this.alloc.counters, [this.mapHist, this.failHist, this.unmapHist]);
  }

  /** Map mapping `m` (event `at` of this CPU). Returns false when the run stopped while it waited. */
  private mapEvent(m: number, at: number): boolean {
    if (this.handoff !== null && !this.handoff.awaitRegion(m, this.pass)) return false;
    const attrs = this.attrs[m];
    // Only a map that may sleep (DMA_ATTR_MAY_BLOCK) can be throttled.
    if (this.throttle !== null && (attrs & DMA_ATTR_MAY_BLOCK) !== 0 && !this.throttle.tryEnter() && !this.throttleWait!.await(this.events, at, (k) => this.completeEarly(k))) return false;
    const size = this.size[m];
    const dir = this.dir[m] as DmaDirection;
    const orig = this.orig[m];
    this.dev.minAlignMask = this.mask[m];
    this.dev.allocAlignMask = this.allocMask[m];
    this.dev.id = this.device[m];
    if (this.verify !== null) this.verify.beforeMap(m, orig - HOST_BASE, size, dir);
    let tlb: number;
    if (this.task.sampleEvery > 0 && --this.mapsToSample === 0) {
      this.mapsToSample = this.nextSampleGap();
      const start = performance.now();
      tlb = this.dma.map(this.dev, orig, size, dir, attrs);
      (tlb >= 0 ? this.mapHist : this.failHist).recordValue(Math.max(1, Math.round((performance.now() - start) * 1e6)));
    } else {
      tlb = this.dma.map(this.dev, orig, size, dir, attrs);
    }
    if (tlb >= 0) {
      this.maps++;
      this.bytesMapped += size;
      const raised = this.alloc.counters.hiwaterRaised;
      if (this.peak !== null && this.measureStart > 0 && raised >= this.peak.nextAt) this.peak.capture(raised, performance.now() - this.measureStart);
      if (this.verify !== null) this.verify.afterMap(m, tlb, size, dir, orig, this.mask[m], this.allocMask[m]);
    }
    if (this.handoff !== null) this.handoff.publish(m, tlb);
    else this.tlbs[m] = tlb;
    return true;
  }

  /** Unmap mapping `m` (if its map succeeded). Returns false when the run stopped while waiting for the map. */
  private unmapEvent(m: number): boolean {
    if (this.doneEarly.length !== 0 && this.doneEarly[m] !== 0) {
      this.doneEarly[m] = 0;
      return true;
    }
    let tlb: number;
    if (this.handoff !== null) {
      const taken = this.handoff.take(m);
      if (taken === undefined) return false;
      tlb = taken;
    } else {
      tlb = this.tlbs[m];
      this.tlbs[m] = -1;
    }
    if (tlb >= 0) this.unmapOne(m, tlb);
    if (this.handoff !== null) this.handoff.freeRegion(m);
    return true;
  }

  private unmapOne(m: number, tlb: number): void {
    const size = this.size[m];
    const dir = this.dir[m] as DmaDirection;
    this.dev.minAlignMask = this.mask[m];
    if (this.verify !== null) this.verify.beforeUnmap(m, tlb, size, dir, this.orig[m], this.mask[m], this.allocMask[m]);
    if (this.task.sampleEvery > 0 && --this.unmapsToSample === 0) {
      this.unmapsToSample = this.nextSampleGap();
      const start = performance.now();
      this.unmapAs(m, tlb, size, dir);
      this.unmapHist.recordValue(Math.max(1, Math.round((performance.now() - start) * 1e6)));
    } else {
      this.unmapAs(m, tlb, size, dir);
    }
    this.unmaps++;
    if (this.verify !== null && dir === DMA_FROM_DEVICE) this.verify.afterUnmap(m, this.orig[m] - HOST_BASE, this.copyBack[m]);
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

  /** Complete mapping `m` early while a map waits for the throttle, if its map is done; true when it did. */
  private completeEarly(m: number): boolean {
    if (this.tlbs[m] < 0) return false;
    this.unmapOne(m, this.tlbs[m]);
    this.tlbs[m] = -1;
    this.doneEarly[m] = 1;
    return true;
  }

  /** After every CPU stopped: unmap what this CPU mapped and nobody unmapped, so io_tlb_used returns to 0. */
  private drain(): void {
    const cpu = this.task.cpu;
    for (let m = 0; m < this.tlbs.length; m++) {
      if (this.mapCpu[m] !== cpu) continue;
      const tlb = this.handoff !== null ? this.handoff.takeIfLive(m) : this.tlbs[m];
      if (tlb >= 0) {
        const dir = this.dir[m] as DmaDirection;
        this.dev.minAlignMask = this.mask[m];
        if (this.verify !== null) this.verify.beforeUnmap(m, tlb, this.size[m], dir, this.orig[m], this.mask[m], this.allocMask[m]);
        this.unmapAs(m, tlb, this.size[m], dir);
        this.tlbs[m] = -1;
      }
    }
  }

  private result(seconds: number): WorkerResult {
    return workerResult({
      cpu: this.task.cpu, seconds, maps: this.maps, unmaps: this.unmaps, bytesMapped: this.bytesMapped, pass: this.pass,
      handoffWaits: this.handoff?.waits ?? 0, dma: this.dma, counters: this.alloc.counters,
      mapHist: this.mapHist, failHist: this.failHist, unmapHist: this.unmapHist,
      verify: this.verify?.counts ?? null, peakPicture: this.peak?.picture() ?? null,
    });
  }
}
