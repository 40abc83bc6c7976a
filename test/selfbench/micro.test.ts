import { describe, expect, it } from 'vitest';
import { runMicro } from '../../src/selfbench/micro.js';
import { STRATEGIES } from '../../strategies/index.js';

describe('bench:micro', () => {
  it('measures every op and a ratio per strategy (shape only: timings are never asserted)', async () => {
    const r = await runMicro(5);
    expect(Object.keys(r.ops)).toEqual(expect.arrayContaining(['copy 4KiB', 'lock+unlock qspinlock', 'lock+unlock mutex', 'map+unmap 4KiB FROM_DEVICE global-lock', 'map+unmap 4KiB FROM_DEVICE per-cpu-areas']));
    expect(Object.keys(r.ratios).sort()).toEqual([...STRATEGIES.keys()].sort());
    for (const v of [...Object.values(r.ops), ...Object.values(r.ratios)]) expect(v).toBeGreaterThan(0);
  });
});
