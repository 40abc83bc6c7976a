/**
 * The bench jobs behind docs/proposals.md, declared as data: each design on
 * the workload it was meant for, against per-cpu-areas, at equal memory.
 * Real jobs time 1 and 2 threads on this machine and predict 8, 64 and 256
 * CPUs on the virtual-time engine (--sim-sweep); sim jobs only predict.
 */
import type { ProposalsOptions } from './proposals-options.js';

/** One `npm run bench` job: a key the page looks it up by, and its arguments. */
export interface ProposalJob {
  key: string;
  args: string[];
}

/** CPU counts the real jobs' sweeps predict. */
export const PREDICTED_CPUS = [8, 64, 256];
/** Pool sizes (MiB) of the zero-failure search on virtio-blk-net. */
export const DEVICE_SWEEP_MIB = [2, 4, 8, 16, 32, 64, 128];
/** CPU counts of that search. */
export const DEVICE_SWEEP_CPUS = [8, 64];
/** IOVA granules of the iommu-dma jobs. */
export const GRANULES = ['4k', '16k', '64k'];

/** Every job, in the order they run. */
export function proposalJobs(o: ProposalsOptions): ProposalJob[] {
  const sim = (threads: string) => ['--engine', 'sim', '--threads', threads, '--repeat', '1', '--sim-maps', String(o.simMaps)];
  // Measured at 1-2 threads with the sweep predicting 8-256 CPUs as the bench does (debugfs counters kept; the sweep runs a quarter of --sim-maps, so 4x),
  // and predicted again without the counters (`KEY-off`): their shared line caps every design that shares one io_tlb_mem.
  const pair = (key: string, what: string[]): ProposalJob[] => [
    { key, args: [...what, '--threads', '1,2', '--repeat', String(o.repeat), '--duration', String(o.duration), '--warmup', '0.3', '--sim-sweep', PREDICTED_CPUS.join(','), '--sim-maps', String(4 * o.simMaps), '--reference', 'per-cpu-areas'] },
    { key: `${key}-off`, args: [...what, ...sim(PREDICTED_CPUS.join(',')), '--debugfs', 'off'] },
  ];
  return [
    ...pair('gao', ['--workload', 'msr-hm0', '--strategy', 'per-cpu-areas,bitmap-areas,cache-friendly-areas']),
    ...pair('lan-device', ['--workload', 'net-rx-mtu1500', '--strategy', 'per-cpu-areas,child-pools', '--child-per', 'device']),
    ...pair('lan-queue', ['--workload', 'net-rx-mtu1500', '--strategy', 'per-cpu-areas,child-pools', '--child-per', 'queue']),
    ...['device', 'queue'].map((per) => ({ key: `lan-nvme-${per}-off`, args: ['--workload', 'nvme-4k-randread-qd32', '--strategy', 'per-cpu-areas,child-pools', '--child-per', per, ...sim(PREDICTED_CPUS.join(',')), '--debugfs', 'off'] })),
    ...pair('device-real', ['--workload', 'virtio-blk-net', '--strategy', 'per-cpu-areas,per-device-pools']),
    ...DEVICE_SWEEP_MIB.map((mib) => ({ key: `device-${mib}`, args: ['--workload', 'virtio-blk-net', '--strategy', 'per-cpu-areas,per-device-pools', '--pool', `${mib}MiB`, ...sim(DEVICE_SWEEP_CPUS.join(','))] })),
    ...GRANULES.map((g) => ({ key: `iommu-${g}`, args: ['--workload', 'iommu-untrusted-nvme,iommu-untrusted-nic', '--strategy', 'per-cpu-areas', '--iova-granule', g, ...sim('8')] })),
    { key: 'kmalloc', args: ['--workload', 'noncoherent-kmalloc', '--strategy', 'per-cpu-areas,cache-friendly-areas', ...sim('8')] },
    { key: 'iommu-picture', args: ['--workload', 'iommu-untrusted-nvme', '--strategy', 'per-cpu-areas', '--iova-granule', '64k', '--threads', '2', '--repeat', '1', '--duration', String(o.duration), '--warmup', '0.3', '--sim-sweep', 'off'] },
  ];
}
