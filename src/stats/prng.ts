/** The one seeded PRNG of the project: workload generators, bootstrap resampling and latency-sample gaps all draw from it. */

/**
 * xorshift32 (Marsaglia 2003), the PRNG of the conformance generator:
 * deterministic per seed, uniform in [0, 1). Seed 0 is replaced by a fixed
 * non-zero constant (xorshift never leaves 0).
 */
export function xorshift32(seed: number): () => number {
  let x = seed >>> 0 || 0x9e3779b9;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 0x1_0000_0000;
  };
}
