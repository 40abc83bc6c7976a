/**
 * The gate's timing loop on scripted sides: a difference seen in the first
 * blocks is called (REGRESSION or IMPROVEMENT) only when fresh blocks see it
 * again; a burst of noise that fresh blocks do not repeat is INCONCLUSIVE.
 */
import { describe, expect, it } from 'vitest';
import { type TimedCell, type TimingSettings, runTiming } from '../../src/cli/gate-timing-loop.js';
import type { SideProcess } from '../../src/cli/gate-side.js';
import { xorshift32 } from '../../src/stats/prng.js';

/** A side whose k-th run (counted per side) measures `mapsPerS(k)`, with ±0.5% jitter. */
function side(role: 'base' | 'candidate', mapsPerS: (k: number) => number, seed: number): SideProcess {
  const rnd = xorshift32(seed);
  let k = 0;
  const fake = {
    info: { role, ref: role, dir: '.' },
    whenReady: async () => undefined,
    restart: () => undefined,
    run: async () => [{ row: { maps_per_s: mapsPerS(k++) * (1 + (rnd() - 0.5) * 0.01) } }],
  };
  return fake as unknown as SideProcess;
}

const cell: TimedCell = { name: 'per-cpu-areas/msr-hm0/threads=1', threads: 1, argv: { base: [], candidate: [] } };
const settings: TimingSettings = { minBlocks: 6, maxBlocks: 12, budget: 0.05, confidence: 0.95, deadlineMs: Date.now() + 3_600_000, seed: 1, runTimeoutMs: 1000 };
const quiet = () => undefined;

/** The final verdict, the first look's and the confirmation's, for a candidate at `candidate(k)` x the base's 1000 maps/s. */
async function verdicts(candidate: (k: number) => number) {
  const out = await runTiming([cell], settings, side('base', () => 1000, 2), side('candidate', (k) => 1000 * candidate(k), 3), quiet);
  return { final: out.states[0].verdict, confirmation: out.confirmations.get(cell.name)?.verdict, blocks: out.states[0].blocks.length };
}

describe('gate timing: confirmation by fresh blocks', () => {
  it('a candidate 20% slower throughout is a REGRESSION, confirmed', async () => {
    expect(await verdicts(() => 0.8)).toMatchObject({ final: 'REGRESSION', confirmation: 'SUSPECTED', blocks: 6 });
  });

  it('a candidate 20% faster throughout is an IMPROVEMENT, confirmed', async () => {
    expect(await verdicts(() => 1.2)).toMatchObject({ final: 'IMPROVEMENT', confirmation: 'IMPROVEMENT', blocks: 6 });
  });

  it('a burst only in the first 6 blocks (12 candidate runs) is INCONCLUSIVE, either way', async () => {
    expect(await verdicts((k) => (k < 12 ? 1.5 : 1))).toMatchObject({ final: 'INCONCLUSIVE', confirmation: 'SAME' });
    expect(await verdicts((k) => (k < 12 ? 0.6 : 1))).toMatchObject({ final: 'INCONCLUSIVE', confirmation: 'SAME' });
  });

  it('identical sides are SAME and need no confirmation', async () => {
    expect(await verdicts(() => 1)).toEqual({ final: 'SAME', confirmation: undefined, blocks: 6 });
  });
});
