/** summary.md's Bounce memory section: each strategy's total and how it divided it, and whether the totals agree. */
import { describe, expect, it } from 'vitest';
import { bounceMemorySection, planDivision } from '../../src/analysis/bounce-memory.js';
import { dynamicGrowth } from '../../strategies/dynamic-growth/index.js';
import { perCpuAreas } from '../../strategies/per-cpu-areas.js';
import { perDevicePools } from '../../strategies/per-device-pools.js';

const row = (strategy: string) => ({ strategy, workload: 'virtio-blk-net', threads: 2 });

describe('bounce memory section', () => {
  it('says every strategy had the same memory when the plans agree, and how each divided it', () => {
    const areas = perCpuAreas.plan({ rules: 'newest', threads: 2 });
    const devices = perDevicePools.plan({ rules: 'newest', threads: 2, devices: 2 });
    const text = bounceMemorySection([{ row: row('per-cpu-areas'), plan: areas }, { row: row('per-device-pools'), plan: devices }]).join('\n');
    expect(text).toMatch(/virtio-blk-net, 2 threads: every strategy had 64 MiB \(equal memory\)/);
    expect(text).toMatch(/per-cpu-areas: 64 MiB, one pool of 32768 slots in 2 areas/);
    expect(text).toMatch(/per-device-pools: 64 MiB, 2 device pool\(s\) \(2 x 16384 slots\), 1 area each/);
  });

  it('flags different totals (a --device-pool of 8 MiB each against a 64 MiB pool)', () => {
    const areas = perCpuAreas.plan({ rules: 'newest', threads: 2 });
    const devices = perDevicePools.plan({ rules: 'newest', threads: 2, devices: 2, devicePoolSlots: 4096 });
    const text = bounceMemorySection([{ row: row('per-cpu-areas'), plan: areas }, { row: row('per-device-pools'), plan: devices }]).join('\n');
    expect(text).toMatch(/the strategies had different memory/);
    expect(text).toMatch(/per-device-pools: 16 MiB/);
  });

  it("counts a growing strategy's budget, not its boot pool", () => {
    const plan = dynamicGrowth.plan({ rules: 'newest', threads: 2, poolSlots: 512, maxPoolSlots: 32768 });
    expect(planDivision(plan)).toMatch(/boot pool of 512 slots .* up to 32768 slots/);
    expect(bounceMemorySection([{ row: row('dynamic-growth'), plan }]).join('\n')).toMatch(/dynamic-growth: 64 MiB/);
  });
});
