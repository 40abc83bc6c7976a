/**
 * The sections of docs/proposals.md, one per design: each states its source
 * and what its author reported, then tables and a figure made from the jobs'
 * results (proposals-jobs.ts). Every table and figure comes from those runs;
 * the sources and what their authors reported are quoted text.
 */
import { type SweepPoint, failurePct, meanOf, ratioText, rowsOf, smallestWithoutFailures } from '../analysis/proposal-figures.js';
import { IO_TLB_SIZE } from '../model/constants.js';
import type { ThroughputRow } from '../export/columns.js';
import { formatRate } from '../export/format.js';
import { mib } from '../export/sizing-answer.js';
import type { Figure } from '../report/figure.js';
import { type Series, barPanel, linePanel, proposalFigure } from '../report/proposal-figures.js';
import { DEVICE_SWEEP_CPUS, GRANULES, PREDICTED_CPUS } from './proposals-jobs.js';
import type { JobResult } from './proposals-run.js';

/** A section: its markdown lines and its figures (file names relative to the images folder). */
export interface Section {
  lines: string[];
  figures: Figure[];
}

/** One strategy as its jobs ran it, under the name the page gives it: measured (with the debugfs-on sweep), and predicted with debugfs off. */
interface Contender {
  name: string;
  strategy: string;
  job: JobResult;
  off: JobResult;
}

/** The pool the job's per-cpu-areas rows ran with, e.g. `64 MiB`. */
function poolText(job: JobResult): string {
  const row = job.rows.find((r) => r.strategy === 'per-cpu-areas');
  return row ? `${mib(row.pool_slots)} MiB` : 'n/a';
}

const pct = (x: number) => `${x < 0.1 && x > 0 ? x.toFixed(3) : x.toFixed(1)}%`;

/** Predicted maps/s of `strategy` at `cpus` in `rows`, with its failures when any; 'n/a' without a row. */
function predictedCell(rows: readonly ThroughputRow[], strategy: string, cpus: number): string {
  const mine = rowsOf(rows, strategy, cpus);
  if (mine.length === 0) return 'n/a';
  const failed = failurePct(mine);
  return `${formatRate(meanOf(mine, 'maps_per_s'))}${failed > 0 ? ` (${pct(failed)} failed)` : ''}`;
}

/** The predicted table: maps/s per CPU count without the debugfs counters (`off`), after those with them when `on` gives their rows. */
function predictedTable<C extends Pick<Contender, 'name' | 'strategy' | 'off'>>(contenders: readonly C[], on?: (c: C) => readonly ThroughputRow[]): string[] {
  const head = on ? 'debugfs on / off' : 'debugfs off';
  const lines = [`| strategy | ${PREDICTED_CPUS.map((c) => `${c} CPUs, ${head}`).join(' | ')} |`, `|---|${PREDICTED_CPUS.map(() => '---:').join('|')}|`];
  for (const c of contenders) {
    lines.push(`| ${c.name} | ${PREDICTED_CPUS.map((cpus) => (on ? `${predictedCell(on(c), c.strategy, cpus)} / ` : '') + predictedCell(c.off.rows, c.strategy, cpus)).join(' | ')} |`);
  }
  return lines;
}

/** Bars of predicted maps/s per CPU count, one series per contender. */
function predictedPanel<C extends Pick<Contender, 'name' | 'strategy'>>(title: string, contenders: readonly C[], rowsFor: (c: C) => readonly ThroughputRow[]) {
  const series: Series[] = contenders.map((c) => ({ label: c.name, values: PREDICTED_CPUS.map((t) => meanOf(rowsOf(rowsFor(c), c.strategy, t), 'maps_per_s') || null) }));
  return barPanel(title, PREDICTED_CPUS.map(String), series, 'CPUs', 'maps/s (log)', true);
}

/** Real maps/s at 1-2 threads, ratio to per-cpu-areas, p99, failures; then predicted maps/s at 8-256 CPUs with and without the debugfs counters. */
function realAndPredicted(contenders: readonly Contender[], image: (f: string) => string, file: string, title: string): Section {
  const lines = ['| threads | strategy | maps/s | vs per-cpu-areas (paired) | map p99 ns | failed | hiwater (slots) |', '|---:|---|---:|---|---:|---:|---:|'];
  for (const threads of [1, 2]) {
    for (const c of contenders) {
      const rows = rowsOf(c.job.rows, c.strategy, threads);
      if (rows.length === 0) continue;
      const ratio = c.strategy === 'per-cpu-areas' ? '1 (reference)' : ratioText(c.job.reference, c.strategy, threads);
      lines.push(`| ${threads} | ${c.name} | ${formatRate(meanOf(rows, 'maps_per_s'))} | ${ratio} | ${meanOf(rows, 'map_p99_ns').toFixed(0)} | ${pct(failurePct(rows))} | ${Math.max(...rows.map((r) => r.hiwater_slots))} |`);
    }
  }
  lines.push('', 'Predicted by the virtual-time engine, maps/s with the debugfs counters (`CONFIG_DEBUG_FS=y`, the bench default) and without (`--debugfs off`):', '', ...predictedTable(contenders, (c) => c.job.predicted));
  const real: Series[] = contenders.map((c) => ({ label: c.name, values: [1, 2].map((t) => meanOf(rowsOf(c.job.rows, c.strategy, t), 'maps_per_s') || null) }));
  const figure = proposalFigure(file, title, [
    barPanel('measured on this machine (mean of repeats)', ['1', '2'], real, 'threads', 'maps/s'),
    predictedPanel('predicted, debugfs counters on', contenders, (c) => c.job.predicted),
    predictedPanel('predicted, debugfs counters off', contenders, (c) => c.off.rows),
  ]);
  lines.push('', `![${title}](${image(file)})`);
  return { lines, figures: [figure] };
}

/** Chao Gao's bitmap (v1 1/3) and cache-friendly order (RFC v2) against next-fit on the 64 MiB pool. */
export function gaoSection(gao: JobResult, off: JobResult, image: (f: string) => string): Section {
  const s = realAndPredicted(['per-cpu-areas', 'bitmap-areas', 'cache-friendly-areas'].map((strategy) => ({ name: strategy, strategy, job: gao, off })), image, 'gao.png', `Chao Gao's bitmap and cache-friendly order against next-fit: msr-hm0, ${poolText(gao)} pool`);
  return {
    figures: s.figures,
    lines: [
      "## Chao Gao's bitmap tracking and cache-friendly order (2022)",
      '',
      '- **Sources:** "[PATCH v1 1/3] swiotlb: Use bitmap to track free slots" (2022-06-28, `20220628070136.419163-2-chao.gao@intel.com`) and "[RFC v2 0/2] swiotlb performance optimizations" (2022-07-18, `20220718012818.107051-1-chao.gao@intel.com`); neither was merged.',
      '- **What the author reported:** freeing slots about 120 cycles cheaper and allocating about 20 cycles dearer with the bitmap; with the cache-friendly order, fio and iperf gained 7-8% with one job and lost up to 45% with eight.',
      '- **The argument:** next-fit walks the whole 64 MiB pool, so every bounce copy lands on cold cache lines; reusing the slots freed last keeps them warm. `bench:micro` sets the per-pair cost of the bitmap against the kernel\'s counts (docs/self-benchmarks.md).',
      `- **Run:** \`msr-hm0\` on the default ${poolText(gao)} pool, the same memory for all three. The virtual-time engine has no cache state for the copies, so its predictions cannot show the cache-friendly order's gain; only the measured rows can.`,
      '',
      ...s.lines,
    ],
  };
}

/** Tianyu Lan's child pools, per device (round-robin) and per queue, against per-CPU areas on a NIC with a queue per CPU. */
export function lanSection(nic: Record<'device' | 'queue' | 'deviceOff' | 'queueOff' | 'nvmeDeviceOff' | 'nvmeQueueOff', JobResult>, image: (f: string) => string): Section {
  const s = realAndPredicted([
    { name: 'per-cpu-areas', strategy: 'per-cpu-areas', job: nic.device, off: nic.deviceOff },
    { name: 'child-pools (per device)', strategy: 'child-pools', job: nic.device, off: nic.deviceOff },
    { name: 'child-pools (per queue)', strategy: 'child-pools', job: nic.queue, off: nic.queueOff },
  ], image, 'child-pools.png', "Tianyu Lan's child pools per device and per queue against per-CPU areas: net-rx-mtu1500, a queue per CPU");
  const nvmeContenders = [
    { name: 'per-cpu-areas', strategy: 'per-cpu-areas', off: nic.nvmeDeviceOff },
    { name: 'child-pools (per device)', strategy: 'child-pools', off: nic.nvmeDeviceOff },
    { name: 'child-pools (per queue)', strategy: 'child-pools', off: nic.nvmeQueueOff },
  ];
  const nvmeFigure = proposalFigure('child-pools-nvme.png', "child pools on an NVMe device with a queue per CPU (nvme-4k-randread-qd32), predicted, debugfs counters off", [
    predictedPanel('predicted, debugfs counters off', nvmeContenders, (c) => c.off.rows),
  ]);
  s.figures.push(nvmeFigure);
  return {
    figures: s.figures,
    lines: [
      "## Tianyu Lan's child pools, per device or per queue (2022, rejected)",
      '',
      '- **Source:** "[RFC PATCH V3 0/2] swiotlb: Add child io tlb mem support" (2022-05-26, `20220526120113.971512-1-ltykernel@gmail.com`). Christoph Hellwig and Michael Kelley answered that scaling must be transparent to drivers and not "based on device boundaries", since one device maps from many CPUs in parallel (`20220531071639.GA23482@lst.de`).',
      '- **The argument:** the RFC picks a child round-robin per map (an unlocked `child_start` every CPU writes), so CPUs meet on every child\'s lock; a child per queue is what per-CPU areas already give without a driver API.',
      `- **Run:** \`net-rx-mtu1500\`, one RX queue per CPU; children carved from the same ${poolText(nic.device)}. The per-queue ratios in the table pair per-cpu-areas runs of their own job.`,
      '',
      ...s.lines,
      '',
      'An NVMe device with one queue per CPU (`nvme-4k-randread-qd32`), predicted without the debugfs counters:',
      '',
      ...predictedTable(nvmeContenders),
      '',
      `![child pools on NVMe](${image('child-pools-nvme.png')})`,
    ],
  };
}

/** Per-device restricted pools against one shared pool on a CoCo guest's virtio-blk and virtio-net: speed, and the memory each needs for no failure. */
export function deviceSection(real: JobResult, off: JobResult, sweep: { mib: number; job: JobResult }[], image: (f: string) => string): Section {
  const s = realAndPredicted(['per-cpu-areas', 'per-device-pools'].map((strategy) => ({ name: strategy, strategy, job: real, off })), image, 'per-device.png', `per-device restricted pools against one shared pool: virtio-blk-net, ${poolText(real)} in all`);
  // At many CPUs the kernel raises a small pool to a segment per area: each point is labelled with the pool as run, and repeats of one size dropped.
  const pointsAt = (cpus: number): SweepPoint[] => {
    const byMiB = new Map<number, SweepPoint>();
    for (const p of sweep) {
      const run = rowsOf(p.job.rows, 'per-cpu-areas', cpus);
      if (run.length === 0) continue;
      const size = mib(run[0].pool_slots);
      if (!byMiB.has(size)) byMiB.set(size, { mib: size, rows: p.job.rows });
    }
    return [...byMiB.values()].sort((a, b) => a.mib - b.mib);
  };
  const lines = ['', 'Failed maps against the total bounce memory as run (virtual-time engine; per-device-pools splits it equally between the two devices):', '', '| CPUs | pool | per-cpu-areas failed | per-device-pools failed |', '|---:|---:|---:|---:|'];
  for (const cpus of DEVICE_SWEEP_CPUS) {
    for (const p of pointsAt(cpus)) lines.push(`| ${cpus} | ${p.mib} MiB | ${pct(failurePct(rowsOf(p.rows, 'per-cpu-areas', cpus)))} | ${pct(failurePct(rowsOf(p.rows, 'per-device-pools', cpus)))} |`);
  }
  lines.push('');
  const inMiB = (slots: number) => (slots * IO_TLB_SIZE) / 2 ** 20;
  for (const cpus of DEVICE_SWEEP_CPUS) {
    const points = pointsAt(cpus);
    if (points.length === 0) continue;
    const shared = smallestWithoutFailures(points, 'per-cpu-areas', cpus);
    const split = smallestWithoutFailures(points, 'per-device-pools', cpus);
    const largest = points[points.length - 1];
    const run = rowsOf(largest.rows, 'per-device-pools', cpus)[0];
    const peaks = run ? [Number(run.node0_hiwater_slots), Number(run.node1_hiwater_slots)] : [];
    const peakText = peaks.length === 2 && peaks.every(Number.isFinite)
      ? ` At ${largest.mib} MiB the disk's pool peaked at ${inMiB(peaks[0]).toFixed(1)} MiB and the NIC's at ${inMiB(peaks[1]).toFixed(1)} MiB: pools each sized for its own peak would need ${inMiB(peaks[0] + peaks[1]).toFixed(1)} MiB (\`--device-pool\` gives every device the same size, so that layout is not run here).`
      : '';
    const say = (x: number | undefined) => (x === undefined ? `more than ${largest.mib} MiB` : `${x} MiB`);
    lines.push(`- **${cpus} CPUs:** no failure from ${say(shared)} with one shared pool, and from ${say(split)} in all with a pool per device (split equally).${peakText}`);
  }
  const figure = proposalFigure('per-device-memory.png', 'failed maps against total bounce memory: virtio-blk-net, one shared pool against a restricted pool per device', DEVICE_SWEEP_CPUS.map((cpus) => {
    const points = pointsAt(cpus);
    return linePanel(`${cpus} CPUs`, points.map((p) => `${p.mib}`), ['per-cpu-areas', 'per-device-pools'].map((st) => ({ label: st, values: points.map((p) => failurePct(rowsOf(p.rows, st, cpus))) })), 'pool as run, MiB in all', 'failed maps, %');
  }));
  lines.push('', `![failed maps against memory](${image('per-device-memory.png')})`, '', "The pools of a measured run (2 threads) at their fullest, each device's restricted pool a block of its own (`device 0`, `device 1`):", '', `![per-device pool map](${image('per-device-pool-map.png')})`);
  return {
    figures: [...s.figures, figure],
    lines: [
      '## A restricted pool per device (restricted-dma-pool; VIRTIO_F_SWIOTLB, 2025)',
      '',
      '- **Sources:** the device-tree `restricted-dma-pool` (Claire Chang, 2021, `20210624155526.2775863-1-tientzu@chromium.org`; `rmem_swiotlb_device_init()`: one area, no growth) and David Woodhouse\'s "[RFC PATCH 0/3] Add VIRTIO_F_SWIOTLB" (2025-04-02, `20250402112410.2086892-1-dwmw2@infradead.org`, not merged), which lets a virtio device offer such a pool.',
      '- **The argument:** a pool of its own isolates a device (one device cannot take another\'s memory), but each pool has one lock for all CPUs and must be sized for its own peak, where a shared pool is sized for the peak of the sum.',
      '- **Run:** `virtio-blk-net`, a confidential VM\'s virtio-blk disk (device 0) and virtio-net NIC (device 1), every buffer bounced.',
      '',
      ...s.lines,
      ...lines,
    ],
  };
}

/** iommu-dma bounces of untrusted devices per IOVA granule, and non-coherent kmalloc bounces: the pool they take. */
export function bounceSection(byGranule: { granule: string; job: JobResult }[], kmalloc: JobResult, image: (f: string) => string): Section {
  const workloads = ['iommu-untrusted-nvme', 'iommu-untrusted-nic'];
  const lines = ['| workload | granule | hiwater (slots) | failed | maps/s predicted |', '|---|---|---:|---:|---:|'];
  for (const w of workloads) {
    for (const { granule, job } of byGranule) {
      const rows = rowsOf(job.rows, 'per-cpu-areas', 8, w);
      lines.push(`| ${w} | ${granule} | ${meanOf(rows, 'hiwater_slots').toFixed(0)} | ${pct(failurePct(rows))} | ${formatRate(meanOf(rows, 'maps_per_s'))} |`);
    }
  }
  for (const st of ['per-cpu-areas', 'cache-friendly-areas']) {
    const rows = rowsOf(kmalloc.rows, st, 8);
    lines.push(`| noncoherent-kmalloc (${st}) | n/a | ${meanOf(rows, 'hiwater_slots').toFixed(0)} | ${pct(failurePct(rows))} | ${formatRate(meanOf(rows, 'maps_per_s'))} |`);
  }
  const pool = poolText(byGranule[0].job);
  const nic64 = byGranule.find((g) => g.granule === '64k');
  const overflow = nic64 ? failurePct(rowsOf(nic64.job.rows, 'per-cpu-areas', 8, 'iommu-untrusted-nic')) : 0;
  const figure = proposalFigure('iommu-granules.png', `iommu-dma bounces of untrusted devices: the pool they hold per IOVA granule (per-cpu-areas, 8 CPUs, ${pool})`, [
    barPanel('io_tlb_used_hiwater', GRANULES, workloads.map((w) => ({ label: w, values: byGranule.map(({ job }) => meanOf(rowsOf(job.rows, 'per-cpu-areas', 8, w), 'hiwater_slots')) })), 'IOVA granule', 'slots'),
    barPanel('failed maps', GRANULES, workloads.map((w) => ({ label: w, values: byGranule.map(({ job }) => failurePct(rowsOf(job.rows, 'per-cpu-areas', 8, w))) })), 'IOVA granule', '% of map attempts'),
  ]);
  return {
    figures: [figure],
    lines: [
      '## Partial bouncing: iommu-dma for untrusted devices, and small kmalloc buffers',
      '',
      '- **Sources:** iommu-dma bounces what does not fill whole IOVA granules, with `alloc_align_mask` = granule - 1 (`iommu_dma_map_swiotlb()`; Robin Murphy\'s and Michael Kelley\'s v6.10 fixes); arm64 bounces `DMA_FROM_DEVICE` kmalloc buffers smaller than a cache line (`dma_kmalloc_needs_bounce()`, Catalin Marinas, v6.5). Both are described in docs/workloads.md.',
      `- **The argument:** a larger granule makes each bounce hold whole granules: an MTU 1500 RX buffer takes 2 slots at 4k and 32 at 64k (swiotlb's rounding of \`alloc_align_mask\`).${overflow > 0 ? ` Here the untrusted NIC failed ${pct(overflow)} of its maps at 64k in a pool it fits at 4k.` : ''}`,
      `- **Run:** per-cpu-areas on the ${pool} pool, 8 CPUs on the virtual-time engine.`,
      '',
      ...lines,
      '',
      `![iommu granules](${image('iommu-granules.png')})`,
      '',
      'An `iommu-untrusted-nvme` run at 64k (2 threads, measured) at its fullest: padding slots (`pad_slots`) in orange, before each head that starts 2 KiB or more into its page:',
      '',
      `![iommu pool map](${image('iommu-pool-map.png')})`,
    ],
  };
}
