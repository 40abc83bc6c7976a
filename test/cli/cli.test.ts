import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { FIXTURES, runCli, tempDir } from '../helpers.js';

const QUICK = ['--duration', '0.2', '--warmup', '0.05', '--repeat', '1', '--sample-interval', '50'];

/** Result directories that look complete (not hidden staging ones). */
function completeDirs(out: string): string[] {
  return existsSync(out) ? readdirSync(out).filter((d) => !d.startsWith('.')) : [];
}

describe('npm run bench', () => {
  it('replays a real trace through both strategies at 1 and 2 threads and writes the data, the pictures and the report', () => {
    const out = tempDir('bench');
    const r = runCli('bench', [...QUICK, '--workload', 'msr-hm0', '--threads', '1,2', '--out', out]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/2 cores|cores \(/);
    expect(r.stdout).toMatch(/^msr-hm0, 2 threads: (global-lock|per-cpu-areas) fastest, \d+\.\d\dx (global-lock|per-cpu-areas) \(\d+(\.\d+[kM])? vs \d+(\.\d+[kM])? maps\/s, 0% vs 0% failed\); one repeat, so no noise estimate \(use --repeat\)\.$/m);
    const dirs = completeDirs(out);
    expect(dirs).toContain('latest');
    const run = dirs.find((d) => /^\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d-msr-hm0$/.test(d));
    expect(run).toBeDefined();
    for (const dir of [join(out, run!), join(out, 'latest')]) {
      expect(readdirSync(dir).sort()).toEqual(['area-balance.png', 'failures.png', 'fragmentation.csv', 'fragmentation.png', 'latency.png', 'occupancy.png',
        'pool-map.png', 'report.html', 'scaling.png', 'summary.json', 'summary.md', 'throughput.csv']);
    }
    const throughput = parse(readFileSync(join(out, 'latest', 'throughput.csv')), { columns: true }) as Record<string, string>[];
    expect(throughput).toHaveLength(4);
    for (const column of ['strategy', 'workload', 'threads', 'nareas', 'pool_slots', 'repeat', 'seconds', 'maps', 'maps_per_s', 'mib_per_s', 'full_failures', 'map_mean_ns', 'map_sd_ns', 'map_p50_ns', 'map_p99_ns', 'map_p999_ns', 'unmap_mean_ns', 'unmap_p50_ns', 'unmap_p99_ns', 'slots_scanned_per_map', 'area_fallbacks_per_map', 'lock_contended_pct', 'hiwater_slots']) {
      expect(throughput[0]).toHaveProperty(column);
    }
    expect(new Set(throughput.map((t) => t.strategy))).toEqual(new Set(['global-lock', 'per-cpu-areas']));
    expect(throughput.every((t) => Number(t.maps_per_s) > 0 && Number(t.io_tlb_used_after) === 0)).toBe(true);
    expect(throughput.find((t) => t.strategy === 'per-cpu-areas' && t.threads === '2')!.nareas).toBe('2');
    const frag = parse(readFileSync(join(out, 'latest', 'fragmentation.csv')), { columns: true }) as Record<string, string>[];
    expect(frag.length).toBeGreaterThanOrEqual(4 * 3);
    for (const f of frag) {
      for (const k of ['unusable_1', 'unusable_8', 'unusable_32', 'unusable_128']) expect(Number(f[k])).toBeGreaterThanOrEqual(0);
      expect(Number(f.internal_waste_pct)).toBeGreaterThanOrEqual(0);
      // Measuring starts by writing 0 to the mark (io_tlb_hiwater_set): it is 0 until the next map raises it
      // to io_tlb_used, then never below it; the first sample is taken at once, the next ones after maps.
      if (Number(f.t_ms) > 0) expect(Number(f.io_tlb_used)).toBeLessThanOrEqual(Number(f.io_tlb_used_hiwater));
    }
    const summary = JSON.parse(readFileSync(join(out, 'latest', 'summary.json'), 'utf8'));
    expect(summary.machine.cores).toBeGreaterThan(0);
    expect(summary.throughput).toHaveLength(4);
    expect(summary.workloads['msr-hm0 threads=1'].requests).toBe(1000);
    const md = readFileSync(join(out, 'latest', 'summary.md'), 'utf8');
    expect(md.match(/average map latency\(us\):\d+\.\d standard deviation:\d+\.\d/g)).toHaveLength(4);
    expect(md.match(/average unmap latency\(us\):\d+\.\d standard deviation:\d+\.\d/g)).toHaveLength(4);
  });

  it('--help lists every option with its default', () => {
    const r = runCli('bench', ['--help']);
    expect(r.code).toBe(0);
    for (const opt of ['--strategy', '--workload', '--threads', '--duration', '--repeat', '--pool', '--areas', '--seed', '--verify', '--out', '--latency', '--segment', '--completion-cpu']) expect(r.stdout).toContain(opt);
    expect(r.stdout).toMatch(/--latency <spec>[\s\S]*default: 80\+3000\)/);
  });
});

describe('bad input', () => {
  it('a malformed trace line fails with file, line and field, exit 2, and no complete result directory', () => {
    const out = tempDir('bad');
    const trace = join(tempDir('trace'), 'broken.csv');
    const good = readFileSync(join(FIXTURES, 'traces', 'msr-small.csv'), 'utf8');
    writeFileSync(trace, good + '128166385296514999,hm,0,Read,4096,4k,100\n');
    const r = runCli('bench', [...QUICK, '--workload', `trace:${trace}`, '--out', out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/broken\.csv:4: field 'Size': '4k' is not a non-negative integer/);
    expect(completeDirs(out)).toEqual([]);
  });

  it('an unknown strategy lists the valid ones', () => {
    const r = runCli('bench', [...QUICK, '--strategy', 'slab-magic', '--out', tempDir('bad')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown strategy 'slab-magic'; valid strategy names: global-lock, per-cpu-areas/);
  });

  it('an unknown workload lists the valid ones', () => {
    const r = runCli('bench', [...QUICK, '--workload', 'nope', '--out', tempDir('bad')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown workload 'nope'; valid workload names: msr-hm0, tpcc, systor17-vdi, tencent-cbs, pcap-smtp, nvme-gen, .*net-rx-mtu1500.*coco-boot-mix, iommu-untrusted-nvme, iommu-untrusted-nic, virtio-blk-net, noncoherent-kmalloc, trace:PATH/);
  });

  it.each([
    [['--frobnicate'], /unknown option '--frobnicate'/],
    [['--threads', '0'], /expected a thread count/],
    [['--pool', '64 parsecs'], /expected bytes with a KiB\/MiB\/GiB suffix/],
    [['--segment', 'huge'], /Allowed choices are max, page/],
    [['--latency', 'fast'], /expected BASE_US\[\+MB_PER_S\]/],
  ])('%s is an error that says what is accepted (exit 2)', (args, message) => {
    const r = runCli('bench', [...QUICK, ...args, '--out', tempDir('bad')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
  });

  it('a run that fails leaves only a hidden partial directory with the error', () => {
    const out = tempDir('fail');
    const r = runCli('bench', [...QUICK, '--workload', 'tpcc', '--threads', '2', '--barrier-timeout', '0.001', '--out', out]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/start barrier: only \d of 2 workers/);
    expect(completeDirs(out)).toEqual([]);
    const partial = readdirSync(out).filter((d) => d.endsWith('.partial'));
    expect(partial).toHaveLength(1);
    expect(readFileSync(join(out, partial[0], 'ERROR.txt'), 'utf8')).toMatch(/start barrier/);
  });
});

describe('strategy plug-ins and --list', () => {
  it('--list names every strategy and workload with a line each', () => {
    const r = runCli('bench', ['--list']);
    expect(r.code).toBe(0);
    for (const name of ['global-lock', 'per-cpu-areas', 'per-numa-pools', 'dynamic-growth', 'throttled-areas', 'msr-hm0', 'tpcc', 'nvme-gen']) {
      expect(r.stdout).toMatch(new RegExp(`^  ${name} +\\S`, 'm'));
    }
  });

  it('runs the example plug-in from its path beside a built-in, in verify mode', () => {
    const out = tempDir('plugin');
    const r = runCli('bench', [...QUICK, '--strategy', 'per-cpu-areas,./examples/least-used-area.ts', '--workload', 'tpcc', '--threads', '2', '--verify', '--out', out]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const rows = parse(readFileSync(join(out, 'latest', 'throughput.csv')), { columns: true }) as Record<string, string>[];
    expect(rows.map((row) => row.strategy)).toEqual(['per-cpu-areas', 'least-used-area']);
    expect(r.stdout).toMatch(/least-used-area tpcc threads=2 .*verify: 0 corrupted of [1-9]\d* bytes, 0 overlaps/);
  });

  it('a plug-in file that exports no strategy is an input error', () => {
    const dir = tempDir('plugin');
    writeFileSync(join(dir, 'empty.mjs'), 'export const nothing = 1;\n');
    const r = runCli('bench', [...QUICK, '--strategy', join(dir, 'empty.mjs'), '--out', dir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/empty\.mjs: exports no Strategy as 'default' or 'strategy' \(missing: name, description, plan, create, attach\)/);
  });
});
