/** The numbers docs/proposals.md states: failure shares, paired ratio text, and the smallest pool with no failure in a sweep. */
import { describe, expect, it } from 'vitest';
import { failurePct, ratioText, smallestWithoutFailures } from '../../src/analysis/proposal-figures.js';
import type { ThroughputRow } from '../../src/export/columns.js';
import type { ReferenceSummary } from '../../src/analysis/reference.js';

const row = (strategy: string, threads: number, maps: number, failures: number) => ({ strategy, threads, workload: 'w', maps, full_failures: failures }) as unknown as ThroughputRow;

describe('proposal figures', () => {
  it('failure share is failed maps over attempts, pooled over repeats', () => {
    expect(failurePct([row('a', 8, 90, 10), row('a', 8, 100, 0)])).toBeCloseTo(5, 10);
    expect(failurePct([])).toBe(0);
  });

  it('the smallest pool is the one from which every larger pool also had no failure (a later failure resets it)', () => {
    const sweep = [
      { mib: 8, rows: [row('s', 8, 100, 0)] }, // passes, but 16 fails: not the answer
      { mib: 16, rows: [row('s', 8, 99, 1)] },
      { mib: 32, rows: [row('s', 8, 100, 0)] },
      { mib: 64, rows: [row('s', 8, 100, 0)] },
    ];
    expect(smallestWithoutFailures(sweep, 's', 8)).toBe(32);
    expect(smallestWithoutFailures([{ mib: 64, rows: [row('s', 8, 1, 1)] }], 's', 8)).toBeUndefined();
    expect(smallestWithoutFailures(sweep, 's', 64)).toBeUndefined(); // no rows at 64 CPUs
  });

  it('ratio text gives the paired ratio and its CI, and nothing for a strategy without one', () => {
    const reference = {
      strategy: 'per-cpu-areas', confidence: 0.95, minEffect: 0.05,
      entries: [{ workload: 'w', threads: 1, strategy: 'x', repeats: 5, referenceRepeats: 5, failureRate: 0, referenceFailureRate: 0, maps: { ratio: 1.5712, low: 1.31, high: 1.889, confidence: 0.95, paired: true, verdict: 'faster' }, p99: { ratio: 1, confidence: 0.95, paired: true, verdict: '' } }],
    } as unknown as ReferenceSummary;
    expect(ratioText(reference, 'x', 1)).toBe('1.57x (95% CI 1.31-1.89)');
    expect(ratioText(reference, 'x', 2)).toBe('');
    expect(ratioText(undefined, 'x', 1)).toBe('');
  });
});
