import { describe, expect, it } from 'vitest';
import { CACHE_MODES, KERNEL_LOCKED_OPS, opName, runMicro } from '../../src/selfbench/micro.js';
import { microReport } from '../../src/selfbench/micro-report.js';
import { STRATEGIES } from '../../strategies/index.js';

describe('bench:micro', () => {
  it('measures every op, a ratio per strategy and cache mode, and the locked instructions (shape only: timings are never asserted)', async () => {
    const r = await runMicro(5);
    const names = [...STRATEGIES.keys()];
    expect(Object.keys(r.ops)).toEqual(expect.arrayContaining([
      ...(['one buffer', ...CACHE_MODES] as const).flatMap((m) => [opName.copy('memory.copy', m), opName.copy('Uint8Array.set', m)]),
      ...['qspinlock', 'mutex'].flatMap((k) => [opName.lock(k, 'WebAssembly'), opName.lock(k, 'Atomics')]), ...names.flatMap((s) => CACHE_MODES.map((m) => opName.mapUnmap(s, m))),
    ]));
    for (const mode of CACHE_MODES) expect(Object.keys(r.ratios[mode]).sort()).toEqual([...names].sort());
    for (const v of [...Object.values(r.ops), ...Object.values(r.ratios.hot), ...Object.values(r.ratios.rotating)]) expect(v).toBeGreaterThan(0);
    expect(microReport(r).join('\n')).toMatch(/goal: at most 1.5x/);
    // The locked instructions of a map+unmap: each lock pair one locked add to take, one to release (the kernel
    // releases with a plain store); debugfs: one add at map, one sub at unmap; the hiwater CAS only while the mark rises (not here, warm).
    for (const s of STRATEGIES.keys()) expect(r.locked_ops.strategies[s]).toBe(KERNEL_LOCKED_OPS.withDebugfs + 2);
  }, 120_000);
});
