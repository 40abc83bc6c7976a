/** The messages between the run orchestrator and its workers. */
import type { Schedule } from '../../workloads/schedule/build.js';
import type { StrategyState } from '../model/strategy.js';

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
  host: SharedArrayBuffer;
  handoff: Handoff | null;
  verify: VerifyShared | null;
  /** Time one map and one unmap in every N (0: never). */
  sampleEvery: number;
  barrierTimeoutMs: number;
  /** Longest a worker waits for another CPU's map or unmap, ms. */
  waitTimeoutMs: number;
}

/** What one worker reports; counters cover the measured phase only. */
export interface WorkerResult {
  cpu: number;
  /** Measured seconds, from this worker's view of the phase change to its stop. */
  seconds: number;
  maps: number;
  unmaps: number;
  /** Bytes mapped. */
  bytes: number;
  failures: number;
  failuresBySize: [number, number][];
  messages: string[];
  slotsScanned: number;
  areaFallbacks: number;
  lockAcquisitions: number;
  lockContended: number;
  lockWaitNs: number;
  /** Latency histograms (ns), hdr-histogram compressed base64. */
  mapHistogram: string;
  unmapHistogram: string;
  /** Strategy-specific counters (AllocCounters.extra). */
  extra: Record<string, number>;
  passes: number;
  /** Times this CPU waited for another CPU's map or unmap. */
  handoffWaits: number;
  verify: { checkedBytes: number; corruptedBytes: number; overlaps: number } | null;
}
