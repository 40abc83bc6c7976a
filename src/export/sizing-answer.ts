/**
 * What `npm run size` finds for one (workload, strategy, CPUs), in the shape
 * the exporters and the figure read (src/cli/size-study.ts fills it).
 */
import { IO_TLB_SIZE } from '../model/constants.js';
import { cocoBootSlots } from '../model/pool-sizing.js';

/** The figures of one replay (a probe). */
export interface ProbeResult {
  /** The pool as planned, all pools together, slots (after the kernel's boot rounding). */
  poolSlots: number;
  /** Areas per pool in the plan. */
  nareas: number;
  /** Map attempts measured (successful and failed). */
  attempts: number;
  /** "swiotlb buffer is full" failures. */
  failures: number;
  /** io_tlb_used_hiwater over the replay, slots. */
  hiwaterSlots: number;
  /** Growing strategies only: peak bytes of growth and transient pools (boot pool not included). */
  peakReservedBytes?: number;
  /** Growing strategies only: pools the growth work added. */
  growths?: number;
  /** Growing strategies only: transient pools made. */
  transientPools?: number;
  /** Growing strategies only: failures whose transient pool was made but could not place the buffer (swiotlb_search_pool_area() on an exactly sized pool). */
  transientNoFit?: number;
  /** Growing strategies only: failures whose transient pool got no pages. */
  transientAllocFailed?: number;
  /** Growing strategies only: failures refused before any search (padded size over one segment, newest kernel). */
  oversizeRejects?: number;
}

/** One pool the search can probe: what is asked (`--pool`, slots) and what the strategy's plan makes of it (slots, areas). */
export interface Candidate {
  /** The `--pool` asked for, slots. */
  requestSlots: number;
  /** The pool the strategy's plan makes of it (all pools together), slots. */
  slots: number;
  /** Areas per pool in that plan. */
  nareas: number;
}

/** What one (workload, strategy, CPUs) found. */
export interface SizingAnswer {
  workload: string;
  strategy: string;
  cpus: number;
  /** Seeds replayed, or 'trace' for a trace (replayed once). */
  seeds: number[] | 'trace';
  /** static: the smallest pool searched; dynamic: replayed from the kernel's default boot pool (64 MiB, at least a segment per area), growing. */
  kind: 'static' | 'dynamic';
  /** static: the smallest pool with no failure, largest over seeds; undefined when even the largest candidate fails. */
  minPool?: Candidate;
  /** static: the smallest pool this strategy's rounding allows at these CPUs (IO_TLB_SEGSIZE slots per area, round_up_default_nslabs()), slots. */
  floorSlots?: number;
  /** static: the smallest pool with failures at or under the rate, largest over seeds. */
  ratePool?: Candidate;
  /** static: the largest candidate pool, slots (0 for dynamic). */
  searchedUpToSlots: number;
  /** The replay at the answer: static, at minPool for the seed that needed most; dynamic, the seed with most failures. */
  at?: ProbeResult;
  /** dynamic: figures, each the largest over seeds (bytes include the boot pool). */
  dynamic?: {
    failures: number; peakMemoryBytes: number; growths: number; transientPools: number; hiwaterSlots: number; attempts: number;
    /** Why the failures of the seed with most failed: transient pool made but no fit, transient pool without pages, refused as oversize. */
    noFit: number; noPages: number; oversize: number;
  };
  /** Replays run for this answer, all seeds. */
  probes: number;
  /** Seeds whose outcomes were not monotone in the pool size (seen only when every candidate was probed). */
  nonMonotone: number[];
  /** Real threads at minPool (CPU counts up to the cores). */
  real?: ProbeResult;
  /** The seed of `at`. */
  seed: number;
}

/** Slots in MiB, to 2 decimals (pool sizes are whole or power-of-two fractions of a MiB). */
export function mib(slots: number): number {
  return Math.round(((slots * IO_TLB_SIZE) / 2 ** 20) * 100) / 100;
}

/** The answer in a few words, for progress lines and sizing.md. */
export function answerWords(a: SizingAnswer): string {
  if (a.kind === 'dynamic') return `from the default ${mib(a.at!.poolSlots)} MiB boot pool: ${a.dynamic!.failures} failures, peak ${mib(a.dynamic!.peakMemoryBytes / IO_TLB_SIZE)} MiB`;
  return a.minPool ? `smallest pool ${mib(a.minPool.slots)} MiB` : `fails even at ${mib(a.searchedUpToSlots)} MiB`;
}

/** The confidential-VM default pool for `vmGiB` GiB of memory and `cpus` CPUs, slots (cocoBootSlots()). */
export function vmPoolSlots(vmGiB: number, cpus: number): number {
  return cocoBootSlots(vmGiB * 2 ** 30, cpus);
}

/** static answers: that pool less the smallest pool, slots (positive: spare; negative: short by); undefined without a smallest pool. */
export function vmSpareSlots(a: SizingAnswer, vmGiB: number): number | undefined {
  return a.kind === 'static' && a.minPool ? vmPoolSlots(vmGiB, a.cpus) - a.minPool.slots : undefined;
}
