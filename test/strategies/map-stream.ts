/** Random map/unmap streams for the strategies' property tests: sizes, in-page offsets, NVMe or no min_align_mask, dma-direct or iommu-dma alloc_align_mask, CPUs. */
import fc from 'fast-check';

/** A stream of up to `maxLength` ops; sizes from 1 to `maxSize` bytes or one of `common`. */
export function mapStream(maxSize: number, common: number[], maxLength: number) {
  return fc.array(fc.record({
    map: fc.boolean(),
    size: fc.oneof(fc.integer({ min: 1, max: maxSize }), fc.constantFrom(...common)),
    pageOffset: fc.integer({ min: 0, max: 4095 }),
    minAlign: fc.constantFrom(0, 0xfff),
    allocAlign: fc.constantFrom(0, 0xfff, 0xffff),
    cpu: fc.integer({ min: 0, max: 3 }),
    pick: fc.nat(),
  }), { minLength: 1, maxLength });
}
