/**
 * Replay of a static-path golden-vector file (test/fixtures/conformance/v-newest,
 * v6.6; format in shared/conformance/README.md): every `map` and `unmap` in
 * order against a fresh pool, comparing every `expect` and `check` slot for slot.
 */
import { z } from 'zod';
import { IO_TLB_SIZE, KERNEL_RULES, nrSlots } from '../model/constants.js';
import { freeRunStats, listHash } from '../model/fragmentation.js';
import { SwiotlbPool } from '../model/pool.js';
import type { DmaArena } from '../model/dma-arena.js';
import { allocatePool } from '../model/pool-layout.js';
import { CONFIG_FIELDS, MAP_FIELDS, MismatchLog, type ReplayResult, type VectorLines, checkRules, nonNegative, opsOf, parseLine } from './vector-file.js';

const configLine = z.object(CONFIG_FIELDS);
const mapOp = z.object({
  ...MAP_FIELDS,
  expect: z.union([
    z.object({ full: z.literal(true) }),
    z.object({ tlb: nonNegative, index: nonNegative, nslots: nonNegative, pad_slots: nonNegative }),
  ]),
});
const unmapOp = z.object({ op: z.literal('unmap'), id: nonNegative, cpu: nonNegative });
const checkOp = z.object({
  op: z.literal('check'),
  used: nonNegative,
  area_used: z.array(nonNegative),
  area_index: z.array(nonNegative),
  list_hash: nonNegative,
  free_runs: nonNegative,
  largest_free_run: nonNegative,
  max_list: nonNegative,
  list: z.array(nonNegative).optional(),
});
const opLine = z.discriminatedUnion('op', [mapOp, unmapOp, checkOp]);

/** Rule sets this build replays. */
export const SUPPORTED_RULES: readonly string[] = KERNEL_RULES;

interface LiveMapping {
  tlb: number;
  size: number;
  minAlignMask: number;
}

/**
 * Replay a static-path vector file (CONFIG_SWIOTLB_DYNAMIC=n): one pool, in
 * `arena` when given.
 * Mismatches are counted, not thrown.
 * @throws ConformanceInputError for malformed input or an unsupported rule set.
 */
export function replayStatic(input: VectorLines, arena?: DmaArena): ReplayResult {
  const { file, json } = input;
  const config = parseLine(configLine, json(0), file, 1);
  const rules = checkRules(file, config.kernel_rules);
  const pool = new SwiotlbPool(allocatePool(config.nslabs, config.nareas, config.pool_base, { withData: false, rules, arena }));
  const result: ReplayResult = { file, scenario: config.scenario, rules: config.kernel_rules, dynamic: false, ops: 0, checks: 0, grows: 0, mismatches: 0 };
  const live = new Map<number, LiveMapping>();
  const log = new MismatchLog(result);

  for (const { op, line } of opsOf(input, opLine)) {
    if (op.op === 'map') {
      result.ops++;
      const tlb = pool.tblMapSingle(op.cpu, op.orig, op.size, op.alloc_align_mask, op.min_align_mask);
      const actual = tlb < 0 ? { full: true } : describeMapping(pool, tlb);
      if (tlb >= 0) live.set(op.id, { tlb, size: op.size, minAlignMask: op.min_align_mask });
      log.compare(line, 'map', op.expect, actual, op.id);
    } else if (op.op === 'unmap') {
      result.ops++;
      const mapping = log.takeLive(live, op.id, line);
      if (mapping) pool.releaseSlots(mapping.tlb, mapping.minAlignMask, mapping.size);
    } else {
      result.checks++;
      const { op: _op, ...expected } = op;
      log.compare(line, 'check', expected, checkState(pool, op.list !== undefined), undefined, true);
    }
  }
  return result;
}

/** What a successful map produced, read back from the slot metadata as unmap would (`index` relative to `pool`). */
export function describeMapping(pool: SwiotlbPool, tlb: number) {
  const dataSlot = (tlb - pool.start) / IO_TLB_SIZE | 0;
  const pad = pool.padSlots[dataSlot];
  const index = dataSlot - pad;
  return { tlb, index, nslots: nrSlots(pool.allocSize[index] + (tlb & (IO_TLB_SIZE - 1))), pad_slots: pad };
}

function checkState(pool: SwiotlbPool, withList: boolean) {
  const areaUsed: number[] = [];
  const areaIndex: number[] = [];
  for (let a = 0; a < pool.nareas; a++) {
    areaUsed.push(pool.areaUsed(a));
    areaIndex.push(pool.areaIndex(a));
  }
  const runs = freeRunStats(pool.list);
  return {
    used: areaUsed.reduce((s, v) => s + v, 0),
    area_used: areaUsed,
    area_index: areaIndex,
    list_hash: listHash(pool.list),
    free_runs: runs.freeRuns,
    largest_free_run: runs.largestFreeRun,
    max_list: runs.maxList,
    list: withList ? Array.from(pool.list) : undefined,
  };
}
