/**
 * `per-numa-pools`: one swiotlb pool (one io_tlb_mem, with its own areas,
 * locks and counters) per NUMA node, the "one io_tlb_mem per node" direction
 * Christoph Hellwig and Michael Kelley agreed on in 2022 (docs/model.md,
 * "Proposals modelled as strategies"). CPUs belong to nodes in contiguous blocks (`--cpus-per-node`,
 * default threads / nodes rounded up). A map tries its own node's pool first
 * (its own area there, `cpu & (nareas - 1)`), then the other nodes in distance
 * order; unmap and sync find the owning pool by address. All nodes together
 * hold the memory one pool would (nodePoolSlots).
 *
 * The topology is virtual: Node.js cannot pin threads or memory to nodes, so
 * "remote" here changes which pool (and lock, and counters) a map uses, not
 * the memory latency the copies see.
 *
 * Extra counters: remote_maps (maps served by another node's pool) and
 * failures_with_room (failed maps while some node still had that many free
 * slots, i.e. failures caused by fragmentation or placement, not by size).
 */
import { DMA_MAPPING_ERROR, IO_TLB_SEGSIZE, IO_TLB_SIZE } from '../src/model/constants.js';
import type { HostMemory } from '../src/model/strategy.js';
import { MultiPoolAllocator, allocatePoolsSideBySide } from '../src/model/multi-pool.js';
import { bootSizing, roundUpPowerOfTwo, splitInUnits } from '../src/model/pool-sizing.js';
import { numberColumn } from '../src/base/column.js';
import { InputError } from '../src/base/errors.js';
import type { PoolPlan, Strategy, StrategyState } from '../src/model/strategy.js';

/** Default node count for this strategy. */
export const DEFAULT_NODES = 2;

/** Node of `cpu`: contiguous blocks of `cpusPerNode` (the plan checks the blocks cover every CPU). */
export function nodeOfCpu(cpu: number, plan: Pick<PoolPlan, 'nodes' | 'cpusPerNode'>): number {
  return Math.min(Math.floor(cpu / plan.cpusPerNode!), plan.nodes! - 1);
}

/** Nodes by distance from `node` (|i - node|, then lower index): a linear SLIT. */
export function nodesByDistance(node: number, nodes: number): number[] {
  return Array.from({ length: nodes }, (_, i) => i).sort((a, b) => Math.abs(a - node) - Math.abs(b - node) || a - b);
}

/** One CPU's view of all node pools: its own node's first, then by distance. */
export class NumaAllocator extends MultiPoolAllocator {
  private readonly order: number[][];

  constructor(private readonly state: StrategyState) {
    super(state);
    this.counters.extra.remote_maps = 0;
    this.counters.extra.failures_with_room = 0;
    this.order = this.pools.map((_, n) => nodesByDistance(n, this.pools.length));
  }

  tblMapSingle(cpu: number, orig: number, mappingSize: number, allocAlignMask: number, minAlignMask: number): number {
    return this.mapNearest(cpu, orig, mappingSize, allocAlignMask, minAlignMask, null);
  }

  mapAndCopy(cpu: number, orig: number, mappingSize: number, allocAlignMask: number, minAlignMask: number, host: HostMemory): number {
    return this.mapNearest(cpu, orig, mappingSize, allocAlignMask, minAlignMask, host);
  }

  /** The CPU's node's pool first, then the others by distance; with `host`, the map's copy too. */
  private mapNearest(cpu: number, orig: number, mappingSize: number, allocAlignMask: number, minAlignMask: number, host: HostMemory | null): number {
    const order = this.order[nodeOfCpu(cpu, this.state.plan)];
    for (let k = 0; k < order.length; k++) {
      const pool = this.pools[order[k]];
      const tlb =
        host === null
          ? pool.tblMapSingle(cpu, orig, mappingSize, allocAlignMask, minAlignMask)
          : pool.mapAndCopy(cpu, orig, mappingSize, allocAlignMask, minAlignMask, host);
      if (tlb !== DMA_MAPPING_ERROR) {
        if (k > 0) this.counters.extra.remote_maps++;
        return tlb;
      }
    }
    const need = this.counters.lastFailSlots;
    if (this.pools.some((p) => p.nslabs - p.usedSlots() >= need)) this.counters.extra.failures_with_room++;
    return DMA_MAPPING_ERROR;
  }
}

/**
 * Each node's pool at equal total memory with the single-pool strategies:
 * the total is the pool per-cpu-areas gets for the same options (bootSizing
 * with `--areas`, else every CPU), split over the nodes in whole units of one
 * segment per area (128 x nareas slots), the first nodes taking one unit
 * more when the units do not divide evenly. Areas per node are the node's
 * CPUs (or `--areas`) rounded up to a power of two, halved while the nodes
 * would not each get a unit (one count for all nodes; this project's rule,
 * in the spirit of limit_nareas).
 * @throws InputError when the total cannot give every node one segment.
 */
export function nodePoolSlots(total: number, nodes: number, wantedAreas: number, changes: string[]): { nodeSlots: number[]; nareas: number } {
  if (total / IO_TLB_SEGSIZE < nodes) {
    throw new InputError(`--nodes ${nodes}: the pool of ${total} slots cannot give each node one ${IO_TLB_SEGSIZE}-slot segment; raise --pool to at least ${nodes * IO_TLB_SEGSIZE} slots (${(nodes * IO_TLB_SEGSIZE * IO_TLB_SIZE) >> 10} KiB) or use fewer nodes`);
  }
  let nareas = wantedAreas;
  while (nareas > 1 && total / (IO_TLB_SEGSIZE * nareas) < nodes) nareas /= 2;
  if (nareas !== wantedAreas) changes.push(`areas per node limited from ${wantedAreas} to ${nareas} so each of ${nodes} nodes holds a ${IO_TLB_SEGSIZE}-slot segment per area`);
  return { nodeSlots: splitInUnits(total, nodes, IO_TLB_SEGSIZE * nareas), nareas };
}

export const perNumaPools: Strategy = {
  name: 'per-numa-pools',
  description: 'one pool (io_tlb_mem) per virtual NUMA node, own node first, then by distance; same total memory as one pool',
  plan(request) {
    const nodes = request.nodes ?? DEFAULT_NODES;
    if (!Number.isInteger(nodes) || nodes < 1) throw new InputError(`--nodes ${nodes}: expected an integer >= 1`);
    const cpusPerNode = request.cpusPerNode ?? Math.max(1, Math.ceil(request.threads / nodes));
    if (cpusPerNode * nodes < request.threads) {
      throw new InputError(`--cpus-per-node ${cpusPerNode} x --nodes ${nodes} places ${cpusPerNode * nodes} CPUs in contiguous blocks, fewer than --threads ${request.threads}: raise one of them, or leave --cpus-per-node out (threads / nodes, rounded up)`);
    }
    const whole = bootSizing(request.poolSlots, request.areas ?? request.threads);
    const changes = [...whole.changes];
    const wanted = roundUpPowerOfTwo(request.areas ?? cpusPerNode);
    if (request.areas !== undefined && wanted !== request.areas) changes.push(`--areas ${request.areas} rounded up to ${wanted}, a power of two (swiotlb_adjust_nareas)`);
    const { nodeSlots, nareas } = nodePoolSlots(whole.nslabs, nodes, wanted, changes);
    const blocks = Array.from({ length: nodes }, (_, n) => {
      const cpus = Array.from({ length: request.threads }, (_, c) => c).filter((c) => nodeOfCpu(c, { nodes, cpusPerNode }) === n);
      return `node ${n}: ${nodeSlots[n]} slots, cpus ${cpus.length ? cpus.join(',') : 'none'}`;
    });
    const notes = [
      `equal memory: ${whole.nslabs} slots in all, the pool one io_tlb_mem gets for these options, split in whole ${IO_TLB_SEGSIZE * nareas}-slot units (a segment per area)`,
      `topology: ${nodes} nodes x ${nareas} areas; ${blocks.join('; ')}`,
    ];
    return { nslabs: whole.nslabs, nareas, rules: request.rules, notes, changes, nodes, cpusPerNode, nodeSlots };
  },
  create: (plan, arena) => ({ plan, pools: allocatePoolsSideBySide(plan.nodeSlots!, plan, arena) }),
  attach: (state) => new NumaAllocator(state),
  columns: {
    throughput: [
      numberColumn('failures_with_room', 'count', 'failed maps while some node still had that many free slots: failures of fragmentation or placement, not of size'),
      numberColumn('remote_maps', 'count', "maps served by another node's pool"),
      numberColumn('remote_pct', '%', 'remote_maps as a share of maps'),
    ],
  },
  deriveColumns(row) {
    const maps = Number(row.maps);
    return { remote_pct: maps > 0 ? (100 * Number(row.remote_maps)) / maps : 0 };
  },
};
