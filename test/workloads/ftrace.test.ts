import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DMA_BIDIRECTIONAL } from '../../src/model/dma.js';
import { readTrace } from '../../workloads/formats/index.js';
import { FIXTURES } from '../helpers.js';

describe("swiotlb's own evidence", () => {
  it('reads swiotlb_bounced events: size, CPU, in-page offset of dev_addr, FORCE/NORMAL, no direction', async () => {
    const t = await readTrace(join(FIXTURES, 'ftrace', 'bounced.txt'));
    expect(t.format).toBe('ftrace');
    expect(t.requests).toEqual([
      { arrivalNs: 0, offset: 0xa00, size: 4096, write: false, dir: DMA_BIDIRECTIONAL, cpu: 1, minAlignMask: 0, mayBlock: false, forced: false },
      { arrivalNs: 50_000, offset: 0, size: 512, write: false, dir: DMA_BIDIRECTIONAL, cpu: 1, minAlignMask: 0, mayBlock: false, forced: false },
      // dev_addr all ones (unknown original) gives offset 0.
      { arrivalNs: 1_900_000, offset: 0, size: 66, write: false, dir: DMA_BIDIRECTIONAL, cpu: 0, minAlignMask: 0, mayBlock: false, forced: true },
    ]);
    expect(t.warnings.join()).toMatch(/bounced\.txt: line 9: lines that are not swiotlb_bounced events are skipped/);
  });

  it('reads "swiotlb buffer is full" log lines as map attempts of the printed size', async () => {
    const t = await readTrace(join(FIXTURES, 'ftrace', 'full.dmesg.txt'));
    expect(t.format).toBe('swiotlb-dmesg');
    expect(t.requests.map((r) => [r.arrivalNs, r.size])).toEqual([[0, 262144], [100_000_000, 8192]]);
  });
});
