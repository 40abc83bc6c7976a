/**
 * `npm run size`'s search: bisection finds the same smallest passing pool as
 * probing every candidate, on synthetic outcomes and on real deterministic
 * replays (msr-hm0 and an NVMe profile on the virtual-time engine); and what
 * it writes (sizing.csv with the declared header, sizing.md, sizing.json,
 * sizing.png, report.html), with exit 2 and nothing written for bad input.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bisectPool, scanPools } from '../../src/analysis/pool-search.js';
import { IO_TLB_SEGSIZE, IO_TLB_SIZE } from '../../src/model/constants.js';
import { cocoBootSlots } from '../../src/model/pool-sizing.js';
import { SIZE_OPTIONS, type SizeOptions } from '../../src/cli/size-options.js';
import { candidatePools, runSizing } from '../../src/cli/size-study.js';
import { sizingHeader } from '../../src/export/sizing-columns.js';
import { runCli, tempDir } from '../helpers.js';

/** The declared defaults with `over` on top. */
function options(over: Partial<SizeOptions>): SizeOptions {
  const d = Object.fromEntries(Object.entries(SIZE_OPTIONS).map(([k, s]) => [k, s.default])) as SizeOptions;
  return { ...d, checkDuration: 0, jobs: 2, ...over };
}

describe('bisection over candidate pools', () => {
  it('finds the first passing candidate of every monotone outcome list, with at most log2(n) + 1 probes', async () => {
    for (let n = 0; n <= 13; n++) {
      for (let first = 0; first <= n; first++) {
        const outcomes = Array.from({ length: n }, (_, i) => i >= first);
        let probes = 0;
        const passes = async (i: number) => {
          probes++;
          return outcomes[i];
        };
        expect(await bisectPool(n, passes)).toBe(first);
        expect(probes).toBeLessThanOrEqual(Math.ceil(Math.log2(n + 1)));
        expect((await scanPools(n, async (i) => outcomes[i])).index).toBe(first);
      }
    }
  });

  it('the scan reports outcomes that are not monotone, which bisection cannot see', async () => {
    const outcomes = [false, true, false, true];
    expect(await scanPools(4, async (i) => outcomes[i])).toEqual({ index: 1, monotone: false });
  });

  it("searches only the pools the kernel's rounding can make: powers of two, at least 128 slots per area", async () => {
    const c = await candidatePools('per-cpu-areas', 8, []);
    expect(c[0]).toEqual({ requestSlots: 128, slots: 1024, nareas: 8 });
    expect(c.map((x) => x.slots)).toEqual([1024, 2048, 4096, 8192, 16384, 32768, 65536, 131072, 262144, 524288]);
    expect((await candidatePools('global-lock', 1, [])).length).toBe(13);
  });
});

describe('npm run size on deterministic replays', () => {
  it('bisection gives the same answer as an exhaustive scan, and the scan finds the outcomes monotone', async () => {
    const o = options({ workload: ['msr-hm0', 'nvme-4k-randread-qd32'], strategy: ['global-lock', 'per-cpu-areas'], threads: [1, 8], seeds: [1] });
    const log = () => undefined;
    const bisect = await runSizing(o, { log });
    const scan = await runSizing(o, { log, scan: true });
    const key = (a: (typeof bisect)[number]) => [a.workload, a.strategy, a.cpus, a.minPool?.slots, a.ratePool?.slots].join('/');
    expect(bisect.map(key)).toEqual(scan.map(key));
    expect(scan.every((a) => a.nonMonotone.length === 0)).toBe(true);
    for (const a of bisect) {
      // The answer passed with no failure, and it is not smaller than the peak use it had.
      expect(a.minPool).toBeDefined();
      expect(a.at!.failures).toBe(0);
      expect(a.minPool!.slots).toBeGreaterThanOrEqual(a.at!.hiwaterSlots);
      // The floor is the kernel's: round_up_default_nslabs() gives each area at least one segment; one area never goes under the 256 KiB searched.
      expect(a.floorSlots).toBe(a.strategy === 'per-cpu-areas' ? IO_TLB_SEGSIZE * a.cpus : IO_TLB_SEGSIZE);
      expect(a.minPool!.slots).toBeGreaterThanOrEqual(a.floorSlots!);
      // Bisection probed fewer pools than the scan.
      expect(a.probes).toBeLessThan(scan.find((s) => key(s) === key(a))!.probes);
    }
    // msr-hm0 on one CPU peaks at 388 KiB in use (test/workloads): 256 KiB cannot hold it.
    expect(bisect.find((a) => a.workload === 'msr-hm0' && a.strategy === 'global-lock' && a.cpus === 1)!.minPool!.slots * IO_TLB_SIZE).toBeGreaterThan(388 * 1024);
  }, 120_000);

  it('writes sizing.csv (declared header), sizing.md, sizing.json, sizing.png and report.html', () => {
    const out = tempDir('size');
    const r = runCli('size', ['--workload', 'msr-hm0', '--strategy', 'global-lock,dynamic-growth', '--threads', '1,2', '--vm-memory', '2,8', '--check-duration', '0.2', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    const dir = join(out, 'latest');
    expect(readdirSync(dir).sort()).toEqual(['report.html', 'sizing.csv', 'sizing.json', 'sizing.md', 'sizing.png']);
    const [header, ...lines] = readFileSync(join(dir, 'sizing.csv'), 'utf8').trim().split('\n');
    expect(header.split(',')).toEqual(sizingHeader([2, 8]));
    expect(lines).toHaveLength(4);
    const rows = JSON.parse(readFileSync(join(dir, 'sizing.json'), 'utf8')).rows as Record<string, number | string>[];
    const one = rows.find((x) => x.strategy === 'global-lock' && x.cpus === 1)!;
    // The 2 GiB VM's pool is the kernel's 128 MiB, and the spare is that less the answer.
    expect(one.coco_2gib_mib).toBe((cocoBootSlots(2 * 2 ** 30, 1) * IO_TLB_SIZE) / 2 ** 20);
    expect(one.coco_2gib_spare_mib).toBeCloseTo(128 - Number(one.min_pool_mib), 2);
    // The real-thread check ran at 1 and 2 CPUs (this machine's cores) for the static strategy, and is reported.
    expect(Number.isInteger(one.real_failures)).toBe(true);
    const dyn = rows.find((x) => x.strategy === 'dynamic-growth' && x.cpus === 2)!;
    expect(dyn.kind).toBe('dynamic');
    expect(Number(dyn.peak_memory_mib)).toBeGreaterThanOrEqual(64);
    expect(readFileSync(join(dir, 'sizing.md'), 'utf8')).toContain('## msr-hm0');
    expect(readFileSync(join(dir, 'report.html'), 'utf8')).toContain('sizing.png');
  }, 120_000);

  it.each([
    [['--workload', 'nope'], /workload/],
    [['--vm-memory', '0'], /--vm-memory/],
    [['--max-failure-rate', '2'], /--max-failure-rate/],
    [['--strategy', 'global-lock', '--calibration', 'missing.json'], /missing\.json/],
  ])('bad input %j: exit 2, the option named, nothing written', (args, why) => {
    const out = tempDir('size-bad');
    const r = runCli('size', [...args, '--threads', '1', '--out', out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(why);
    expect(existsSync(out) ? readdirSync(out).filter((d) => !d.startsWith('.')) : []).toEqual([]);
  });
});
