/**
 * `npm run merge -- DIR... [--out results] [--label NAME]`: the shard result
 * directories of one sharded `npm run bench -- --shard i/n` (or their
 * shard.json files) as ONE ordinary result directory, the one an unsharded
 * run of the same matrix writes (timings aside): checked first
 * (merge-shards.ts), then written by the bench's own writeResults through a
 * staging directory renamed into place. Exit codes: 0 success, 1 an
 * unexpected failure, 2 bad input (options, a missing or malformed shard,
 * shards that do not belong together); on bad input nothing is written.
 */
import { join } from 'node:path';
import { reportErrorAndExitCode } from '../base/errors.js';
import { ResultDir, prepareResultsRoot } from '../export/result-dir.js';
import { resultLabel } from './bench-inputs.js';
import { writeResults } from './bench-outputs.js';
import { MERGE_OPTIONS } from './merge-options.js';
import { checkShards, mergeCommandText, mergedJob } from './merge-shards.js';
import { commandFor, parseOrExitCode, valuesOf } from './option-spec.js';
import { type LoadedShard, readShardRecord } from './shard-record.js';

/** Exit codes, as --help and docs/options.md state them. */
export const MERGE_EXIT_CODES = 'Exit codes: 0 success; 1 an unexpected failure; 2 bad input (an option, a missing or malformed shard.json, a shard missing or given twice, shards of different counts, configurations, seeds or commits, real-engine shards from different machines: the message names the directories). On bad input nothing is written.';

/** The command definition (exported for --help tests and docs/options.md). */
export function mergeCommand() {
  return commandFor(
    'npm run merge --',
    'Merge the shards of one npm run bench -- --shard i/n (every shard 1..n, each once) into one result directory, as one unsharded run of the same matrix would write it.',
    MERGE_OPTIONS,
    MERGE_EXIT_CODES,
  ).argument('<shards...>', 'shard result directories, or their shard.json files, in any order');
}

/**
 * Run `npm run merge` with `argv`; `log` gets the console lines. Returns the
 * exit code. Never throws.
 */
export async function mergeMain(argv: string[], log: (line: string) => void = console.log): Promise<number> {
  const cmd = mergeCommand();
  const early = parseOrExitCode(cmd, argv);
  if (early !== undefined) return early;
  const o = valuesOf(cmd, MERGE_OPTIONS);
  try {
    const shards: LoadedShard[] = [];
    for (const arg of cmd.args) shards.push(await readShardRecord(arg));
    checkShards(shards);
    const job = mergedJob(shards, { out: o.out, label: o.label }, mergeCommandText(argv, shards));
    await prepareResultsRoot(o.out);
    const n = shards[0].record.shard.count;
    log(`merge: ${n} shard${n === 1 ? '' : 's'}, ${job.outcomes.length} runs${job.predicted?.length ? ` and ${job.predicted.length} sim sweep runs` : ''}, ${job.opts.engine} engine`);
    const dir = await ResultDir.create(o.out, resultLabel(job.opts));
    const { path, value: words } = await dir.publish(() => writeResults(dir, job, log));
    log('');
    for (const line of words) log(line);
    log(`results: ${path} (and ${join(o.out, 'latest')})`);
    return 0;
  } catch (err) {
    return reportErrorAndExitCode(err);
  }
}
