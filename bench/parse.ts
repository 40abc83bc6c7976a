/**
 * `npm run bench:parse [-- --format NAME[,NAME...]]`: reader speed and memory
 * on every trace format (src/selfbench/parse.ts); writes results/parse.json,
 * except when `--format` picks some formats (then it only prints).
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { projectRoot } from '../src/base/paths.js';
import { writeFileAtomic } from '../src/export/result-dir.js';
import { PARSE_FORMATS, runParseBench } from '../src/selfbench/parse.js';

const { values } = parseArgs({ options: { format: { type: 'string', multiple: true } } });
const only = values.format?.flatMap((f) => f.split(','));
const unknown = only?.filter((f) => !PARSE_FORMATS.includes(f)) ?? [];
if (unknown.length) {
  console.error(`unknown --format ${unknown.join(', ')}: bench:parse measures ${PARSE_FORMATS.join(', ')}`);
  process.exit(2);
}
const readers = runParseBench(console.log, only);
if (!only) {
  const out = join(projectRoot(), 'results');
  await mkdir(out, { recursive: true });
  await writeFileAtomic(join(out, 'parse.json'), JSON.stringify({ goal_records_per_s: 2e6, readers }, null, 2) + '\n');
  console.log(`wrote ${join(out, 'parse.json')}`);
}
