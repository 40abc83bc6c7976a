/** Wilcoxon signed-rank estimate, interval and test, against the textbook's worked example and the exact null distribution. */
import { describe, expect, it } from 'vitest';
import { signedRankInterval, signedRankLowerP, signedRankNull, walshAverages } from '../../src/stats/signed-rank.js';

describe('signed-rank statistics', () => {
  it('the null distribution of T+ for n = 3 is the 8 sign patterns: sums 0,1,2,3,3,4,5,6', () => {
    expect([...signedRankNull(3)].map((p) => p * 8)).toEqual([1, 1, 1, 2, 1, 1, 1]);
    expect(signedRankNull(20).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    expect(() => signedRankNull(-1)).toThrow(RangeError);
  });

  it('reproduces Hollander & Wolfe (3rd ed.) Example 3.3: Hamilton scale differences, estimate 0.46, 96.1% interval (0.010, 0.786)', () => {
    const x = [1.83, 0.50, 1.62, 2.48, 1.68, 1.88, 1.55, 3.06, 1.30];
    const y = [0.878, 0.647, 0.598, 2.05, 1.06, 1.29, 1.06, 3.14, 1.29];
    const r = signedRankInterval(x.map((v, i) => v - y[i]), 0.95);
    expect(r.estimate).toBeCloseTo(0.46, 2);
    expect(r.low).toBeCloseTo(0.01, 3);
    expect(r.high).toBeCloseTo(0.786, 3);
    // n = 9: P(T+ <= 5) = 10/512, so the interval cuts 6 Walsh averages from each end.
    expect(r.achieved).toBeCloseTo(1 - 2 * 10 / 512, 10);
  });

  it('needs 6 values for a 95% interval (n = 6: the extreme Walsh averages, 96.9%)', () => {
    expect(signedRankInterval([1, 2, 3, 4, 5], 0.95).low).toBeUndefined();
    expect(signedRankInterval([1, 2, 3, 4, 5, 6], 0.95)).toEqual({ estimate: 3.5, low: 1, high: 6, achieved: 1 - 2 / 64 });
    expect(walshAverages([3, 1])).toEqual([1, 2, 3]);
  });

  it('its estimate hardly moves when one value jumps, where a mean would follow it', () => {
    const calm = [-0.01, 0.02, 0.0, 0.01, -0.02, 0.015, -0.005, 0.005];
    const jumped = [...calm.slice(0, 7), 0.9];
    const a = signedRankInterval(calm, 0.95);
    const b = signedRankInterval(jumped, 0.95);
    expect(Math.abs(b.estimate - a.estimate)).toBeLessThan(0.01);
    // The interval widens on the side of the jump only.
    expect(b.low!).toBeGreaterThanOrEqual(a.low! - 1e-12);
  });

  it('the lower-tail test: all six values below the shift give p = 1/64; symmetric values give about a half', () => {
    expect(signedRankLowerP([-0.1, -0.2, -0.15, -0.05, -0.12, -0.3], 0)).toBeCloseTo(1 / 64, 12);
    expect(signedRankLowerP([0.1, 0.2, 0.15, 0.05, 0.12, 0.3], 0)).toBe(1);
    expect(signedRankLowerP([-1, 1, -2, 2, -3, 3], 0)).toBeGreaterThan(0.4);
    expect(signedRankLowerP([0.05, 0.05], 0.05)).toBe(1);
  });
});
