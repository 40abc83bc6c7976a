/**
 * Verify-mode checks: every mapping stamps its bytes and checks them at unmap,
 * and claims its bounce slots in an owner table so a slot handed out twice is
 * caught at once.
 */

/** Byte `i` of the stamp for tag `tag`: position-dependent, so shifted copies fail too. */
function stampByte(tag: number, i: number): number {
  return ((tag >>> ((i & 3) << 3)) + (i >>> 2)) & 0xff;
}

/** Write the stamp of `tag` into `bytes[at, at + length)`. */
export function stamp(bytes: Uint8Array, at: number, length: number, tag: number): void {
  for (let i = 0; i < length; i++) bytes[at + i] = stampByte(tag, i);
}

/** Count bytes of `bytes[at, at + length)` that differ from the stamp of `tag`. */
export function countCorrupted(bytes: Uint8Array, at: number, length: number, tag: number): number {
  let bad = 0;
  for (let i = 0; i < length; i++) if (bytes[at + i] !== stampByte(tag, i)) bad++;
  return bad;
}

/** A distinct 32-bit tag for the `seq`-th mapping made by `cpu`. */
export function mappingTag(cpu: number, seq: number): number {
  return (Math.imul(seq + 1, 0x9e3779b1) ^ Math.imul(cpu + 1, 0x85ebca77)) >>> 0 || 1;
}

/**
 * Claim slots `[first, last]` for `owner` (non-zero). Returns how many were
 * already owned by someone else (overlaps).
 */
export function claimSlots(owners: Int32Array, first: number, last: number, owner: number): number {
  let overlaps = 0;
  for (let s = first; s <= last; s++) if (Atomics.compareExchange(owners, s, 0, owner) !== 0) overlaps++;
  return overlaps;
}

/** Release slots claimed by `owner`; returns how many were not held by it. */
export function releaseSlots(owners: Int32Array, first: number, last: number, owner: number): number {
  let wrong = 0;
  for (let s = first; s <= last; s++) if (Atomics.compareExchange(owners, s, owner, 0) !== owner) wrong++;
  return wrong;
}
