/**
 * The word offsets and sizes of a dynamic io_tlb_mem's shared memory
 * (layout.ts states the whole layout): table entry words, the `meta` words
 * and the per-device blocks. Units: slots of 2 KiB unless a name says otherwise.
 */
import { IO_TLB_SIZE, PAGE_SIZE } from '../constants.js';
import { LOCK_WORDS } from '../lock.js';

/** Slots per 4 KiB page: SLABS_PER_PAGE. */
export const SLABS_PER_PAGE = PAGE_SIZE / IO_TLB_SIZE;
/** Largest pool swiotlb_alloc_pool() makes: SLABS_PER_PAGE << MAX_PAGE_ORDER = 2048 slots (4 MiB). */
export const MAX_POOL_SLABS = SLABS_PER_PAGE << 10;
/** Physical address of the reserve when none is given: 3 GiB, above a boot pool of up to 1 GiB at 2 GiB (as in the vectors). */
export const DEFAULT_RESERVE_BASE = 0xc000_0000;
/** Devices (distinct min_align_mask values) one io_tlb_mem tracks. */
export const MAX_DEVICES = 16;

export const KIND_FREE = 0;
export const KIND_BOOT = 1;
export const KIND_GROWTH = 2;
export const KIND_TRANSIENT = 3;

/** Table entry words. */
export const E_KIND = 0;
export const E_FIRST_SLOT = 1;
export const E_NSLABS = 2;
export const E_NAREAS = 3;
export const E_ORDER = 4;
export const E_NEXT = 5;
export const E_DEVICE = 6;
/** Bumped before and after an entry's fields change (odd while they do), so racy readers can retry. */
export const E_GEN = 7;
export const ENTRY_WORDS = 8;

// Words of `meta`; each hot word on a 64-byte line of its own.
/** mem->lock (LOCK_WORDS words). */
export const META_LOCK = 0;
/** The dyn_alloc work's PENDING bit: 1 from schedule_work() until the work starts. */
export const META_PENDING = 16;
/** Entries in mem->pools. */
export const META_COUNT = 32;
/** mem->nslabs: slots in the boot and growth pools. */
export const META_NSLABS = 33;
/** Live transient pools, and the most slots they held at once (model bookkeeping, kept whatever the debugfs setting). */
export const META_TRANSIENT_COUNT = 48;
export const META_TRANSIENT_SLOTS = 49;
export const META_TRANSIENT_PEAK = 50;
/** Registered devices; their lock. */
export const META_DEVICE_COUNT = 64;
export const META_DEVICE_LOCK = 66;
/** Per device, DEVICE_WORDS words: its lock, the head of its transient list (entry + 1, 0 = empty), its min_align_mask. */
export const META_DEVICES = 80;
export const DEVICE_WORDS = 16;
export const D_LOCK = 0;
export const D_HEAD = LOCK_WORDS;
export const D_MASK = LOCK_WORDS + 1;
/** mem->pools entries, oldest first, from here. */
export const META_ORDER = META_DEVICES + MAX_DEVICES * DEVICE_WORDS;

