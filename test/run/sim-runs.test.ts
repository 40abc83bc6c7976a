/**
 * `npm run bench -- --engine sim` end to end, through the built CLI: the same
 * command in two processes gives identical result rows; what the cost model
 * must show (no lock waits where no lock is shared, remote copies only where
 * a pool is remote); every strategy and completion mode drains its pool; bad
 * engine inputs are exit 2 naming the file and field.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { FIXTURES, runCli, tempDir } from '../helpers.js';

type Row = Record<string, string>;

/** Run the bench with `args` into a fresh directory; the result directory and its throughput rows. */
function bench(args: string[]): { dir: string; rows: Row[] } {
  const out = tempDir('sim');
  const r = runCli('bench', [...args, '--out', out, '--no-progress']);
  expect(r.code, r.stderr + r.stdout).toBe(0);
  const dir = join(out, 'latest');
  return { dir, rows: parse(readFileSync(join(dir, 'throughput.csv'), 'utf8'), { columns: true }) as Row[] };
}

const row = (rows: Row[], strategy: string, threads: number) => rows.find((r) => r.strategy === strategy && Number(r.threads) === threads)!;

describe('--engine sim', () => {
  it('gives identical rows for the same command in two processes', () => {
    const args = ['--engine', 'sim', '--strategy', 'global-lock,per-cpu-areas,per-numa-pools', '--workload', 'tpcc', '--threads', '1,8,64', '--nodes', '4', '--repeat', '2', '--sim-maps', '20000'];
    const a = bench(args);
    const b = bench(args);
    for (const file of ['throughput.csv', 'fragmentation.csv']) {
      expect(readFileSync(join(a.dir, file), 'utf8')).toBe(readFileSync(join(b.dir, file), 'utf8'));
    }
    expect(a.rows.every((r) => r.engine === 'sim')).toBe(true);
    expect(readFileSync(join(a.dir, 'summary.md'), 'utf8')).toContain('engine: sim (virtual time); maps/s and latencies are predicted from');
    // Deterministic within a process too: both repeats of a cell are the same.
    const cell = a.rows.filter((r) => r.strategy === 'per-cpu-areas' && r.threads === '64');
    expect(cell.map((r) => r.maps_per_s)).toEqual([cell[0].maps_per_s, cell[0].maps_per_s]);
  }, 120_000);

  it('predicts a .ts plug-in, which runs on tsx\'s own copy of src/model, exactly as the built-in it copies', () => {
    const args = ['--engine', 'sim', '--workload', 'tpcc', '--threads', '4', '--repeat', '1', '--sim-maps', '5000'];
    const [a] = bench(['--strategy', 'per-cpu-areas', ...args]).rows;
    const [b] = bench(['--strategy', join(FIXTURES, 'strategies', 'per-cpu-areas-copy.ts'), ...args]).rows;
    // debugfs on: the shared io_tlb_used line moves between the 4 CPUs, so there are transfers to charge.
    expect(Number(a.sim_transfer_pct)).toBeGreaterThan(0);
    for (const k of ['maps_per_s', 'sim_transfer_pct', 'sim_lock_wait_pct', 'slots_scanned_per_map', 'hiwater_slots']) expect(b[k], k).toBe(a[k]);
  }, 120_000);

  it('charges lock waits only where CPUs share a lock, and one CPU the same whatever the strategy', () => {
    const { rows } = bench(['--engine', 'sim', '--strategy', 'global-lock,per-cpu-areas', '--workload', 'nvme-4k-randread-qd32', '--threads', '1,8', '--debugfs', 'off', '--repeat', '1', '--sim-maps', '20000']);
    expect(row(rows, 'global-lock', 1).maps_per_s).toBe(row(rows, 'per-cpu-areas', 1).maps_per_s);
    const global = row(rows, 'global-lock', 8);
    const areas = row(rows, 'per-cpu-areas', 8);
    expect(Number(global.lock_contended_pct)).toBeGreaterThan(0);
    expect(Number(global.sim_lock_wait_pct)).toBeGreaterThan(0);
    // Eight areas, each CPU its own, no shared counters (debugfs off), no fallbacks: nothing to wait for or move.
    expect(Number(areas.area_fallbacks_per_map)).toBe(0);
    expect(Number(areas.lock_contended_pct)).toBe(0);
    expect(Number(areas.sim_transfer_pct)).toBe(0);
    expect(Number(areas.maps_per_s)).toBeGreaterThan(Number(global.maps_per_s));
    for (const r of rows) expect(r.io_tlb_used_after).toBe('0');
  }, 120_000);

  it('charges remote copies to CPUs on another node than the pool, and none to per-numa-pools serving its own node', () => {
    const { rows } = bench(['--engine', 'sim', '--strategy', 'global-lock,per-numa-pools', '--workload', 'nvme-4k-randread-qd32', '--threads', '2', '--nodes', '2', '--repeat', '1', '--sim-maps', '20000']);
    expect(Number(row(rows, 'global-lock', 2).sim_remote_pct)).toBeGreaterThan(0); // CPU 1 is on node 1, the pool on node 0
    const numa = row(rows, 'per-numa-pools', 2);
    expect(numa.remote_maps).toBe('0');
    expect(Number(numa.sim_remote_pct)).toBe(0);
  }, 120_000);

  it('a --nodes list runs each strategy once per node count, and more nodes put more CPUs away from a single pool', () => {
    const { rows } = bench(['--engine', 'sim', '--strategy', 'global-lock,per-numa-pools', '--workload', 'nvme-4k-randread-qd32', '--threads', '8', '--nodes', '2,4', '--repeat', '1', '--sim-maps', '20000']);
    expect(rows.map((r) => r.strategy).sort()).toEqual(['global-lock/nodes=2', 'global-lock/nodes=4', 'per-numa-pools/nodes=2', 'per-numa-pools/nodes=4']);
    // One pool on node 0: half the CPUs are remote on 2 nodes, three quarters on 4.
    const remote = (s: string) => Number(row(rows, s, 8).sim_remote_pct);
    expect(remote('global-lock/nodes=2')).toBeGreaterThan(0);
    expect(remote('global-lock/nodes=4')).toBeGreaterThan(remote('global-lock/nodes=2'));
    expect(remote('per-numa-pools/nodes=4')).toBe(0);
  }, 60_000);

  it('runs growing and throttled strategies and cross-CPU completion, and drains every pool', () => {
    const grow = bench(['--engine', 'sim', '--strategy', 'dynamic-growth,throttled-areas', '--workload', 'nvme-mixed-70r30w', '--pool', '1MiB', '--threads', '4', '--repeat', '1', '--sim-maps', '20000']);
    expect(Number(row(grow.rows, 'dynamic-growth', 4).growths)).toBeGreaterThan(0);
    const other = bench(['--engine', 'sim', '--strategy', 'per-cpu-areas', '--workload', 'net-rx-mtu1500', '--completion-cpu', 'other', '--threads', '4', '--repeat', '1', '--sim-maps', '20000']);
    expect(Number(row(other.rows, 'per-cpu-areas', 4).maps)).toBeGreaterThan(0);
    for (const r of [...grow.rows, ...other.rows]) expect(r.io_tlb_used_after).toBe('0');
  }, 120_000);

  it('a real job ends with the sweep: scaling-sim.csv, and where each strategy stops scaling in words', () => {
    const out = tempDir('sweep');
    const r = runCli('bench', ['--strategy', 'global-lock,per-cpu-areas', '--workload', 'tpcc', '--threads', '1', '--repeat', '2', '--duration', '0.3', '--warmup', '0.1', '--sim-sweep', '1,4,16', '--sim-maps', '8000', '--out', out, '--no-progress']);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    const dir = join(out, 'latest');
    const sweep = parse(readFileSync(join(dir, 'scaling-sim.csv'), 'utf8'), { columns: true }) as Row[];
    expect(sweep.map((x) => `${x.strategy} ${x.threads} ${x.engine}`).sort()).toEqual(
      ['global-lock 1 sim', 'global-lock 16 sim', 'global-lock 4 sim', 'per-cpu-areas 1 sim', 'per-cpu-areas 16 sim', 'per-cpu-areas 4 sim']);
    const real = parse(readFileSync(join(dir, 'throughput.csv'), 'utf8'), { columns: true }) as Row[];
    expect(real.every((x) => x.engine === 'real')).toBe(true);
    expect(existsSync(join(dir, 'REPORT-ERROR.txt')), 'the charts drew').toBe(false);
    expect(existsSync(join(dir, 'scaling.png'))).toBe(true);
    expect(readFileSync(join(dir, 'summary.md'), 'utf8')).toMatch(/scaling-sim\.csv and the dashed lines are predicted from .*default\.json, measured on /);
    expect(r.stdout).toMatch(/tpcc, global-lock: predicted to (stop scaling at \d+ CPUs|keep scaling to 16 CPUs)/);
  }, 120_000);

  it('keeps the measured results when the sweep cannot run, and says why', () => {
    const out = tempDir('sweep-fail');
    // per-numa-pools with one CPU per node on 2 nodes cannot plan 4 CPUs.
    const r = runCli('bench', ['--strategy', 'per-numa-pools', '--nodes', '2', '--cpus-per-node', '1', '--workload', 'tpcc', '--threads', '1,2', '--repeat', '1', '--duration', '0.2', '--warmup', '0.1', '--sim-sweep', '1,4', '--out', out, '--no-progress']);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(r.stdout).toMatch(/warning: the sim sweep \(--sim-sweep 1,4\) did not run: .*; the measured results are complete/);
    expect(existsSync(join(out, 'latest', 'throughput.csv'))).toBe(true);
    expect(existsSync(join(out, 'latest', 'scaling-sim.csv'))).toBe(false);
  }, 60_000);

  it('refuses a malformed calibration or distance table with exit 2 naming the file and field', () => {
    const dir = tempDir('sim-bad');
    const cal = join(dir, 'cal.json');
    writeFileSync(cal, JSON.stringify({ schema: 1, machine: { cpu_model: 'x', cores: 2, node: 'v20', platform: 'linux', measured_at: 'now' }, terms: { map_fixed_ns: 'fast' } }));
    const a = runCli('bench', ['--engine', 'sim', '--calibration', cal, '--out', dir]);
    expect(a.code).toBe(2);
    expect(a.stderr).toContain(`--calibration ${cal}: field 'terms.map_fixed_ns'`);
    const slit = join(dir, 'slit.txt');
    writeFileSync(slit, '10 20\n20\n');
    const b = runCli('bench', ['--engine', 'sim', '--nodes', '2', '--numa-distance', slit, '--out', dir]);
    expect(b.code).toBe(2);
    expect(b.stderr).toContain(`${slit}:2: 1 distances, expected 2`);
    const v = runCli('bench', ['--engine', 'sim', '--verify', '--out', dir]);
    expect(v.code).toBe(2);
    expect(v.stderr).toContain('--verify cannot run with --engine sim');
  }, 60_000);
});

describe('--engine sim with --iova-granule', () => {
  it('an untrusted NIC takes a whole granule per 1536-byte buffer: 2 slots at 4k, 32 at 64k (alloc_align_mask = granule - 1)', () => {
    const args = (g: string) => ['--engine', 'sim', '--strategy', 'per-cpu-areas', '--workload', 'iommu-untrusted-nic', '--threads', '2', '--repeat', '1', '--sim-maps', '20000', '--iova-granule', g];
    const small = Number(row(bench(args('4k')).rows, 'per-cpu-areas', 2).hiwater_slots);
    const large = Number(row(bench(args('64k')).rows, 'per-cpu-areas', 2).hiwater_slots);
    // The same ring buffers in flight (the peak may move by a few as the cost of a map changes).
    expect(large / small).toBeGreaterThan(15);
    expect(large / small).toBeLessThan(17);
  }, 120_000);
});

describe('--engine sim with strategies written in JavaScript', () => {
  it("charges cache-friendly-areas' JavaScript counter atomics like pool-ops.wat's: at 64 CPUs the shared io_tlb_mem line bounds it as it bounds per-cpu-areas", () => {
    const { rows } = bench(['--engine', 'sim', '--strategy', 'cache-friendly-areas,per-cpu-areas', '--workload', 'msr-hm0', '--threads', '64', '--repeat', '1', '--sim-maps', '20000']);
    const ratio = Number(row(rows, 'cache-friendly-areas', 64).maps_per_s) / Number(row(rows, 'per-cpu-areas', 64).maps_per_s);
    // Without the counter touches the engine saw no shared line and predicted tens of times per-cpu-areas.
    expect(ratio).toBeGreaterThan(0.5);
    expect(ratio).toBeLessThan(2);
  }, 120_000);
});

describe('--engine sim with two devices (virtio-blk-net)', () => {
  it("maps each device in its own restricted pool, and the shared pool's plan and memory line say how each strategy divided the memory", () => {
    const { dir, rows } = bench(['--engine', 'sim', '--strategy', 'per-cpu-areas,per-device-pools', '--workload', 'virtio-blk-net', '--threads', '4', '--repeat', '1', '--sim-maps', '20000']);
    const devices = row(rows, 'per-device-pools', 4);
    // Both pools were used: the NIC's ring buffers hold device 1's, the disk's I/O device 0's.
    expect(Number(devices.node0_hiwater_slots)).toBeGreaterThan(0);
    expect(Number(devices.node1_hiwater_slots)).toBeGreaterThan(0);
    expect(Number(devices.io_tlb_used_after)).toBe(0);
    const summary = readFileSync(join(dir, 'summary.md'), 'utf8');
    expect(summary).toMatch(/virtio-blk-net, 4 threads: every strategy had 64 MiB \(equal memory\)/);
    expect(summary).toMatch(/per-device-pools: 64 MiB, 2 device pool\(s\) \(2 x 16384 slots\), 1 area each/);
  }, 120_000);
});
