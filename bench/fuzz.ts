/** `npm run fuzz [-- --count N --seed S]`: mutated inputs of every trace format through the readers (src/selfbench/fuzz.ts); exit 1 when any ends otherwise than exit 0 or a named exit 2. */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { projectRoot } from '../src/base/paths.js';
import { fuzzCases } from '../src/selfbench/fuzz-cases.js';
import { fuzzTable, runFuzz } from '../src/selfbench/fuzz.js';

const { values } = parseArgs({ options: { count: { type: 'string', default: '2000' }, seed: { type: 'string', default: '1' } } });
const count = Number(values.count);
const seed = Number(values.seed);
if (!Number.isInteger(count) || count < 1 || !Number.isInteger(seed) || seed < 0) {
  console.error('error: --count takes an integer >= 1 (cases in all) and --seed an integer >= 0');
  process.exit(2);
}
const perFormat = Math.ceil(count / 14);
const dir = join(projectRoot(), 'results', `fuzz-${seed}`);
const t0 = performance.now();
const results = await runFuzz(fuzzCases(perFormat, seed), dir);
for (const line of fuzzTable(results)) console.log(line);
const bad = results.filter((r) => r.class === 'other');
for (const r of bad.slice(0, 20)) console.log(`other: ${r.file} (${r.mutation}): ${r.message.slice(0, 200)}`);
console.log(`${results.length} cases in ${((performance.now() - t0) / 1000).toFixed(1)} s, seed ${seed}; ${bad.length ? `inputs of the 'anything else' cases kept in ${dir}` : 'nothing in anything else'}`);
process.exitCode = bad.length ? 1 : 0;
