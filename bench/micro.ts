/** `npm run bench:micro`: print the micro-benchmarks and write results/micro.json. */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { projectRoot } from '../src/base/paths.js';
import { SAMPLED_STRATEGY, SAMPLE_EVERY, runMicro } from '../src/selfbench/micro.js';
import { writeFileAtomic } from '../src/export/result-dir.js';

async function main(): Promise<void> {
  const result = await runMicro();
  const floor = result.ops['lock+unlock'] + 2 * result.ops['copy 4KiB'];
  console.log('op'.padEnd(58) + 'ns/op'.padStart(10) + '  ratio to (lock pair + two 4 KiB copies)');
  for (const [name, ns] of Object.entries(result.ops)) console.log(name.padEnd(58) + ns.toFixed(1).padStart(10) + (ns / floor).toFixed(2).padStart(8) + 'x');
  console.log(`latency sampling 1/${SAMPLE_EVERY} adds ${result.sampling_overhead_pct.toFixed(1)}% to map+unmap (${SAMPLED_STRATEGY}; median of paired rounds)`);
  console.log('goal: map+unmap at most 1.5x (lock pair + two 4 KiB copies)');
  const dir = join(projectRoot(), 'results');
  await mkdir(dir, { recursive: true });
  await writeFileAtomic(join(dir, 'micro.json'), JSON.stringify(result, null, 2) + '\n');
  console.log(`wrote ${join(dir, 'micro.json')}`);
}

await main();
