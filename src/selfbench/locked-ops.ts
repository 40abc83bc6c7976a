/**
 * Counting the locked instructions of a map+unmap (`bench:micro`): the
 * WebAssembly pool code counts its own (AllocCounters.lockedOps); calls to
 * JavaScript's Atomics read-modify-write functions and Atomics.store (a
 * locked xchg on x86) are counted by wrapping them for the count. Atomic
 * loads are plain loads on x86 and are not counted, as in the kernel's count.
 */
import { DmaArena } from '../model/dma-arena.js';
import { DMA_FROM_DEVICE, type DmaMapper } from '../model/dma.js';
import { HOST_BASE } from '../../workloads/schedule/host-memory.js';

/** The Atomics functions that compile to a locked instruction (or xchg) on x86. */
const LOCKED = ['add', 'sub', 'and', 'or', 'xor', 'exchange', 'compareExchange', 'store'] as const;
/** Round trips counted; their mean is the figure. */
const ROUND_TRIPS = 256;

/**
 * Locked instructions per 4 KiB FROM_DEVICE map+unmap of the DmaMapper that
 * `make(poolSlots, arena)` builds, after one uncounted round trip.
 */
export function countLockedOps(make: (poolSlots: number, arena: DmaArena) => DmaMapper, poolSlots: number): number {
  const dma = make(poolSlots, new DmaArena());
  const dev = { name: 'nvme0', minAlignMask: 0xfff };
  const roundTrip = () => dma.unmap(dev, dma.map(dev, HOST_BASE, 4096, DMA_FROM_DEVICE), 4096, DMA_FROM_DEVICE);
  roundTrip();
  const counters = dma.alloc.counters;
  const wasmBefore = counters.lockedOps;
  let js = 0;
  const saved = new Map(LOCKED.map((k) => [k, Atomics[k]]));
  const counting = Atomics as unknown as Record<string, (...args: unknown[]) => unknown>;
  try {
    for (const k of LOCKED) {
      const original = saved.get(k) as (...args: unknown[]) => unknown;
      counting[k] = (...args: unknown[]) => {
        js++;
        return original.apply(Atomics, args);
      };
    }
    for (let i = 0; i < ROUND_TRIPS; i++) roundTrip();
  } finally {
    for (const [k, fn] of saved) counting[k] = fn as (...args: unknown[]) => unknown;
  }
  return (js + counters.lockedOps - wasmBefore) / ROUND_TRIPS;
}
