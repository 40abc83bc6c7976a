/**
 * Named workloads with fixed, documented parameters (`--workload NAME`,
 * listed by `--list --verbose`): NVMe shapes, network RX/TX, the CoCo boot
 * bounce-size census, on top of the shipped real traces.
 */
import type { LatencyModel } from '../latency-model.js';
import { DEFAULT_NET, type NetOptions } from '../drivers/nic.js';
import { IMIX, mtuFrames, rxFrames, txSends } from './net.js';
import { type GeneratorParams, closedLoop, generateNvme } from './nvme.js';
import type { IommuPath } from '../drivers/iommu.js';
import type { IoRequest } from '../types.js';
import { PAGE_SIZE } from '../../src/model/constants.js';
import { mixSeed } from '../../src/stats/hash.js';
import { xorshift32 } from '../../src/stats/prng.js';

/** What a profile needs from the run. */
export interface ProfileContext {
  threads: number;
  latency: LatencyModel;
  generator: GeneratorParams;
  net: Omit<NetOptions, 'threads'>;
}

export interface Profile {
  name: string;
  description: string;
  /** The fixed parameters, for --list --verbose and summary.json. */
  params: Record<string, string | number>;
  /** Block requests or network frames (frames go through the NIC model). */
  generate(ctx: ProfileContext): IoRequest[];
  /** NIC settings the profile fixes (others come from the options). */
  net?: Partial<Omit<NetOptions, 'threads'>>;
  /**
   * Set for an untrusted device behind an IOMMU: only what iommu-dma cannot
   * map in place bounces, on this path (workloads/drivers/iommu.ts, with
   * `--iova-granule`). Absent: dma-direct bounces every buffer.
   */
  iommu?: IommuPath;
}

/** Frames or sends per queue for the network profiles (the replay loops). */
const NET_FRAMES = 4096;

function nvme(name: string, description: string, bs: string, rw: string, rwmixread: number, iodepth: number): Profile {
  return {
    name,
    description,
    params: { bs, rw, rwmixread, iodepth, min_align_mask: '0xfff' },
    generate: (ctx) => generateNvme({ ...ctx.generator, bs, rw, rwmixread, iodepth }, ctx.threads, ctx.latency),
  };
}

/**
 * GuoRui Yu's census of bounce sizes during a confidential-VM boot ("[RFC] swiotlb:
 * Add a new cc-swiotlb implementation for Confidential VMs", 2023-01-28): <=512 B 3.5%, <=2 KiB 57.7%, <=4 KiB 91.3%,
 * <=16 KiB 96.0%, <=512 KiB 100%. Sizes are drawn uniformly inside each band.
 */
export const COCO_BOOT_CENSUS: { upTo: number; cumulative: number }[] = [
  { upTo: 512, cumulative: 0.035 },
  { upTo: 2048, cumulative: 0.577 },
  { upTo: 4096, cumulative: 0.913 },
  { upTo: 16384, cumulative: 0.96 },
  { upTo: 524288, cumulative: 1 },
];

function censusSize(rand: () => number): number {
  const r = rand();
  let low = 1;
  for (const band of COCO_BOOT_CENSUS) {
    if (r < band.cumulative) return low + Math.floor(rand() * (band.upTo - low + 1));
    low = band.upTo + 1;
  }
  return COCO_BOOT_CENSUS[COCO_BOOT_CENSUS.length - 1].upTo;
}

/**
 * Buffers at a random 512-byte boundary inside their page, as O_DIRECT user
 * buffers may be (only the logical block size is required): the request's
 * device offset carries the buffer's in-page offset into the schedule.
 */
function at512ByteBoundaries(requests: IoRequest[], seed: number): IoRequest[] {
  const rand = xorshift32(mixSeed(seed, 'o_direct buffer offsets'));
  return requests.map((r) => ({ ...r, offset: r.offset - (r.offset % PAGE_SIZE) + 512 * Math.floor(rand() * (PAGE_SIZE / 512)) }));
}

/**
 * The sizes a non-coherent device's small kmalloc() buffers have when they
 * bounce, for a 64-byte cache line: dma_kmalloc_needs_bounce() holds for a
 * FROM_DEVICE or BIDIRECTIONAL map whose kmalloc_size_roundup() is not a
 * multiple of the line, i.e. kmalloc-8/16/32/96 with ARCH_KMALLOC_MINALIGN 8
 * (arm64 since v6.5, Catalin Marinas's series): requested sizes 1-32 and 65-96.
 */
export const KMALLOC_BOUNCE_SIZES: readonly { low: number; high: number }[] = [{ low: 1, high: 32 }, { low: 65, high: 96 }];

function kmallocBounceSize(rand: () => number): number {
  const band = KMALLOC_BOUNCE_SIZES[rand() < 0.5 ? 0 : 1];
  return band.low + Math.floor(rand() * (band.high - band.low + 1));
}

/**
 * A confidential VM's two virtio devices, every buffer bounced
 * (swiotlb=force, as SEV and TDX guests run): virtio-blk (device 0, the
 * nvme-mixed-70r30w shape; virtio sets no min_align_mask) and virtio-net
 * receiving MTU 1500 frames on a queue per CPU (device 1). The pair
 * VIRTIO_F_SWIOTLB would give a restricted pool each.
 */
function virtioBlkNet(ctx: ProfileContext): IoRequest[] {
  const blk = generateNvme({ ...ctx.generator, bs: '4k/60:16k/20:64k/10:128k/10', rw: 'randrw', rwmixread: 70, iodepth: 16 }, ctx.threads, ctx.latency)
    .map((r) => ({ ...r, minAlignMask: 0, device: 0 }));
  const net = rxFrames(ctx.threads, NET_FRAMES, mtuFrames(1500), ctx.net.wireGbps, ctx.generator.seed).map((f) => ({ ...f, device: 1 }));
  return [...blk, ...net];
}

export const PROFILES: readonly Profile[] = [
  nvme('nvme-4k-randread-qd32', 'NVMe 4 KiB random reads, 32 in flight per CPU', '4k', 'randread', 100, 32),
  nvme('nvme-128k-seqwrite-qd8', 'NVMe 128 KiB sequential writes, 8 in flight per CPU', '128k', 'write', 0, 8),
  nvme('nvme-mixed-70r30w', 'NVMe mixed sizes (4k 60%, 16k 20%, 64k 10%, 128k 10%), 70% reads, 16 in flight', '4k/60:16k/20:64k/10:128k/10', 'randrw', 70, 16),
  {
    name: 'net-rx-mtu1500',
    description: 'NIC receive at line rate: 1514-byte frames into MTU 1500 ring buffers, NAPI batches',
    params: { mtu: 1500, frame_bytes: 1514, ring: DEFAULT_NET.ring, napi_budget: DEFAULT_NET.napiBudget, gbps: DEFAULT_NET.wireGbps },
    net: { mtu: 1500 },
    generate: (ctx) => rxFrames(ctx.threads, NET_FRAMES, mtuFrames(1500), ctx.net.wireGbps, ctx.generator.seed),
  },
  {
    name: 'net-rx-mtu9000',
    description: 'NIC receive at line rate: 9014-byte jumbo frames into MTU 9000 ring buffers',
    params: { mtu: 9000, frame_bytes: 9014, ring: DEFAULT_NET.ring, napi_budget: DEFAULT_NET.napiBudget, gbps: DEFAULT_NET.wireGbps },
    net: { mtu: 9000 },
    generate: (ctx) => rxFrames(ctx.threads, NET_FRAMES, mtuFrames(9000), ctx.net.wireGbps, ctx.generator.seed),
  },
  {
    name: 'net-tx-tso64k',
    description: 'NIC transmit: 64 KiB TSO sends mapped as a 128-byte head plus 4 KiB page fragments',
    params: { send_bytes: 65536, head_bytes: 128, frag_bytes: 4096, gbps: DEFAULT_NET.wireGbps },
    generate: (ctx) => txSends(ctx.threads, NET_FRAMES / 8, 65536, ctx.net.wireGbps),
  },
  {
    name: 'net-imix',
    description: 'NIC receive of standard IMIX (60/590/1514-byte frames, 7:4:1) into MTU 1500 buffers',
    params: { mix: '60:7,590:4,1514:1', mtu: 1500, ring: DEFAULT_NET.ring, napi_budget: DEFAULT_NET.napiBudget, gbps: DEFAULT_NET.wireGbps },
    net: { mtu: 1500 },
    generate: (ctx) => rxFrames(ctx.threads, NET_FRAMES, IMIX, ctx.net.wireGbps, ctx.generator.seed),
  },
  {
    name: 'coco-boot-mix',
    description: 'bounce sizes of a confidential-VM boot (GuoRui Yu 2023 census: 57.7% <= 2 KiB, 91.3% <= 4 KiB), 70% reads, 32 in flight',
    params: { census: '<=512 3.5%, <=2K 57.7%, <=4K 91.3%, <=16K 96%, <=512K 100%', reads_pct: 70, iodepth: 32 },
    generate: (ctx) => closedLoop({ jobs: ctx.threads, iosPerJob: ctx.generator.iosPerJob, iodepth: 32, seed: ctx.generator.seed, readShare: 0.7, random: true, pickSize: censusSize }, ctx.latency),
  },
  {
    name: 'iommu-untrusted-nvme',
    description: 'untrusted (Thunderbolt) NVMe behind an IOMMU: only the sub-granule head and tail of each request bounce (dma_iova_link), aligned to the granule (--iova-granule); O_DIRECT buffers at 512-byte boundaries, mixed sizes',
    params: { bs: '4k/60:16k/20:64k/10:128k/10', rwmixread: 70, iodepth: 16, buffer_offset: 'random 512-byte boundary in the page', min_align_mask: '0xfff', alloc_align_mask: 'IOVA granule - 1', bounced: 'head and tail pieces (dma_iova_link)' },
    iommu: 'iova-link',
    generate: (ctx) => at512ByteBoundaries(generateNvme({ ...ctx.generator, bs: '4k/60:16k/20:64k/10:128k/10', rw: 'randrw', rwmixread: 70, iodepth: 16 }, ctx.threads, ctx.latency), ctx.generator.seed),
  },
  {
    name: 'iommu-untrusted-nic',
    description: 'untrusted NIC behind an IOMMU receiving MTU 1500 frames: every 1536-byte ring buffer bounces, rounded up to whole IOVA granules (--iova-granule)',
    params: { mtu: 1500, frame_bytes: 1514, ring: DEFAULT_NET.ring, napi_budget: DEFAULT_NET.napiBudget, gbps: DEFAULT_NET.wireGbps, alloc_align_mask: 'IOVA granule - 1', bounced: 'whole buffer (iommu_dma_map_phys)' },
    net: { mtu: 1500 },
    iommu: 'map-phys',
    generate: (ctx) => rxFrames(ctx.threads, NET_FRAMES, mtuFrames(1500), ctx.net.wireGbps, ctx.generator.seed),
  },
  {
    name: 'virtio-blk-net',
    description: "a confidential VM's virtio-blk disk and virtio-net NIC, every buffer bounced: two devices (mixed 4k-128k block I/O, 16 in flight per CPU; MTU 1500 RX on a queue per CPU)",
    params: { devices: 'virtio-blk (0), virtio-net (1)', blk_bs: '4k/60:16k/20:64k/10:128k/10', blk_rwmixread: 70, blk_iodepth: 16, net_mtu: 1500, ring: DEFAULT_NET.ring, min_align_mask: 0 },
    net: { mtu: 1500 },
    generate: virtioBlkNet,
  },
  {
    name: 'noncoherent-kmalloc',
    description: 'small kmalloc() buffers of a non-coherent device (arm64, 64-byte cache line): 1-32 and 65-96 bytes FROM_DEVICE, which dma_kmalloc_needs_bounce() sends through swiotlb',
    params: { sizes: '1-32, 65-96 bytes', cache_line: 64, dir: 'DMA_FROM_DEVICE', buffer_align: 8, min_align_mask: 0, iodepth: 32 },
    generate: (ctx) => closedLoop({ jobs: ctx.threads, iosPerJob: ctx.generator.iosPerJob, iodepth: 32, seed: ctx.generator.seed, readShare: 1, random: true, pickSize: kmallocBounceSize }, ctx.latency)
      .map((r) => ({ ...r, offset: r.offset - (r.offset % 8), minAlignMask: 0 })),
  },
];
