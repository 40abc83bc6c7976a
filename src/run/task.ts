/** The messages between one run (run-one.ts) and its workers (worker.ts). */
import type { PoolSnapshot } from '../export/run-series.js';
import type { ArenaRegion } from '../model/dma-arena.js';
import type { StrategyState } from '../model/strategy.js';
import type { Schedule } from '../../workloads/schedule/build.js';

/** Shared words for handing mappings between CPUs (`--completion-cpu other`). */
export interface Handoff {
  /** Int32 per mapping: 0 none, 1 live, 2 map failed, -1 unmapper waiting. */
  state: SharedArrayBuffer;
  /** Float64 per mapping: its bounce address. */
  tlb: SharedArrayBuffer;
  /** Int32 per host region: unmaps done, and a waiter flag. */
  regionFree: SharedArrayBuffer;
  regionWaiters: SharedArrayBuffer;
}

/** Verify-mode shared memory. */
export interface VerifyShared {
  /** Int32 per slot of the strategy: owning mapping + 1, or 0. */
  owners: SharedArrayBuffer;
  /** Int32 per mapping: the tag its stamp was made from. */
  tags: SharedArrayBuffer;
}

export interface WorkerTask {
  /** A CPU, or the strategy's background thread (Strategy.runBackground). */
  role?: 'cpu' | 'background';
  cpu: number;
  threads: number;
  control: SharedArrayBuffer;
  /** Built-in strategy name, or a plug-in's absolute path. */
  strategy: string;
  state: StrategyState;
  schedule: Schedule;
  /** Host memory holding the original buffers (HOST_BASE..). */
  host: ArenaRegion;
  handoff: Handoff | null;
  verify: VerifyShared | null;
  /** Time one map and one unmap in every N (0: never). */
  sampleEvery: number;
  barrierTimeoutMs: number;
  /** Longest a worker waits for another CPU's map or unmap, ms. */
  waitTimeoutMs: number;
  /** The "buffer is full" warning's rate-limit state, shared by the run's CPUs (src/model/ratelimit.ts). */
  ratelimit: SharedArrayBuffer;
}

/** Verify-mode counts of one worker or one run (bytes, slots). */
export interface VerifyCounts {
  /** Bytes compared against their stamp. */
  checkedBytes: number;
  /** Bytes that differed from it. */
  corruptedBytes: number;
  /** Slots claimed while another live mapping held them, or released while not held. */
  overlaps: number;
}

/**
 * What one worker reports; counters cover the measured phase only. Counters
 * named as a throughput.csv column keep that name from here to the CSV
 * (src/export/columns.ts); the others are sums the row divides per map.
 */
export interface WorkerResult {
  cpu: number;
  /** Measured seconds, from this worker's view of the phase change to its stop. */
  seconds: number;
  maps: number;
  unmaps: number;
  /** Maps that found no slots ("swiotlb buffer is full"). */
  full_failures: number;
  /** Bytes mapped. */
  bytes_mapped: number;
  /** Failed maps by mapping size: [bytes, count] pairs. */
  failures_by_size: [number, number][];
  /** The "swiotlb buffer is full" messages this CPU printed past the rate limit, with when (ms, performance.timeOrigin based). */
  messages: { ms: number; text: string }[];
  slots_scanned: number;
  area_fallbacks: number;
  lock_acquisitions: number;
  lock_contended: number;
  lock_wait_ns: number;
  /** Latency histograms (ns), hdr-histogram compressed base64: successful maps, failed map attempts, unmaps. */
  map_histogram: string;
  failed_map_histogram: string;
  unmap_histogram: string;
  /** Strategy-specific counters (AllocCounters.extra), keyed by their column name. */
  extra: Record<string, number>;
  trace_passes: number;
  /** Times this CPU waited for another CPU's map or unmap. */
  handoff_waits: number;
  verify: VerifyCounts | null;
  /** The pool at the highest io_tlb_used_hiwater this worker set while measuring (peak-picture.ts), or null. */
  peak_picture: PoolSnapshot | null;
}
