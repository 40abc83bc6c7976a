/** FNV-1a, 32 bits: the hash of the conformance vectors' `list_hash` and of resampling seeds. */

/** FNV-1a offset basis. */
export const FNV_OFFSET = 0x811c9dc5;

/** One FNV-1a step: fold the low 8 bits of `byte` into `hash`. Returns an unsigned 32-bit value. */
export function fnv1a(hash: number, byte: number): number {
  return Math.imul(hash ^ (byte & 0xff), 0x01000193) >>> 0;
}

/**
 * A string key (what is compared, e.g. `tpcc/2/global-lock/per-cpu-areas`)
 * mixed into a numeric seed: FNV-1a over the key's UTF-16 code units, started
 * from the offset basis xor the seed. Never 0 (xorshift32 needs a non-zero seed).
 */
export function mixSeed(seed: number, key: string): number {
  let h = (FNV_OFFSET ^ (seed >>> 0)) >>> 0;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193) >>> 0;
  return h || 1;
}
