/**
 * How an NVMe driver turns one request into bounce mappings: chunks of at most
 * swiotlb_max_mapping_size() (`max`, what dma_opt_mapping_size() caps
 * max_sectors_kb to), or one mapping per 4 KiB memory page (`page`, PRP-style).
 * The buffer's in-page offset comes from the request's device offset.
 */
import { PAGE_SIZE, maxMappingSize } from '../../src/model/constants.js';

export type SegmentMode = 'max' | 'page';
export const SEGMENT_MODES: readonly SegmentMode[] = ['max', 'page'];

/** One mapping of a request: its in-page offset of the original buffer and byte count. */
export interface MappingChunk {
  /** Byte offset of the chunk from the start of the request's buffer. */
  at: number;
  size: number;
}

/** Split `size` bytes whose buffer starts at in-page offset `pageOffset`. */
export function splitRequest(pageOffset: number, size: number, mode: SegmentMode, minAlignMask: number): MappingChunk[] {
  const chunks: MappingChunk[] = [];
  if (mode === 'max') {
    const step = maxMappingSize(minAlignMask);
    for (let at = 0; at < size; at += step) chunks.push({ at, size: Math.min(step, size - at) });
    return chunks;
  }
  let at = 0;
  let room = PAGE_SIZE - pageOffset;
  while (at < size) {
    const n = Math.min(room, size - at);
    chunks.push({ at, size: n });
    at += n;
    room = PAGE_SIZE;
  }
  return chunks;
}

/**
 * A request issued as `segments` scatter-gather elements (vSCSI nSG): that
 * many mappings of equal 512-byte multiples (the last takes the rest), each
 * further cut at the max mapping size.
 */
export function splitSegments(size: number, segments: number, minAlignMask: number): MappingChunk[] {
  const step = Math.max(512, Math.ceil(size / segments / 512) * 512);
  const max = maxMappingSize(minAlignMask);
  const chunks: MappingChunk[] = [];
  for (let at = 0; at < size; at += step) {
    const end = Math.min(size, at + step);
    for (let a = at; a < end; a += max) chunks.push({ at: a, size: Math.min(max, end - a) });
  }
  return chunks;
}
