/**
 * Golden-vector replay (test/fixtures/conformance/): a file's config line says
 * whether it tests the static path (one pool: replay-static.ts) or the dynamic
 * one (growth and transient pools: replay-dynamic.ts).
 */
import type { DmaArena } from '../model/dma-arena.js';
import { replayDynamic } from './replay-dynamic.js';
import { replayStatic } from './replay-static.js';
import { ConformanceInputError, type ReplayResult, readVectorLines } from './vector-file.js';

export { ConformanceInputError, type Mismatch, type ReplayResult } from './vector-file.js';
export { SUPPORTED_RULES } from './replay-static.js';

/**
 * Replay one JSON Lines vector file, its pools in `arena` (a memory of their
 * own when omitted). Mismatches are counted, not thrown.
 * @throws ConformanceInputError for unreadable or malformed input, or an unsupported rule set.
 */
export function replayFile(file: string, arena?: DmaArena): ReplayResult {
  const input = readVectorLines(file);
  const first = input.json(0);
  if (typeof first !== 'object' || first === null) throw new ConformanceInputError(file, 1, "field '(line)': expected the config object");
  return (first as { dynamic?: unknown }).dynamic === true ? replayDynamic(input, arena) : replayStatic(input, arena);
}
