/**
 * The kernel's own DMA map benchmark (tools/testing/selftests/dma/dma_map_benchmark.c,
 * kernel/dma/map_benchmark.c) as a
 * workload: a text holding a `dma_map_benchmark` command line (and usually
 * its output) is replayed as what that tool makes each kthread do: map
 * `granule` pages, hold them `-x` ns ("pretend DMA"), unmap, again. With
 * `-m 1` (scatter-gather mode) the granule is `granule` one-page mappings.
 * Flags: -t threads, -s seconds, -d dir (0 BIDIRECTIONAL, 1 TO_DEVICE,
 * 2 FROM_DEVICE), -g granule, -x dma_trans_ns, -m mode. The replay uses
 * --threads CPUs (the file's -t is reported); the latencies the original run
 * printed are reported beside ours for comparison.
 *
 * `swiotlb-debugfs`: a debugfs reading (io_tlb_nslabs, io_tlb_used) is
 * recognised so that it is refused with a clear message: it holds no I/O.
 */
import { InputError, ParseError } from '../../src/base/errors.js';
import type { TraceSource } from './trace-source.js';
import type { IoRequest } from '../types.js';
import type { TraceFormat } from './format.js';

const COMMAND = /dma_map_benchmark((?:\s+-[a-z]\s*-?\d+)*)/;
/** Map/unmap rounds generated per CPU (the replay loops over them). */
const ROUNDS = 4096;
const PAGE = 4096;

export const dmaMapBenchmarkFormat: TraceFormat = {
  name: 'dma-map-benchmark',
  description: 'a dma_map_benchmark command line (and output): replayed as its kthreads map granule pages, hold -x ns, unmap',
  sniff(source: TraceSource) {
    return source.looksLikeText() && source.headLines(40).some((l) => COMMAND.test(l)) ? null : 'no dma_map_benchmark command line';
  },
  async *read(source: TraceSource): AsyncGenerator<IoRequest> {
    let flags: Map<string, number> | undefined;
    let commandLine = 0;
    const reported: string[] = [];
    for await (const [n, line] of source.lines()) {
      const m = COMMAND.exec(line);
      if (m) {
        if (flags) {
          source.warn(`line ${n}: a second dma_map_benchmark run is ignored (the first, line ${commandLine}, is replayed)`);
          break;
        }
        flags = new Map();
        commandLine = n;
        for (const f of m[1].matchAll(/-([a-z])\s*(-?\d+)/g)) flags.set(f[1], Number(f[2]));
        continue;
      }
      // The tool prints two such lines; keep those (cut short), however many a damaged file repeats.
      if (flags && reported.length < 2 && /average (un)?map latency/.test(line)) reported.push(line.trim().slice(0, 120));
    }
    if (!flags) throw new ParseError(source.file, 1, 'command', 'no dma_map_benchmark command line');
    const granule = flags.get('g') ?? 1;
    const dir = flags.get('d') ?? 0;
    const holdNs = Math.max(1, flags.get('x') ?? 0);
    const sg = (flags.get('m') ?? 0) === 1;
    if (granule < 1 || granule > 1024) throw new ParseError(source.file, commandLine, '-g', `granule ${granule} is outside 1..1024`);
    if (dir < 0 || dir > 2) throw new ParseError(source.file, commandLine, '-d', `direction ${dir} is not 0, 1 or 2`);
    source.warn(`line ${commandLine}: the original ran ${flags.get('t') ?? 1} threads for ${flags.get('s') ?? 20} s${reported.length ? `; it reported: ${reported.join('; ')}` : ''}`);
    // Rounds go to the CPUs in turn, so each CPU maps, holds and unmaps one granule at a time;
    // in scatter-gather mode a granule is `granule` one-page mappings made together.
    for (let round = 0; round < ROUNDS; round++) {
      yield {
        arrivalNs: round * (holdNs + 1), responseNs: holdNs, offset: 0, size: granule * PAGE,
        write: dir === 1, dir: dir as 0 | 1 | 2, minAlignMask: 0, mayBlock: false, ...(sg ? { segments: granule } : {}),
      };
    }
  },
};

export const swiotlbDebugfsFormat: TraceFormat = {
  name: 'swiotlb-debugfs',
  description: 'a debugfs reading of io_tlb_nslabs / io_tlb_used: refused (no I/O to replay)',
  sniff(source: TraceSource) {
    return source.looksLikeText() && source.headLines(20).some((l) => /\bio_tlb_(nslabs|used)\b/.test(l)) ? null : 'no io_tlb_nslabs/io_tlb_used reading';
  },
  // eslint-disable-next-line require-yield
  async *read(source: TraceSource): AsyncGenerator<IoRequest> {
    const text = source.headLines(40).join('\n');
    const nslabs = /io_tlb_nslabs\s*\n\s*(\d+)/.exec(text)?.[1];
    const used = /io_tlb_used\s*\n\s*(\d+)/.exec(text)?.[1];
    throw new InputError(`${source.file}: a swiotlb debugfs reading (io_tlb_nslabs ${nslabs ?? '?'}, io_tlb_used ${used ?? '?'}), not a trace: it holds no I/O to replay${nslabs ? `; --pool ${nslabs} matches its pool size` : ''}`);
  },
};
