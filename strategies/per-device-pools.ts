/**
 * `per-device-pools`: a `restricted-dma-pool` per device, the device tree's
 * way of giving one device its own io_tlb_mem (Claire Chang, 2021,
 * 20210624155526.2775863-1-tientzu@chromium.org), which David Woodhouse's
 * VIRTIO_F_SWIOTLB RFC (2025-04-02, 20250402112410.2086892-1-dwmw2@infradead.org,
 * not merged) would let a virtio device negotiate. rmem_swiotlb_device_init()
 * (kernel/dma/swiotlb.c) makes each such pool:
 * - nslabs = the region's size >> IO_TLB_SHIFT, not rounded to a segment
 *   (swiotlb_init_io_tlb_pool clamps the last segment's list[] counts);
 * - one area ("Set Per-device io tlb area to one"), so one lock for every
 *   CPU that maps for that device;
 * - can_grow false: no growth and no transient pools;
 * - dev->dma_io_tlb_mem points at it: the device maps only there, with no
 *   fallback to the default pool, and a full pool fails the map.
 *
 * Each of the workload's devices (Schedule.devices) gets one. Equal memory
 * unless `--device-pool` says otherwise: the pool per-cpu-areas would get for
 * the same options, split over the devices in whole 128-slot segments.
 */
import { IO_TLB_SEGSIZE, IO_TLB_SIZE } from '../src/model/constants.js';
import { InputError } from '../src/base/errors.js';
import { PerDeviceAllocator, allocatePoolsSideBySide } from '../src/model/multi-pool.js';
import { bootSizing, splitInUnits } from '../src/model/pool-sizing.js';
import type { PoolPlan, PoolRequest, Strategy, StrategyState } from '../src/model/strategy.js';

/**
 * Slots of each device's pool: `devicePoolSlots` each when given, else
 * `total` split in whole segments, the first devices taking one more when
 * they do not divide evenly (in slots when there are fewer segments than devices).
 * @throws InputError when `total` cannot give each device one slot.
 */
export function deviceSlots(total: number, devices: number, devicePoolSlots: number | undefined): number[] {
  if (devicePoolSlots !== undefined) return Array.from({ length: devices }, () => devicePoolSlots);
  if (total < devices) throw new InputError(`per-device-pools: a pool of ${total} slots cannot give each of ${devices} devices a slot; raise --pool or give --device-pool`);
  // Whole segments while every device gets one; else plain slots (a restricted pool need not be a whole segment).
  return splitInUnits(total, devices, total >= IO_TLB_SEGSIZE * devices ? IO_TLB_SEGSIZE : 1);
}

function planDevicePools(request: PoolRequest): PoolPlan {
  const devices = request.devices ?? 1;
  // The memory one io_tlb_mem gets for the same options, as per-cpu-areas sizes it (its rounding said once, as there).
  const whole = bootSizing(request.poolSlots, request.areas ?? request.threads);
  const slots = deviceSlots(whole.nslabs, devices, request.devicePoolSlots);
  const nslabs = slots.reduce((a, b) => a + b, 0);
  const changes: string[] = request.devicePoolSlots === undefined ? [...whole.changes] : [];
  if (request.areas !== undefined && request.areas !== 1) changes.push(`--areas ${request.areas} ignored: a restricted-dma-pool has one area (rmem_swiotlb_device_init)`);
  const memory = request.devicePoolSlots === undefined
    ? `equal memory: the ${whole.nslabs} slots one io_tlb_mem gets for these options, split over ${devices} device(s) in whole ${IO_TLB_SEGSIZE}-slot segments`
    : `--device-pool: ${request.devicePoolSlots} slots (${(request.devicePoolSlots * IO_TLB_SIZE) / 1024} KiB) per device, ${nslabs} slots in all`;
  const notes = [memory, `${devices} restricted-dma-pool(s): ${slots.map((s, d) => `device ${d}: ${s} slots`).join('; ')}; one area (one lock) each, no growth, no fallback to another pool`];
  return { nslabs, nareas: 1, rules: request.rules, notes, changes, deviceSlots: slots };
}

export const perDevicePools: Strategy = {
  name: 'per-device-pools',
  description: "a restricted-dma-pool per device: one area, no growth, the device maps nowhere else (device tree; Woodhouse's 2025 VIRTIO_F_SWIOTLB RFC); --device-pool",
  plan: planDevicePools,
  // Each its own io_tlb_mem counters (each restricted pool has its debugfs directory), named for the pool pictures.
  create: (plan, arena): StrategyState => ({ plan, pools: allocatePoolsSideBySide(plan.deviceSlots!, plan, arena, (d) => `device ${d}`) }),
  attach: (state) => new PerDeviceAllocator(state),
};
