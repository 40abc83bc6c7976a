import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runSearch, vectorFiles } from '../../src/selfbench/search.js';
import { tempDir } from '../helpers.js';

describe('bench:search', () => {
  it('times every golden-vector file, static and dynamic, after a checked replay (shape only: timings are never asserted)', async () => {
    const files = vectorFiles();
    expect(files.filter((f) => f.includes('v-newest-dynamic'))).toHaveLength(4);
    const picked = [files.find((f) => f.endsWith('v-newest/network-mtu.jsonl'))!, files.find((f) => f.endsWith('dyn-4area-immediate.jsonl'))!];
    const r = await runSearch(picked, 2);
    expect(r.map((x) => [x.rules, x.dynamic, x.nslabs, x.ops])).toEqual([['newest', false, 512, 10000], ['newest', true, 512, 11800]]);
    for (const x of r) expect(x.nsPerOp).toBeGreaterThan(0);
  });

  it('refuses to time a file the model does not reproduce', async () => {
    const dir = tempDir('search');
    const src = vectorFiles().find((f) => f.endsWith('v-newest/single-area-basic.jsonl'))!;
    const bad = join(dir, 'bad.jsonl');
    copyFileSync(src, bad);
    writeFileSync(bad, readFileSync(bad, 'utf8').replace(/"index":(\d+)/, (_, i) => `"index":${Number(i) + 1}`));
    await expect(runSearch([bad], 1)).rejects.toThrow(/does not match/);
  });
});
