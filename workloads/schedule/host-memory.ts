/**
 * Step 3 of the schedule: where each original buffer lives in the shared
 * "host memory" (above 4 GiB, so a 32-bit device must bounce). Each mapping
 * CPU has its own arena, cut into page-granular regions that are reused only
 * after the last user was unmapped in the global order; with cross-CPU
 * completion a worker waits for that unmap before reusing a region, so no two
 * live mappings ever share original bytes (which verify mode depends on).
 * The same walk hands each CPU its own events, in the global order.
 */
import { PAGE_SIZE } from '../../src/model/constants.js';
import { isUnmap, mappingOf } from './events.js';
import type { Mappings } from './mappings.js';

/** Physical address where host memory (the original buffers) starts: 4 GiB. */
export const HOST_BASE = 0x1_0000_0000;

interface Region {
  cpu: number;
  /** Byte offset in its CPU's arena. */
  offset: number;
  pages: number;
  uses: number;
}

/** Where the original buffers are, and who replays which event. */
export interface HostLayout {
  /** Physical address of each mapping's original buffer. */
  orig: Float64Array;
  /** Region of each mapping, and how many earlier users that region had in a pass. */
  regionOf: Int32Array;
  regionSeq: Int32Array;
  /** Users per pass of each region. */
  regionUses: number[];
  /** Per CPU, its events (maps it makes, unmaps it completes) in the global order. */
  perCpu: number[][];
  /** Bytes of host memory all arenas need. */
  hostBytes: number;
}

/** Lay out the original buffers of `m` by walking `events` (the global order) once. */
export function layoutHostMemory(m: Mappings, events: Int32Array, threads: number): HostLayout {
  const mappings = m.sizes.length;
  const regions: Region[] = [];
  const freeRegions: Map<number, number[]>[] = Array.from({ length: threads }, () => new Map());
  const arenaTop = new Array<number>(threads).fill(0);
  const regionOf = new Int32Array(mappings);
  const regionSeq = new Int32Array(mappings);
  const perCpu: number[][] = Array.from({ length: threads }, () => []);
  for (const e of events) {
    const k = mappingOf(e);
    if (!isUnmap(e)) {
      const pages = Math.ceil((m.pageOffsets[k] + m.sizes[k]) / PAGE_SIZE);
      const cpu = m.cpus[k];
      let r = freeRegions[cpu].get(pages)?.pop();
      if (r === undefined) {
        r = regions.length;
        regions.push({ cpu, offset: arenaTop[cpu], pages, uses: 0 });
        arenaTop[cpu] += pages * PAGE_SIZE;
      }
      regionOf[k] = r;
      regionSeq[k] = regions[r].uses++;
      perCpu[cpu].push(e);
    } else {
      const region = regions[regionOf[k]];
      const list = freeRegions[region.cpu].get(region.pages);
      if (list) list.push(regionOf[k]);
      else freeRegions[region.cpu].set(region.pages, [regionOf[k]]);
      perCpu[m.completeCpus[k]].push(e);
    }
  }
  const arenaBase: number[] = [];
  let hostBytes = 0;
  for (let c = 0; c < threads; c++) {
    arenaBase.push(hostBytes);
    hostBytes += arenaTop[c];
  }
  const orig = new Float64Array(new SharedArrayBuffer(mappings * 8));
  for (let k = 0; k < mappings; k++) {
    const region = regions[regionOf[k]];
    orig[k] = HOST_BASE + arenaBase[region.cpu] + region.offset + m.pageOffsets[k];
  }
  return { orig, regionOf, regionSeq, regionUses: regions.map((r) => r.uses), perCpu, hostBytes };
}
