/**
 * The plug-in interface every allocator strategy implements (one file or
 * folder each under strategies/; docs/strategies.md). A strategy lays out its
 * pools in SharedArrayBuffers on the main thread (`create`), and each worker
 * attaches to that memory as one CPU (`attach`). Everything in a state must
 * be structured-cloneable.
 */
import type { ColumnSpec } from '../base/column.js';
import { DMA_MAPPING_ERROR, type KernelRules } from './constants.js';
import type { DmaArena } from './dma-arena.js';
import { type LockKind, type LockStats, newLockStats } from './lock.js';
import type { PoolShared } from './pool-layout.js';

/** Counters kept by one user (one worker) of a pool; summed over workers after a run. */
export interface AllocCounters {
  lock: LockStats;
  /** Candidate slots examined by the area search (loop iterations). */
  slotsScanned: number;
  /** Areas tried after the first one (spill to neighbour areas). */
  areaFallbacks: number;
  /** The `sz` the kernel prints for the last request that found no slots, bytes (newest: padded; v6.6: the mapping alone). */
  lastFailSize: number;
  /** Slots the last request that found no slots needed (its padded size), for the harness's own counters. */
  lastFailSlots: number;
  /**
   * Locked read-modify-write instructions and atomic stores the WebAssembly
   * pool code executed for this user (lock words, debugfs counters):
   * `bench:micro` sets them against the kernel's. JavaScript Atomics calls are
   * not in it.
   */
  lockedOps: number;
  /** The highest io_tlb_used_hiwater this user set (slots; 0 until it sets one), so the harness can picture the pool at its peak. */
  hiwaterRaised: number;
  /**
   * Strategy-specific event counts, keyed by their throughput.csv column name
   * (e.g. `remote_maps`; each declared in `Strategy.columns`). Reset when
   * measuring starts, summed over workers.
   */
  extra: Record<string, number>;
}

/** Fresh, zeroed counters for one worker. */
export function newAllocCounters(): AllocCounters {
  return { lock: newLockStats(), slotsScanned: 0, areaFallbacks: 0, lastFailSize: 0, lastFailSlots: 0, lockedOps: 0, hiwaterRaised: 0, extra: {} };
}

/** Host memory holding the original (CPU-side) buffers: byte i is physical address `base + i`. */
export interface HostMemory {
  bytes: Uint8Array;
  base: number;
  /** The shared WebAssembly.Memory `bytes` views, when it is one (a pool in the same memory then copies with memory.copy). */
  memory?: WebAssembly.Memory;
  /** Byte offset of `bytes` in `memory` (-1 without one): read once, as `byteOffset` costs a call per access. */
  at: number;
}

/**
 * The host memory at physical address `base`, held by `bytes`; `memory`: the
 * shared WebAssembly.Memory that `bytes` views (through any of its buffers:
 * one taken before the memory grew still views it), so that pools in it copy
 * with memory.copy.
 * @throws RangeError when `bytes` cannot be a view of `memory`.
 */
export function hostMemory(bytes: Uint8Array, base: number, memory?: WebAssembly.Memory): HostMemory {
  if (memory === undefined) return { bytes, base, memory: undefined, at: -1 };
  if (!(bytes.buffer instanceof SharedArrayBuffer) || bytes.byteOffset + bytes.length > memory.buffer.byteLength) {
    throw new RangeError('host bytes are not a view of the WebAssembly memory given');
  }
  return { bytes, base, memory, at: bytes.byteOffset };
}

/** Pool options from the command line, common to all strategies (each uses what applies). */
export interface PoolOptions {
  /** `--pool`: requested pool size in slots (before the kernel's boot rounding); each strategy has its default. */
  poolSlots?: number;
  /** `--areas N`, when given. */
  areas?: number;
  /** Slot-search rules (`--kernel-rules`). */
  rules: KernelRules;
  /** `--nodes M`: virtual NUMA nodes (strategies with per-node pools). */
  nodes?: number;
  /** `--cpus-per-node N`: CPUs per node, in contiguous blocks. */
  cpusPerNode?: number;
  /** `--max-pool`: memory budget of growing strategies, slots. */
  maxPoolSlots?: number;
  /** `--debugfs`: CONFIG_DEBUG_FS, the io_tlb_mem counters are kept (true when absent). */
  debugfs?: boolean;
  /** `--lock`, or the default for the run's threads (qspinlock when absent). */
  lock?: LockKind;
  /** `--device-pool`: slots of each device's own pool (per-device-pools); absent: the `--pool` memory split over the devices. */
  devicePoolSlots?: number;
  /** `--child-per`: child-pools' scope, a child per device (chosen round-robin per map) or per queue (the submitting CPU's). */
  childPer?: 'device' | 'queue';
}

/** What a run asks of a strategy's pool. */
export interface PoolRequest extends PoolOptions {
  /** Worker threads (CPUs) in the run. */
  threads: number;
  /** Devices in the workload (Schedule.devices; 1 when absent). */
  devices?: number;
}

/** The layout a strategy chose. */
export interface PoolPlan {
  /** Slots in all pools together. */
  nslabs: number;
  /** Areas per pool. */
  nareas: number;
  /** Slot-search rules. */
  rules: KernelRules;
  /** Facts of the layout (topology, thresholds), printed in summary.md and summary.json. */
  notes: string[];
  /**
   * What the plan changed from what was asked (the kernel's rounding, limits,
   * options it ignores): printed as warnings before the runs, and kept with the notes.
   */
  changes?: string[];
  /** Virtual NUMA topology, for strategies that have one. */
  nodes?: number;
  cpusPerNode?: number;
  /** Memory budget, slots, for strategies that grow. */
  maxPoolSlots?: number;
  /** Bound on BounceAllocator.slotOf() when it exceeds nslabs (pools that grow): slots. */
  slotSpace?: number;
  /** Virtual NUMA nodes the CPUs are spread over when the strategy has no topology of its own (a `--nodes` list; the virtual-time engine). */
  topologyNodes?: number;
  /** child-pools: whether a map starts in the next child round-robin (`device`) or in its CPU's (`queue`). */
  childPer?: 'device' | 'queue';
  /** child-pools: sets of children, one per device, each `nslabs / childSets` slots in `nareas` children. */
  childSets?: number;
  /** Slots of each device's own pool, for strategies with a pool per device (sums to nslabs). */
  deviceSlots?: number[];
  /** Slots of each node's pool, for strategies with per-node pools (sums to nslabs). */
  nodeSlots?: number[];
  /** CONFIG_DEBUG_FS; the harness copies it from the request after `plan` (true when absent). */
  debugfs?: boolean;
  /** The lock the pools run with; the harness sets it after `plan` (qspinlock when absent). */
  lock?: LockKind;
}

/**
 * Shared memory of a pool-based strategy: its pools, each naming the
 * io_tlb_mem counters it counts into (one set per allocator: per node for
 * per-node pools). The harness samples occupancy and fragmentation from it.
 */
export interface StrategyState {
  plan: PoolPlan;
  pools: PoolShared[];
}

/** What one CPU uses to map and unmap: the swiotlb_tbl_* layer of a strategy. */
export interface BounceAllocator {
  /**
   * swiotlb_tbl_map_single() without the copy: tlb address or -1
   * (DMA_MAPPING_ERROR). `device`: the mapping device's index in the workload
   * (0 when absent), the `dev` whose dma_io_tlb_mem the kernel maps from;
   * strategies with one allocator for all devices ignore it.
   */
  tblMapSingle(cpu: number, orig: number, mappingSize: number, allocAlignMask: number, minAlignMask: number, device?: number): number;
  /** swiotlb_find_pool() + swiotlb_release_slots() for the buffer at `tlb`. */
  releaseSlots(tlb: number, minAlignMask: number, mappingSize: number): void;
  /**
   * swiotlb_bounce(): copy between bounce buffer and original; returns bytes
   * copied. `atMap`: the copy swiotlb_tbl_map_single() makes itself (it has
   * the pool at hand; a sync or unmap looks the pool up first).
   */
  bounce(tlb: number, size: number, toDevice: boolean, minAlignMask: number, host: HostMemory, atMap?: boolean): number;
  /**
   * The DMA layer's map: swiotlb_tbl_map_single() with its copy of the
   * mapping original -> bounce, in one step (SwiotlbPool: one WebAssembly
   * call). Same result as tblMapSingle() then bounce(atMap); mapAndCopyOf()
   * is that composition for allocators with nothing to fuse.
   */
  mapAndCopy(cpu: number, orig: number, mappingSize: number, allocAlignMask: number, minAlignMask: number, host: HostMemory, device?: number): number;
  /**
   * The DMA layer's unmap after the sync's lookup (syncLookup): copy
   * `copyBack` bytes bounce -> original (0: none), then
   * swiotlb_release_slots(), in one step. Same result as bounce() then
   * releaseSlots(); copyAndReleaseOf() is that composition.
   */
  copyAndRelease(tlb: number, minAlignMask: number, mappingSize: number, copyBack: number, host: HostMemory): void;
  /**
   * Optional: the pool lookup a sync makes before it knows whether to copy
   * (swiotlb_find_pool() in swiotlb_sync_single_for_cpu/device(); v6.6:
   * is_swiotlb_buffer() in dma-direct), whatever the direction. Strategies
   * whose lookup costs something (a list walk) implement it.
   */
  syncLookup?(tlb: number, minAlignMask: number): void;
  /** The device's view of `size` bytes at bounce address `tlb` (for simulated DMA). */
  deviceAccess(tlb: number, size: number): Uint8Array;
  /** A slot number unique over all of the strategy's pools (for invariant checks). */
  slotOf(tlb: number): number;
  /** io_tlb_mem nslabs, for the "buffer is full" message. */
  readonly totalSlots: number;
  /** mem_used(): slots in use now. */
  usedSlots(): number;
  /** This CPU's counters. */
  readonly counters: AllocCounters;
}

/**
 * Result columns a strategy adds, declared once: the harness refuses to write
 * a column nobody declared, and docs/results.md lists these.
 */
export interface StrategyColumns {
  /** throughput.csv: counters in `AllocCounters.extra`, `runBackground`, `reportColumns` and `deriveColumns`. */
  throughput?: readonly ColumnSpec[];
  /** fragmentation.csv: what `sampleColumns` returns. */
  fragmentation?: readonly ColumnSpec[];
}

/** A strategy plug-in. */
export interface Strategy<S extends StrategyState = StrategyState> {
  /** Short name used by `--strategy`. */
  readonly name: string;
  /** One line for `--help` and reports. */
  readonly description: string;
  /** The columns this strategy adds to the result files (none when absent). */
  readonly columns?: StrategyColumns;
  /**
   * Its maps may block (a `MapThrottle`): while one waits, its CPU completes
   * its own in-flight I/O, so the harness refuses `--completion-cpu other`
   * for it before any run starts.
   */
  readonly mapsMayBlock?: boolean;
  /** Choose the pool layout for a run. */
  plan(request: PoolRequest): PoolPlan;
  /**
   * Allocate and initialise shared memory (main thread). `arena` is the run's
   * shared memory, which also holds the host buffers: pools whose slot arrays
   * and bounce data are reserved in it (allocatePool's `arena`) copy with
   * memory.copy; pools elsewhere still work, with slower typed-array copies.
   */
  create(plan: PoolPlan, arena?: DmaArena): S;
  /** Bind to shared memory as one CPU (worker thread, or main thread in tests). */
  attach(state: S): BounceAllocator;
  /** Optional extra throughput.csv columns derived from a finished row (e.g. shares of its counters). */
  deriveColumns?(row: Readonly<Record<string, string | number>>): Record<string, number>;
  /** Pools alive now, for strategies whose pools change during a run (default: `state.pools`). */
  livePools?(state: S): PoolShared[];
  /** Extra fragmentation.csv columns read from the state at each sample (e.g. io_tlb_nslabs). */
  sampleColumns?(state: S): Record<string, number>;
  /** Extra throughput.csv columns read from the state after a run (e.g. peak reserved bytes). */
  reportColumns?(state: S): Record<string, number>;
  /**
   * Work that runs in its own thread beside the CPUs for the whole run (e.g.
   * a pool-growth worker) until `stopped()` turns true; returns counters that
   * become throughput.csv columns.
   */
  runBackground?(state: S, stopped: () => boolean): Record<string, number>;
  /** Virtual-time engine (src/run/sim/): is the background work queued now? */
  backgroundQueued?(state: S): boolean;
  /** Virtual-time engine: run the queued background work once, here and now; returns its counters' increments (throughput.csv columns). */
  stepBackground?(state: S): Record<string, number>;
}

/**
 * Back-pressure for maps that may block (DMA_ATTR_MAY_BLOCK in Michael
 * Kelley's 2024 throttling RFC). The replay calls `tryEnter` before a map;
 * when it returns false the map must wait: the CPU goes on completing its
 * in-flight I/O (its pending unmaps, as the completion context would while
 * the submitter sleeps) and calls `wait` when it has none, then tries again.
 */
export interface MapThrottle {
  /** Pass the throttle for the next map, or false when it must wait. */
  tryEnter(): boolean;
  /** Sleep up to `ms` for another CPU to release the throttle. */
  wait(ms: number): void;
}

/** Optional capability of a {@link BounceAllocator}. */
export interface ThrottledAllocator extends BounceAllocator {
  readonly throttle: MapThrottle;
}

/** mapAndCopy() as tblMapSingle() then the map's bounce, for allocators that do not fuse the two. */
export function mapAndCopyOf(alloc: BounceAllocator, cpu: number, orig: number, mappingSize: number, allocAlignMask: number, minAlignMask: number, host: HostMemory, device = 0): number {
  const tlb = alloc.tblMapSingle(cpu, orig, mappingSize, allocAlignMask, minAlignMask, device);
  if (tlb !== DMA_MAPPING_ERROR) alloc.bounce(tlb, mappingSize, true, minAlignMask, host, true);
  return tlb;
}

/** copyAndRelease() as bounce() then releaseSlots(), for allocators that do not fuse the two. */
export function copyAndReleaseOf(alloc: BounceAllocator, tlb: number, minAlignMask: number, mappingSize: number, copyBack: number, host: HostMemory): void {
  if (copyBack !== 0) alloc.bounce(tlb, copyBack, false, minAlignMask, host);
  alloc.releaseSlots(tlb, minAlignMask, mappingSize);
}
