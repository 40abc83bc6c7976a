/**
 * Replay of a dynamic-path golden-vector file (CONFIG_SWIOTLB_DYNAMIC=y;
 * test/fixtures/conformance/v-newest-dynamic/README.md): the boot pool and
 * page reserve its config line describes, then every `map`, `unmap` and
 * `grow` in order through the model's dynamic allocator (src/model/dynamic),
 * the queued growth work run on this thread where a `grow` op says, comparing
 * every `expect` and every `check` (pools newest first, transient pools by start).
 */
import { z } from 'zod';
import { DMA_MAPPING_ERROR } from '../model/constants.js';
import { runDynAllocWork } from '../model/dynamic/alloc-pool.js';
import { DynamicAllocator } from '../model/dynamic/allocator.js';
import type { DmaArena } from '../model/dma-arena.js';
import { createDynamicState } from '../model/dynamic/create.js';
import { META_COUNT, META_NSLABS, META_ORDER, META_PENDING, META_TRANSIENT_COUNT } from '../model/dynamic/layout.js';
import { listHash } from '../model/fragmentation.js';
import type { SwiotlbPool } from '../model/pool.js';
import { describeMapping } from './replay-static.js';
import { CONFIG_FIELDS, ConformanceInputError, MAP_FIELDS, MismatchLog, type ReplayResult, type VectorLines, checkRules, nonNegative, opsOf, parseLine } from './vector-file.js';

const configLine = z.object({
  ...CONFIG_FIELDS,
  dynamic: z.literal(true),
  default_nslabs: z.number().int().positive(),
  default_nareas: z.number().int().positive(),
  max_page_order: z.literal(10),
  io_tlb_min_slabs: z.literal(512),
  reserve_base: nonNegative,
  reserve_bytes: z.number().int().positive(),
  budget_bytes: nonNegative,
});
const mapOp = z.object({ ...MAP_FIELDS, expect: z.record(z.string(), z.unknown()) });
const unmapOp = z.object({ op: z.literal('unmap'), id: nonNegative, cpu: nonNegative, expect: z.record(z.string(), z.unknown()).optional() });
const growOp = z.object({ op: z.literal('grow'), expect: z.record(z.string(), z.unknown()) });
const checkOp = z.object({ op: z.literal('check') }).catchall(z.unknown());
const opLine = z.discriminatedUnion('op', [mapOp, unmapOp, growOp, checkOp]);

interface LiveMapping {
  tlb: number;
  size: number;
  minAlignMask: number;
  /** Start of the transient pool that holds it, or -1. */
  transientPool: number;
}

/** The counters whose change over one map says what the map did. */
const MAP_COUNTERS = ['oversize_rejects', 'growth_requests', 'transient_alloc_failed', 'transient_no_fit'] as const;

/**
 * Replay a dynamic-path vector file. Mismatches are counted, not thrown.
 * @throws ConformanceInputError for malformed input or an unsupported rule set.
 */
export function replayDynamic(input: VectorLines, arena?: DmaArena): ReplayResult {
  const { file, json } = input;
  const config = parseLine(configLine, json(0), file, 1);
  const rules = checkRules(file, config.kernel_rules);
  if (config.default_nslabs !== config.nslabs || config.default_nareas !== config.nareas) {
    throw new ConformanceInputError(file, 1, `field 'default_nslabs': the boot pool (${config.nslabs} slots, ${config.nareas} areas) must be default_nslabs / default_nareas`);
  }
  const plan = { nslabs: config.nslabs, nareas: config.nareas, rules, notes: [] };
  const state = createDynamicState(plan, {
    defaultNslabs: config.default_nslabs, defaultNareas: config.default_nareas, bootStart: config.pool_base,
    reserveBase: config.reserve_base, reserveBytes: config.reserve_bytes, budgetBytes: config.budget_bytes,
  }, false, arena);
  const alloc = new DynamicAllocator(state);
  const result: ReplayResult = { file, scenario: config.scenario, rules: config.kernel_rules, dynamic: true, ops: 0, checks: 0, grows: 0, mismatches: 0 };
  const live = new Map<number, LiveMapping>();
  const log = new MismatchLog(result);

  for (const { op, line } of opsOf(input, opLine)) {
    if (op.op === 'map') {
      result.ops++;
      const before = MAP_COUNTERS.map((k) => alloc.counters.extra[k]);
      const tlb = alloc.tblMapSingle(op.cpu, op.orig, op.size, op.alloc_align_mask, op.min_align_mask);
      const moved = Object.fromEntries(MAP_COUNTERS.map((k, i) => [k, alloc.counters.extra[k] - before[i]]));
      let actual: Record<string, unknown>;
      if (tlb === DMA_MAPPING_ERROR) {
        actual = moved.oversize_rejects ? { rejected: true } : { full: true, grow_scheduled: moved.growth_requests > 0, transient: moved.transient_no_fit ? 'no_fit' : 'alloc_failed' };
      } else {
        const pool = alloc.lastMapPool!;
        const transient = alloc.v.isTransient(alloc.v.entryOf(pool.shared));
        actual = { ...describeDynamicMapping(pool, tlb), transient, ...(transient ? { grow_scheduled: moved.growth_requests > 0 } : {}) };
        live.set(op.id, { tlb, size: op.size, minAlignMask: op.min_align_mask, transientPool: transient ? pool.start : -1 });
      }
      log.compare(line, 'map', op.expect, actual, op.id);
    } else if (op.op === 'unmap') {
      result.ops++;
      const mapping = log.takeLive(live, op.id, line);
      if (!mapping) continue;
      alloc.releaseSlots(mapping.tlb, mapping.minAlignMask, mapping.size);
      const actual = mapping.transientPool >= 0 ? { transient_freed: true, pool: mapping.transientPool } : {};
      log.compare(line, 'unmap', op.expect ?? {}, actual, op.id);
      if (!op.expect && mapping.transientPool >= 0) log.add({ line, op: 'unmap', id: op.id, field: 'transient_freed', expected: undefined, actual });
    } else if (op.op === 'grow') {
      result.grows++;
      const grown = runDynAllocWork(alloc.v);
      log.compare(line, 'grow', op.expect, grown.pool ? { ...grown.pool, tried: grown.tried } : { failed: true, tried: grown.tried });
    } else {
      result.checks++;
      const { op: _op, ...expected } = op;
      log.compare(line, 'check', expected, checkState(alloc, result.ops), undefined, true);
    }
  }
  return result;
}

/** What a successful map produced (describeMapping), with the pool that served it and the area. */
function describeDynamicMapping(pool: SwiotlbPool, tlb: number) {
  const mapping = describeMapping(pool, tlb);
  return { ...mapping, pool: pool.start, area: Math.floor(mapping.index / pool.areaNslabs) };
}

/** Every field a `check` line may hold, read from the allocator's shared state. */
function checkState(alloc: DynamicAllocator, ops: number): Record<string, unknown> {
  const v = alloc.v;
  const meta = v.meta;
  const count = meta[META_COUNT];
  const pools = [];
  let poolsUsed = 0;
  for (let k = count - 1; k >= 0; k--) {
    const pool = alloc.view(meta[META_ORDER + k]);
    const used = Array.from({ length: pool.nareas }, (_, a) => pool.areaUsed(a));
    poolsUsed += used.reduce((s, x) => s + x, 0);
    pools.push({
      start: pool.start, nslabs: pool.nslabs, nareas: pool.nareas, used, index: Array.from({ length: pool.nareas }, (_, a) => pool.areaIndex(a)), list_hash: listHash(pool.list),
    });
  }
  const transient = v.livePools().filter((p) => v.isTransient(v.entryOf(p))).map((p) => ({ start: p.start, nslabs: p.nslabs })).sort((a, b) => a.start - b.start);
  return {
    ops,
    io_tlb_used: v.mem.used,
    pools_used: poolsUsed,
    used_hiwater: v.mem.hiwater,
    transient_nslabs: v.mem.transientNslabs,
    mem_nslabs: meta[META_NSLABS],
    npools: count,
    ntransient: meta[META_TRANSIENT_COUNT],
    grow_pending: meta[META_PENDING] !== 0,
    reserve_used: v.reserve.heldBytes,
    pools,
    transient,
  };
}
