/**
 * `child-pools`: Tianyu Lan's "[RFC PATCH V3 0/2] swiotlb: Add child io tlb
 * mem support" (2022-05-26, message 20220526120113.971512-1-ltykernel@gmail.com;
 * rejected; docs/strategies.md). A driver calls swiotlb_device_allocate(dev,
 * queue_num, size): the default pool gives up ALIGN(size, 2 MiB) in 2 MiB
 * blocks, split evenly into `queue_num` child io_tlb_mems, each with its own
 * lock and no areas, and the device maps only there. A map starts in child
 * `child_start`, which each call moves on by one without a lock (round-robin
 * per map, not per CPU), and tries the other children in turn; when all are
 * full it fails, with no fallback to the parent pool. Christoph Hellwig and
 * Michael Kelley objected that scaling must not follow device boundaries,
 * since one device maps from many CPUs in parallel (20220531071639.GA23482@lst.de).
 *
 * Here each of the workload's devices gets a child per queue, a queue per CPU
 * (rounded up to a power of two, the model's area count), carved from the
 * `--pool` memory split over the devices, so every strategy has the same
 * memory. A device maps only in its own children. `--child-per device`
 * starts each map round-robin, as the RFC; `--child-per queue` in the
 * submitting CPU's own child: scaling per channel, the reviewers' ask.
 */
import { IO_TLB_DEFAULT_SIZE, IO_TLB_SEGSIZE, IO_TLB_SIZE, alignUp } from '../src/model/constants.js';
import { PerDeviceAllocator, allocatePoolsSideBySide } from '../src/model/multi-pool.js';
import type { PoolShared } from '../src/model/pool-layout.js';
import { lockTouches } from '../src/model/lock.js';
import { SwiotlbPool } from '../src/model/pool.js';
import { createSinglePool } from '../src/model/single-pool.js';
import type { AllocCounters, Strategy, StrategyState } from '../src/model/strategy.js';

/** swiotlb_device_allocate() carves in blocks of IO_TLB_BLOCKSIZE = 8 segments: 1024 slots, 2 MiB. */
export const CHILD_BLOCK_SLOTS = 1024;

/** Shared state: each device's children (one pool, a lock domain per child) and its `child_start`. */
export interface ChildPoolsState extends StrategyState {
  /** Int32 at byte 64 x device: that device's child_start, read and written without a lock as the RFC does (a cache line each). */
  childStart: SharedArrayBuffer;
  roundRobin: boolean;
}

/** One device's children as one CPU sees them: SwiotlbPool with the RFC's choice of the first child. */
export class ChildPools extends SwiotlbPool {
  private readonly start0: Int32Array;

  constructor(shared: PoolShared, counters: AllocCounters | undefined, childStart: SharedArrayBuffer, device: number, private readonly roundRobin: boolean) {
    super(shared, counters);
    this.start0 = new Int32Array(childStart, 64 * device, 1);
  }

  /** swiotlb_find_slots() of the RFC: child_start, then child_start = (child_start + 1) % num_child, unlocked; per queue: the CPU's child. */
  override startArea(cpu: number): number {
    if (!this.roundRobin) return cpu & (this.nareas - 1);
    lockTouches.counter?.(this.start0); // a shared line every map writes: the virtual-time engine charges its moves
    const start = this.start0[0];
    this.start0[0] = (start + 1) & (this.nareas - 1);
    return start;
  }
}

export const childPools: Strategy<ChildPoolsState> = {
  name: 'child-pools',
  description: "each device's pool split into a child per queue, own lock each, no fallback (Tianyu Lan's 2022 RFC, rejected); --child-per device|queue",
  plan(request) {
    const changes: string[] = [];
    const devices = request.devices ?? 1;
    const children = 2 ** Math.ceil(Math.log2(Math.max(1, request.threads)));
    if (children !== request.threads) changes.push(`${request.threads} queues rounded up to ${children} children, a power of two (the model's area count)`);
    const asked = request.poolSlots ?? IO_TLB_DEFAULT_SIZE / IO_TLB_SIZE;
    // Each child starts a segment (its list[] restarts there in the RFC): children of whole segments, in whole 2 MiB blocks.
    const perDevice = alignUp(Math.max(Math.floor(asked / devices), IO_TLB_SEGSIZE * children), Math.max(CHILD_BLOCK_SLOTS, IO_TLB_SEGSIZE * children));
    const nslabs = perDevice * devices;
    if (nslabs !== asked) changes.push(`--pool ${asked} slots rounded up to ${nslabs}${devices > 1 ? ` (${perDevice} per device)` : ''}: swiotlb_device_allocate() carves 2 MiB blocks, and each child here holds whole 128-slot segments`);
    const per = request.childPer ?? 'device';
    const notes = [`${devices > 1 ? `${devices} devices, each with ` : ''}${children} child io_tlb_mems of ${perDevice / children} slots, one lock each; maps start ${per === 'device' ? 'round-robin (child_start, per map)' : "in the submitting CPU's child"}; no fallback to another device's children or the parent pool`];
    return { nslabs, nareas: children, rules: request.rules, notes, changes, childPer: per, childSets: devices };
  },
  create(plan, arena) {
    const sets = plan.childSets ?? 1;
    const childStart = new SharedArrayBuffer(64 * sets);
    const roundRobin = plan.childPer !== 'queue';
    if (sets === 1) return { ...createSinglePool(plan, arena), childStart, roundRobin };
    // Each device's set carved apart, as separate swiotlb_device_allocate() calls would.
    const pools = allocatePoolsSideBySide(Array.from({ length: sets }, () => plan.nslabs / sets), plan, arena, (d) => `device ${d}`);
    return { plan, pools, childStart, roundRobin };
  },
  attach: (state) =>
    (state.plan.childSets ?? 1) === 1
      ? new ChildPools(state.pools[0], undefined, state.childStart, 0, state.roundRobin)
      // Several devices: the mapping device's children and nothing else (no fallback to another device's or the parent's).
      : new PerDeviceAllocator(state, (shared, counters, d) => new ChildPools(shared, counters, state.childStart, d, state.roundRobin)),
};
