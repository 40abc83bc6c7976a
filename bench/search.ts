/** `npm run bench:search`: ns per map or unmap of the allocator on each golden-vector stream (src/selfbench/search.ts). */
import { mkdir } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { projectRoot } from '../src/base/paths.js';
import { writeFileAtomic } from '../src/export/result-dir.js';
import { runSearch } from '../src/selfbench/search.js';

const results = await runSearch(undefined, Number(process.env.SEARCH_REPETITIONS ?? 30));
console.log('file'.padEnd(52) + 'rules'.padEnd(8) + 'nslabs'.padStart(7) + 'areas'.padStart(6) + 'ops'.padStart(8) + 'ns/op'.padStart(9) + 'wasm loop'.padStart(11));
for (const r of results) {
  const name = `${basename(dirname(r.file))}/${basename(r.file)}`;
  const loop = r.nsPerOpWasmLoop === null ? '-' : r.nsPerOpWasmLoop.toFixed(1);
  console.log(name.padEnd(52) + r.rules.padEnd(8) + String(r.nslabs).padStart(7) + String(r.nareas).padStart(6) + String(r.ops).padStart(8) + r.nsPerOp.toFixed(1).padStart(9) + loop.padStart(11));
}
console.log('ns/op: one call from JavaScript per map or unmap, as a run makes them; wasm loop: the loop in WebAssembly, the allocator alone (static files)');
const dir = join(projectRoot(), 'results');
await mkdir(dir, { recursive: true });
await writeFileAtomic(join(dir, 'search.json'), JSON.stringify(results, null, 2) + '\n');
console.log(`wrote ${join(dir, 'search.json')} (dynamic files include their growth work)`);
