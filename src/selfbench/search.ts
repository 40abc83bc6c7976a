/**
 * `npm run bench:search`: the allocator alone, on the kernel's own streams.
 * Each golden-vector file (test/fixtures/conformance/: static newest and
 * v6.6, and the dynamic set) is first replayed with every check, which must
 * match; then its map and unmap operations, parsed into typed arrays, are
 * replayed on fresh pools with no check inside the timed loop, with the lock
 * and the debugfs counters as the bench runs them (qspinlock, debugfs on).
 * Dynamic files run their growth work where the file says, inside the timed
 * loop. Reports ns per map or unmap, the median of the repetitions, with one
 * call from JavaScript per operation (as a run makes them) and, for the
 * static files, with the loop in WebAssembly too (the allocator alone, the
 * figure to set beside the kernel's C on the same stream). Each file runs in
 * a worker thread of its own, as a run's CPUs do.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { median } from 'simple-statistics';
import { builtFile, projectRoot } from '../base/paths.js';
import { replayFile } from '../conformance/replay.js';
import type { KernelRules } from '../model/constants.js';
import { DmaArena } from '../model/dma-arena.js';
import { runDynAllocWork } from '../model/dynamic/alloc-pool.js';
import { DynamicAllocator } from '../model/dynamic/allocator.js';
import { createDynamicState } from '../model/dynamic/create.js';
import { SwiotlbPool } from '../model/pool.js';
import { allocatePool } from '../model/pool-layout.js';
import { poolOpsFor } from '../model/wasm/pool-ops.js';
import type { BounceAllocator } from '../model/strategy.js';
import { inFreshThread } from './fresh-thread.js';

/** One file's figures. */
export interface SearchResult {
  file: string;
  rules: string;
  dynamic: boolean;
  nslabs: number;
  nareas: number;
  /** map + unmap operations per replay. */
  ops: number;
  /** ns per operation, one call from JavaScript per map or unmap as a run's CPUs make them: median over repetitions. */
  nsPerOp: number;
  /** ns per operation with the loop itself in WebAssembly, the allocator alone, as a C loop calls the kernel's (static files; null for dynamic ones, whose pool walk is JavaScript). */
  nsPerOpWasmLoop: number | null;
  repetitions: number;
}

const OP_MAP = 0;
const OP_UNMAP = 1;
const OP_GROW = 2;

/** A file's operations in typed arrays, for a replay without parsing or objects. */
interface Stream {
  config: Record<string, number | string | boolean>;
  kind: Uint8Array;
  id: Int32Array;
  cpu: Int32Array;
  orig: Float64Array;
  size: Int32Array;
  minAlign: Int32Array;
  allocAlign: Int32Array;
  ids: number;
  ops: number;
}

function readStream(file: string): Stream {
  const lines = readFileSync(file, 'utf8').split('\n').filter((l) => l.trim() !== '');
  const config = JSON.parse(lines[0]);
  const ops = lines.slice(1).map((l) => JSON.parse(l)).filter((o) => o.op !== 'check');
  const n = ops.length;
  const s: Stream = {
    config, kind: new Uint8Array(n), id: new Int32Array(n), cpu: new Int32Array(n), orig: new Float64Array(n), size: new Int32Array(n),
    minAlign: new Int32Array(n), allocAlign: new Int32Array(n), ids: 0, ops: 0,
  };
  ops.forEach((o, i) => {
    s.kind[i] = o.op === 'map' ? OP_MAP : o.op === 'unmap' ? OP_UNMAP : OP_GROW;
    if (s.kind[i] !== OP_GROW) s.ops++;
    s.id[i] = o.id ?? 0;
    s.cpu[i] = o.cpu ?? 0;
    s.orig[i] = o.orig ?? 0;
    s.size[i] = o.size ?? 0;
    s.minAlign[i] = o.min_align_mask ?? 0;
    s.allocAlign[i] = o.alloc_align_mask ?? 0;
    s.ids = Math.max(s.ids, s.id[i] + 1);
  });
  return s;
}

/** A fresh allocator for `s` in `arena`, as the bench runs it (qspinlock, debugfs on). */
function freshAllocator(s: Stream, arena: DmaArena): { alloc: BounceAllocator; grow: () => void } {
  const c = s.config as Record<string, number> & { kernel_rules: KernelRules; dynamic?: boolean };
  if (!c.dynamic) {
    const pool = new SwiotlbPool(allocatePool(c.nslabs, c.nareas, c.pool_base, { withData: false, rules: c.kernel_rules, lock: 'qspinlock', arena }));
    return { alloc: pool, grow: () => undefined };
  }
  const plan = { nslabs: c.nslabs, nareas: c.nareas, rules: c.kernel_rules, notes: [], lock: 'qspinlock' as const };
  const state = createDynamicState(plan, {
    defaultNslabs: c.default_nslabs, defaultNareas: c.default_nareas, bootStart: c.pool_base,
    reserveBase: c.reserve_base, reserveBytes: c.reserve_bytes, budgetBytes: c.budget_bytes,
  }, false, arena);
  const alloc = new DynamicAllocator(state);
  return { alloc, grow: () => void runDynAllocWork(alloc.v) };
}

/** One untimed-setup, timed-body replay of `s`; returns ns per operation. */
function timedReplay(s: Stream, arena: DmaArena): number {
  const { alloc, grow } = freshAllocator(s, arena);
  const tlb = new Float64Array(s.ids).fill(-1);
  const mappedSize = new Int32Array(s.ids);
  const mappedMask = new Int32Array(s.ids);
  const { kind, id, cpu, orig, size, minAlign, allocAlign } = s;
  const n = kind.length;
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const k = id[i];
    if (kind[i] === OP_MAP) {
      tlb[k] = alloc.tblMapSingle(cpu[i], orig[i], size[i], allocAlign[i], minAlign[i]);
      mappedSize[k] = size[i];
      mappedMask[k] = minAlign[i];
    } else if (kind[i] === OP_UNMAP) {
      if (tlb[k] >= 0) alloc.releaseSlots(tlb[k], mappedMask[k], mappedSize[k]);
      tlb[k] = -1;
    } else grow();
  }
  return ((performance.now() - t0) * 1e6) / s.ops;
}

/** The op table of pool-ops.wat's `replay` (32 bytes an op) and its tlb table, written once into `arena`. */
function wasmOpTable(s: Stream, arena: DmaArena): { ops: number; tlbs: number } {
  const n = s.kind.length;
  const ops = arena.alloc(n * 32, 32);
  const tlbs = arena.alloc(s.ids * 8, 8);
  const words = new Int32Array(arena.buffer, ops, n * 8);
  const origs = new Float64Array(arena.buffer, ops, n * 4);
  const mappedSize = new Int32Array(s.ids);
  const mappedMask = new Int32Array(s.ids);
  for (let i = 0; i < n; i++) {
    const k = s.id[i];
    const map = s.kind[i] === OP_MAP;
    if (map) {
      mappedSize[k] = s.size[i];
      mappedMask[k] = s.minAlign[i];
    }
    words.set([map ? 0 : 1, k, s.cpu[i], mappedSize[k], mappedMask[k], s.allocAlign[i]], i * 8);
    origs[i * 4 + 3] = s.orig[i];
  }
  return { ops, tlbs };
}

/** One replay of a static file with the loop in WebAssembly (pool-ops.wat `replay`), on a fresh pool; ns per operation. */
function timedWasmReplay(s: Stream, arena: DmaArena, table: { ops: number; tlbs: number }): number {
  const { alloc } = freshAllocator(s, arena);
  const pool = alloc as SwiotlbPool;
  const ops = poolOpsFor(arena.memory);
  new Float64Array(arena.buffer, table.tlbs, s.ids).fill(-1);
  const t0 = performance.now();
  const done = ops.exports.replay(pool.shared.desc, ops.scratch, table.ops, s.kind.length, table.tlbs);
  const ns = ((performance.now() - t0) * 1e6) / s.ops;
  if (done !== 1) throw new Error(`${s.config.scenario}: an area lock timed out in the WebAssembly replay`);
  return ns;
}

/** Every bundled vector file, static ones first. */
export function vectorFiles(): string[] {
  const root = join(projectRoot(), 'test', 'fixtures', 'conformance');
  return readdirSync(root, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.jsonl')).sort().map((f) => join(root, f));
}

/**
 * Check, then time, `file` in this thread: the checked replay and
 * `repetitions` timed ones (after two warm-ups), all pools in one memory.
 * @throws Error when the checked replay does not match.
 */
export function searchFile(file: string, repetitions: number): SearchResult {
  const arena = new DmaArena(); // one memory: one WebAssembly instance for every pool
  const checked = replayFile(file, arena);
  if (checked.mismatches !== 0) throw new Error(`${file}: the checked replay does not match (first at line ${checked.first?.line}); fix the model before timing it`);
  const s = readStream(file);
  const times: number[] = [];
  const loopTimes: number[] = [];
  const table = checked.dynamic ? null : wasmOpTable(s, arena);
  for (let r = 0; r < repetitions + 2; r++) {
    const ns = timedReplay(s, arena);
    const loopNs = table === null ? 0 : timedWasmReplay(s, arena, table);
    if (r < 2) continue;
    times.push(ns);
    loopTimes.push(loopNs);
  }
  const c = s.config as Record<string, number>;
  const nsPerOpWasmLoop = table === null ? null : median(loopTimes);
  return { file, rules: checked.rules, dynamic: checked.dynamic, nslabs: c.nslabs, nareas: c.nareas, ops: s.ops, nsPerOp: median(times), nsPerOpWasmLoop, repetitions };
}

/**
 * Check, then time, each of `files`, each in a thread of its own (searchFile
 * in search-worker.ts), so no file's allocator class or WebAssembly instance
 * makes another's calls polymorphic.
 * @throws Error when a file's checked replay does not match.
 */
export async function runSearch(files = vectorFiles(), repetitions = 30): Promise<SearchResult[]> {
  const results: SearchResult[] = [];
  for (const file of files) results.push(await inFreshThread<SearchResult>(builtFile('src', 'selfbench', 'search-worker.js'), { file, repetitions }));
  return results;
}
