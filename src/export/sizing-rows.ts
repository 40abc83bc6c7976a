/** sizing.csv's rows from the answers of `npm run size` (columns declared in sizing-columns.ts). */
import { type SizingAnswer, mib, vmPoolSlots, vmSpareSlots } from './sizing-answer.js';
import { IO_TLB_SIZE } from '../model/constants.js';
import type { SizingRow } from './sizing-columns.js';

/** One row per answer; `vmGiB` gives the coco_<i>gib columns. */
export function sizingRows(answers: readonly SizingAnswer[], vmGiB: readonly number[]): SizingRow[] {
  return answers.map((a) => {
    const row: SizingRow = {
      workload: a.workload, strategy: a.strategy, cpus: a.cpus, seeds: a.seeds === 'trace' ? 'trace' : a.seeds.join(','), kind: a.kind,
      probes: a.probes,
    };
    if (a.at) {
      row.nareas = a.at.nareas;
      row.attempts = a.at.attempts;
    }
    if (a.kind === 'static') {
      if (a.minPool && a.at) {
        row.min_pool_slots = a.minPool.slots;
        row.min_pool_mib = mib(a.minPool.slots);
        row.hiwater_slots = a.at.hiwaterSlots;
        row.min_pool_over_hiwater = a.at.hiwaterSlots > 0 ? a.minPool.slots / a.at.hiwaterSlots : 0;
        row.failures = a.at.failures;
      }
      row.searched_up_to_mib = mib(a.searchedUpToSlots);
      if (a.floorSlots !== undefined) row.floor_mib = mib(a.floorSlots);
      if (a.ratePool) row.rate_pool_mib = mib(a.ratePool.slots);
    } else if (a.dynamic) {
      row.hiwater_slots = a.dynamic.hiwaterSlots;
      row.failures = a.dynamic.failures;
      row.attempts = a.dynamic.attempts;
      row.peak_memory_mib = mib(a.dynamic.peakMemoryBytes / IO_TLB_SIZE);
      row.growths = a.dynamic.growths;
      row.transient_pools = a.dynamic.transientPools;
      row.failures_no_fit = a.dynamic.noFit;
      row.failures_no_pages = a.dynamic.noPages;
      row.failures_oversize = a.dynamic.oversize;
    }
    if (a.real) {
      row.real_failures = a.real.failures;
      row.real_attempts = a.real.attempts;
    }
    for (const g of vmGiB) {
      row[`coco_${g}gib_mib`] = mib(vmPoolSlots(g, a.cpus));
      const spare = vmSpareSlots(a, g);
      if (spare !== undefined) row[`coco_${g}gib_spare_mib`] = mib(spare);
    }
    return row;
  });
}
