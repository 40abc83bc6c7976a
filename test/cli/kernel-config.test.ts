/**
 * The kernel configuration a run states and keeps: the boot pool the kernel
 * would give (round_up_default_nslabs), dynamic-growth's area count, and
 * `--debugfs` / `--lock` in summary.json, the plans and throughput.csv.
 */
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../helpers.js';

const QUICK = ['--workload', 'nvme-4k-randread-qd32', '--gen-ios', '64', '--duration', '0.1', '--warmup', '0', '--repeat', '1', '--no-progress'];
const cores = availableParallelism();

function results(out: string) {
  return {
    summary: JSON.parse(readFileSync(join(out, 'latest', 'summary.json'), 'utf8')),
    rows: parse(readFileSync(join(out, 'latest', 'throughput.csv')), { columns: true }) as Record<string, string>[],
    md: readFileSync(join(out, 'latest', 'summary.md'), 'utf8'),
  };
}

describe('kernel configuration of a run', () => {
  it('per-cpu-areas --pool 1024 --threads 16 runs 2048 slots in 16 areas and says why; dynamic-growth at 32 threads has 32 areas', () => {
    const out = join(tempDir('kcfg'), 'out');
    const r = runCli('bench', [...QUICK, '--strategy', 'per-cpu-areas', '--pool', '1024', '--threads', '16', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('warning: per-cpu-areas (threads=16): pool of 1024 slots rounded up to 2048 (4096 KiB) in 16 areas, so each of 16 areas holds a 128-slot segment (round_up_default_nslabs)');
    const { rows, md, summary } = results(out);
    expect(rows[0]).toMatchObject({ pool_slots: '2048', nareas: '16', lock: 16 <= cores ? 'qspinlock' : 'mutex' });
    expect(md).toContain('software IO TLB: SWIOTLB bounce buffer size roundup to 4MB');
    expect(summary.plans['per-cpu-areas threads=16'].notes).toContain('software IO TLB: area num 16.');

    const dyn = join(tempDir('kcfg'), 'out');
    const d = runCli('bench', [...QUICK, '--strategy', 'dynamic-growth', '--threads', '32', '--out', dyn]);
    expect(d.code, d.stderr).toBe(0);
    // 1 MiB asked, 32 CPUs: 128 x 32 = 4096 slots in 32 areas.
    expect(results(dyn).rows[0]).toMatchObject({ nareas: '32', pool_slots: '4096' });
  }, 120_000);

  it('--debugfs off and --lock mutex are in the configuration, the plans and every row; the pool still drains to 0', () => {
    const out = join(tempDir('kcfg'), 'out');
    const r = runCli('bench', [...QUICK, '--strategy', 'per-cpu-areas,dynamic-growth', '--threads', '1', '--debugfs', 'off', '--lock', 'mutex', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    const { summary, rows } = results(out);
    expect(summary.config).toMatchObject({ debugfs: 'off', lock: 'mutex' });
    expect(summary.plans['per-cpu-areas threads=1']).toMatchObject({ debugfs: false, lock: 'mutex' });
    expect(summary.plans['per-cpu-areas threads=1'].notes.join()).toMatch(/lock: mutex, .*chosen with --lock/);
    for (const row of rows) {
      expect(row.lock).toBe('mutex');
      expect(Number(row.io_tlb_used_after)).toBe(0);
      // No kernel high-water mark without debugfs: the largest sample stands in.
      expect(Number(row.hiwater_slots)).toBeGreaterThan(0);
    }
  }, 120_000);

  it('without --lock each run gets the spinlock when its threads (and a growth thread) fit on the cores, else the mutex', () => {
    const out = join(tempDir('kcfg'), 'out');
    const r = runCli('bench', [...QUICK, '--strategy', 'global-lock,dynamic-growth', '--threads', `1,${cores}`, '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    const { summary, rows } = results(out);
    expect(summary.config.lock).toBe('auto');
    const lockOf = (strategy: string, threads: number) => rows.find((x) => x.strategy === strategy && Number(x.threads) === threads)!.lock;
    expect(lockOf('global-lock', 1)).toBe('qspinlock');
    expect(lockOf('global-lock', cores)).toBe('qspinlock');
    expect(lockOf('dynamic-growth', 1)).toBe(cores >= 2 ? 'qspinlock' : 'mutex');
    expect(lockOf('dynamic-growth', cores)).toBe('mutex'); // its growth thread needs a core too
    expect(summary.plans[`dynamic-growth threads=${cores}`].notes.join()).toMatch(/1 background thread on \d+ cores?/);
  }, 120_000);

  it('refuses a lock or debugfs setting it does not know, naming the choices', () => {
    const r = runCli('bench', ['--lock', 'rwsem']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/qspinlock, mutex/);
    expect(runCli('bench', ['--debugfs', 'maybe']).code).toBe(2);
  });
});
