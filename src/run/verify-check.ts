/**
 * Verify mode (`--verify`), one CPU's side: every mapping stamps its bytes and
 * checks them at unmap, and claims its bounce slots in a shared owner table
 * with compare-and-swap, so a slot handed out twice is caught at once.
 * A TO_DEVICE buffer is stamped in the original before the map and checked in
 * the bounce buffer (the device's view) at unmap; for a FROM_DEVICE buffer
 * the "device" stamps the bounce buffer after the map, and the original must
 * hold that stamp after the copy-back.
 */
import { IO_TLB_SHIFT, IO_TLB_SIZE, type KernelRules, alignOffset, allocatedSlots } from '../model/constants.js';
import { DMA_FROM_DEVICE, type DmaDirection } from '../model/dma.js';
import type { BounceAllocator } from '../model/strategy.js';
import type { VerifyCounts, VerifyShared } from './task.js';

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

/** Give back slots claimed by `owner`; returns how many were not held by it. */
export function unclaimSlots(owners: Int32Array, first: number, last: number, owner: number): number {
  let wrong = 0;
  for (let s = first; s <= last; s++) if (Atomics.compareExchange(owners, s, owner, 0) !== owner) wrong++;
  return wrong;
}

/** The stamp the device writes for a FROM_DEVICE mapping of tag `tag`. */
const deviceTag = (tag: number) => tag ^ 0x5a5a5a5a;

/** One CPU's verify bookkeeping over the shared owner table and tags. */
export class VerifyCheck {
  private readonly owners: Int32Array;
  private readonly tags: Int32Array;
  private seq = 0;
  readonly counts: VerifyCounts = { checkedBytes: 0, corruptedBytes: 0, overlaps: 0 };

  /**
   * @param rules the pool's rules: with the newest, a mapping with an
   *   alloc_align_mask owns its padding and round-up slots too, and claims them.
   */
  constructor(shared: VerifyShared, private readonly cpu: number, private readonly alloc: BounceAllocator, private readonly host: Uint8Array, private readonly rules: KernelRules = 'newest') {
    this.owners = new Int32Array(shared.owners);
    this.tags = new Int32Array(shared.tags);
  }

  /** Before mapping `m`: choose its tag and, unless the device writes it, stamp the original at host offset `at`. */
  beforeMap(m: number, at: number, size: number, dir: DmaDirection): void {
    const tag = mappingTag(this.cpu, this.seq++);
    this.tags[m] = tag;
    if (dir !== DMA_FROM_DEVICE) stamp(this.host, at, size, tag);
  }

  /**
   * After mapping `m` (from `orig`, with its masks) at bounce address `tlb`:
   * claim its slots; a FROM_DEVICE "transfer" stamps the bounce buffer.
   */
  afterMap(m: number, tlb: number, size: number, dir: DmaDirection, orig: number, minAlignMask: number, allocAlignMask: number): void {
    const [first, last] = this.slotsOf(tlb, size, orig, minAlignMask, allocAlignMask);
    this.counts.overlaps += claimSlots(this.owners, first, last, m + 1);
    if (dir === DMA_FROM_DEVICE) stamp(this.alloc.deviceAccess(tlb, size), 0, size, deviceTag(this.tags[m]));
  }

  /** Before unmapping `m` (mapped as afterMap says): what the device reads must be what the CPU wrote; give its slots back. */
  beforeUnmap(m: number, tlb: number, size: number, dir: DmaDirection, orig: number, minAlignMask: number, allocAlignMask: number): void {
    if (dir !== DMA_FROM_DEVICE) {
      this.counts.checkedBytes += size;
      this.counts.corruptedBytes += countCorrupted(this.alloc.deviceAccess(tlb, size), 0, size, this.tags[m]);
    }
    const [first, last] = this.slotsOf(tlb, size, orig, minAlignMask, allocAlignMask);
    this.counts.overlaps += unclaimSlots(this.owners, first, last, m + 1);
  }

  /** After unmapping a FROM_DEVICE mapping `m`: its `copied` bytes must have arrived in the original at host offset `at`. */
  afterUnmap(m: number, at: number, copied: number): void {
    this.counts.checkedBytes += copied;
    this.counts.corruptedBytes += countCorrupted(this.host, at, copied, deviceTag(this.tags[m]));
  }

  /**
   * The slots a mapping owns, first and last: from its first data slot to
   * the one holding its last byte; with an alloc_align_mask (newest rules,
   * swiotlb_tbl_map_single()) from its padding slots to the end of the
   * allocation rounded up to alloc_align_mask + 1.
   */
  private slotsOf(tlb: number, size: number, orig: number, minAlignMask: number, allocAlignMask: number): [number, number] {
    const data = this.alloc.slotOf(tlb);
    if (allocAlignMask === 0 || this.rules === 'v6.6') return [data, data + Math.floor(((tlb % IO_TLB_SIZE) + size - 1) / IO_TLB_SIZE)];
    const first = data - (alignOffset(orig, minAlignMask, allocAlignMask) >>> IO_TLB_SHIFT);
    return [first, first + allocatedSlots(orig, size, minAlignMask, allocAlignMask) - 1];
  }
}
