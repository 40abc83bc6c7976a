/**
 * The confidential-VM default pool, worked out by hand from the kernel's
 * rules: mem_encrypt_setup_arch() (arch/x86/mm/mem_encrypt.c) takes
 * memory * 6 / 100 clamped to [64 MiB, 1 GiB]; swiotlb_adjust_size()
 * (kernel/dma/swiotlb.c) aligns it to 2 KiB slots and then to 128-slot
 * segments; swiotlb_init_remap() calls swiotlb_adjust_nareas(num_possible_cpus()),
 * whose round_up_default_nslabs() raises the pool to 128 slots per area or
 * else to a power of two.
 */
import { describe, expect, it } from 'vitest';
import { adjustSizeSlots, cocoBootSlots, cocoHeuristicBytes } from '../../src/model/pool-sizing.js';

const GIB = 2 ** 30;
const MIB = 2 ** 20;

describe('the confidential-VM default pool (6% of memory, [64 MiB, 1 GiB], kernel rounding)', () => {
  it.each([
    // memory GiB, CPUs, 6% clamped (bytes), after swiotlb_adjust_size (slots), boot pool (slots), worked out
    [1, 1, 64 * MIB, 32768, 32768, '6% = 64424509 B < 64 MiB: clamped up to 64 MiB = 32768 slots, a power of two'],
    [2, 1, 128849018, 62976, 65536, '6% = 128849018 B = 62914.6 slots -> 62915 -> 492 segments = 62976 -> 65536 (128 MiB)'],
    [4, 8, 257698037, 125952, 131072, '125829.1 slots -> 125830 -> 984 segments = 125952 -> 131072 (256 MiB)'],
    [8, 64, 515396075, 251776, 262144, '251658.2 -> 251659 -> 1967 segments = 251776 -> 262144 (512 MiB), the model notes\' 8 GiB TDX example'],
    [16, 256, 1030792151, 503424, 524288, '503316.5 -> 503317 -> 3933 segments = 503424 -> 524288 (1 GiB)'],
    [32, 1, GIB, 524288, 524288, '6% = 1.92 GiB: clamped to 1 GiB'],
    [512, 256, GIB, 524288, 524288, 'clamped to 1 GiB'],
    [1, 512, 64 * MIB, 32768, 65536, '32768 < 128 slots x 512 areas: raised to 65536 (128 MiB)'],
    [2, 1024, 128849018, 62976, 131072, '62976 < 128 x 1024: raised to 131072 (256 MiB)'],
  ] as const)('%i GiB on %i CPUs: %i B, %i slots adjusted, %i slots at boot (%s)', (gib, cpus, bytes, adjusted, boot, _why) => {
    expect(cocoHeuristicBytes(gib * GIB)).toBe(bytes);
    expect(adjustSizeSlots(bytes)).toBe(adjusted);
    expect(cocoBootSlots(gib * GIB, cpus)).toBe(boot);
  });

  it('aligns to whole slots before whole segments: one byte over a segment boundary costs a whole segment', () => {
    expect(adjustSizeSlots(128 * 2048)).toBe(128);
    expect(adjustSizeSlots(128 * 2048 + 1)).toBe(256);
  });
});
