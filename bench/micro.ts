/** `npm run bench:micro`: print the micro-benchmarks and write results/micro.json (src/selfbench/micro.ts). */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { projectRoot } from '../src/base/paths.js';
import { writeFileAtomic } from '../src/export/result-dir.js';
import { microReport } from '../src/selfbench/micro-report.js';
import { runMicro } from '../src/selfbench/micro.js';

const result = await runMicro();
for (const line of microReport(result)) console.log(line);
const dir = join(projectRoot(), 'results');
await mkdir(dir, { recursive: true });
await writeFileAtomic(join(dir, 'micro.json'), JSON.stringify(result, null, 2) + '\n');
console.log(`wrote ${join(dir, 'micro.json')}`);
