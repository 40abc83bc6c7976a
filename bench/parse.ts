/** `npm run bench:parse`: reader speed and memory on every trace format (src/selfbench/parse.ts); writes results/parse.json. */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { projectRoot } from '../src/base/paths.js';
import { writeFileAtomic } from '../src/export/result-dir.js';
import { runParseBench } from '../src/selfbench/parse.js';

const readers = runParseBench(console.log);
const out = join(projectRoot(), 'results');
await mkdir(out, { recursive: true });
await writeFileAtomic(join(out, 'parse.json'), JSON.stringify({ goal_records_per_s: 2e6, readers }, null, 2) + '\n');
console.log(`wrote ${join(out, 'parse.json')}`);
