/**
 * One virtual CPU of the virtual-time engine: its slice of the schedule,
 * where it is in it, its own allocator view and DMA layer (the real strategy
 * code, as a worker attaches it), its counters for the measured window, and
 * latency histograms in virtual ns.
 */
import { type DmaDevice, DmaMapper } from '../../model/dma.js';
import type { BounceAllocator, HostMemory, MapThrottle, ThrottledAllocator } from '../../model/strategy.js';
import { newHistogram } from '../../stats/latency.js';
import { xorshift32 } from '../../stats/prng.js';
import type { Schedule } from '../../../workloads/schedule/build.js';
import type { WorkerResult } from '../task.js';
import { resetTally, workerResult } from '../worker-result.js';

/** One virtual CPU (see the module comment). */
export class VirtualCpu {
  readonly dma: DmaMapper;
  readonly dev: DmaDevice;
  readonly events: Int32Array;
  /** Next event. */
  at = 0;
  /** Passes through its events. */
  pass = 0;
  readonly throttle: MapThrottle | null;
  /** Unmaps this CPU did early while a map waited for the throttle (skipped when reached). */
  readonly doneEarly: Uint8Array;
  maps = 0;
  unmaps = 0;
  bytesMapped = 0;
  handoffWaits = 0;
  private readonly mapHist = newHistogram();
  private readonly failHist = newHistogram();
  private readonly unmapHist = newHistogram();
  private readonly sampleRand = xorshift32(0x2545f491);
  private mapsToSample = 1;
  private unmapsToSample = 1;

  constructor(
    readonly cpu: number,
    readonly alloc: BounceAllocator,
    host: HostMemory,
    schedule: Schedule,
    ratelimit: SharedArrayBuffer,
    private readonly sampleEvery: number,
  ) {
    this.dma = new DmaMapper(alloc, host, cpu, ratelimit);
    this.dev = { name: 'nvme0', id: 0, minAlignMask: schedule.minAlignMask, allocAlignMask: 0 };
    this.events = new Int32Array(schedule.events[cpu]);
    this.throttle = (alloc as Partial<ThrottledAllocator>).throttle ?? null;
    this.doneEarly = new Uint8Array(this.throttle ? schedule.mappings : 0);
  }

  /** A map that took `ns` of virtual time (sampled about one in sampleEvery, with the real engine's gaps). */
  mapDone(ns: number, ok: boolean): void {
    if (this.sampleEvery === 0 || --this.mapsToSample !== 0) return;
    this.mapsToSample = this.gap();
    (ok ? this.mapHist : this.failHist).recordValue(Math.max(1, Math.round(ns)));
  }

  /** An unmap that took `ns` of virtual time. */
  unmapDone(ns: number): void {
    if (this.sampleEvery === 0 || --this.unmapsToSample !== 0) return;
    this.unmapsToSample = this.gap();
    this.unmapHist.recordValue(Math.max(1, Math.round(ns)));
  }

  private gap(): number {
    return 1 + Math.floor(this.sampleRand() * (2 * this.sampleEvery - 1));
  }

  /** Zero the counters as measuring starts, as a worker does (cpu-replay.ts). */
  resetCounters(): void {
    this.maps = this.unmaps = this.bytesMapped = this.handoffWaits = 0;
    resetTally(this.dma, this.alloc.counters, [this.mapHist, this.failHist, this.unmapHist]);
  }

  /** What a worker would report, for `seconds` of virtual time; lock waits are the engine's (virtual ns). */
  result(seconds: number, lock: { contended: number; waitNs: number }): WorkerResult {
    return workerResult({
      cpu: this.cpu, seconds, maps: this.maps, unmaps: this.unmaps, bytesMapped: this.bytesMapped, pass: this.pass,
      handoffWaits: this.handoffWaits, dma: this.dma, counters: this.alloc.counters,
      mapHist: this.mapHist, failHist: this.failHist, unmapHist: this.unmapHist, lock,
    });
  }
}
