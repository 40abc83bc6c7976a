/**
 * `npm run bench -- --shard i/n` and `npm run merge`: the assignment of
 * (workload, threads) groups to shards is a stable partition; shards merge
 * into the very result files of one unsharded run (sim engine: byte for
 * byte; real engine: the same files); and every bad input, on either
 * command, is exit 2 naming the problem, with nothing written.
 */
import { cpSync, existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { InputError } from '../../src/base/errors.js';
import { mergeCommand } from '../../src/cli/merge-command.js';
import { MERGE_OPTIONS } from '../../src/cli/merge-options.js';
import { defaultShown, flagText } from '../../src/cli/option-spec.js';
import { SHARD_ENV, dealUnits, parseShard, resolveShard, shardUnits } from '../../src/cli/shard.js';
import { runCli, tempDir } from '../helpers.js';

/** A small deterministic matrix: 2 workloads x 2 thread counts = 4 groups, 2 strategies, one repeat. */
const SIM = ['--engine', 'sim', '--sim-maps', '2000', '--repeat', '1', '--strategy', 'global-lock,per-cpu-areas', '--workload', 'msr-hm0,tpcc', '--threads', '1,2', '--no-progress'];
/** A tiny real-engine matrix (2 groups) ending with a tiny sim sweep (4 groups). */
const REAL = ['--duration', '0.2', '--warmup', '0.1', '--repeat', '1', '--threads', '1', '--strategy', 'global-lock,per-cpu-areas', '--workload', 'msr-hm0,tpcc',
  '--sim-sweep', '1,2', '--sim-maps', '4000', '--no-progress'];

/** The complete result directories under `out` (not staging ones, not `latest`). */
function resultDirs(out: string): string[] {
  return existsSync(out) ? readdirSync(out).filter((d) => !d.startsWith('.') && d !== 'latest').sort() : [];
}

/** The one result directory under `out` of shard i/n. */
function shardDir(out: string, i: number, n: number): string {
  const found = resultDirs(out).filter((d) => d.endsWith(`-shard${i}of${n}`));
  expect(found, `shard ${i}/${n} in ${out}`).toHaveLength(1);
  return join(out, found[0]);
}

/** Run a command that must succeed. */
function ok(name: string, args: string[]): string {
  const r = runCli(name, args);
  expect(r.code, `${name} ${args.join(' ')}\n${r.stderr}`).toBe(0);
  return r.stdout;
}

/** Run a command that must fail as bad input (exit 2); returns stderr. */
function badInput(name: string, args: string[]): string {
  const r = runCli(name, args);
  expect(r.code, `${name} ${args.join(' ')}\n${r.stdout}\n${r.stderr}`).toBe(2);
  return r.stderr;
}

const read = (dir: string, file: string) => readFileSync(join(dir, file), 'utf8');
const summary = (dir: string) => JSON.parse(read(dir, 'summary.json')) as Record<string, unknown> & { config: Record<string, unknown>; warnings: string[]; command: string };

/** summary.json without what legitimately differs between a merge and an unsharded run: command, config.out, the pre-run warnings' order. */
function comparable(dir: string): Record<string, unknown> {
  const { command: _c, warnings: _w, config, ...rest } = summary(dir);
  const { out: _o, ...kept } = config;
  return { ...rest, config: kept };
}

/** A copy of shard directory `dir` at `dest` with its shard.json changed by `edit`. */
function editedCopy(dir: string, dest: string, edit: (record: Record<string, any>) => void): string {
  cpSync(dir, dest, { recursive: true });
  const record = JSON.parse(read(dest, 'shard.json'));
  edit(record);
  writeFileSync(join(dest, 'shard.json'), JSON.stringify(record));
  return dest;
}

/** process.env with the shard variables set to `vars` (all others of SHARD_ENV removed) while `f` runs. */
function withShardEnv<T>(vars: Record<string, string>, f: () => T): T {
  const saved = Object.fromEntries(SHARD_ENV.map((k) => [k, process.env[k]]));
  for (const k of SHARD_ENV) delete process.env[k];
  Object.assign(process.env, vars);
  try {
    return f();
  } finally {
    for (const k of SHARD_ENV) {
      if (saved[k] === undefined) delete process.env[k];
      else process.env[k] = saved[k];
    }
  }
}

describe('the shard assignment', () => {
  const workloads = ['msr-hm0', 'tpcc', 'systor17', 'nvme-gen', 'net-rx-mtu1500'];
  const threads = [1, 2, 4, 8];

  it('is a partition of the (workload, threads) groups, balanced, for any shard count', () => {
    const all = workloads.flatMap((w) => threads.map((t) => `${w}/${t}`)).sort();
    for (const n of [1, 2, 3, 7, 20, 21, 1024]) {
      const perShard = Array.from({ length: n }, (_, i) => shardUnits(workloads, threads, { index: i + 1, count: n }).map((u) => u.key));
      expect(perShard.flat().sort(), `n=${n}`).toEqual(all);
      const sizes = perShard.map((k) => k.length);
      expect(Math.max(...sizes) - Math.min(...sizes), `n=${n}`).toBeLessThanOrEqual(1);
      expect(sizes.slice(0, Math.min(n, all.length)).every((s) => s > 0), `n=${n}: the first shards get a group each`).toBe(true);
    }
    expect(shardUnits(workloads, threads).map((u) => u.key)).toEqual(workloads.flatMap((w) => threads.map((t) => `${w}/${t}`)));
  });

  it('is stable: the same on every call, independent of the order of the lists, and pinned by the hash', () => {
    const shardOf = (ws: string[], ts: number[], n: number) => Object.fromEntries(dealUnits(ws, ts, n).map((u) => [u.key, u.shard]));
    for (const n of [2, 3, 5]) {
      expect(shardOf(workloads, threads, n)).toEqual(shardOf(workloads, threads, n));
      expect(shardOf([...workloads].reverse(), [...threads].reverse(), n)).toEqual(shardOf(workloads, threads, n));
    }
    // Sorted by FNV-1a of WORKLOAD/THREADS and dealt round-robin: a change of hash or dealing changes this.
    expect(shardOf(['msr-hm0', 'tpcc'], [1, 2], 2)).toEqual({ 'msr-hm0/1': 1, 'tpcc/2': 1, 'msr-hm0/2': 2, 'tpcc/1': 2 });
    // A workload given twice is two groups, dealt apart by run order.
    const twice = dealUnits(['tpcc', 'tpcc'], [1], 2);
    expect(twice.map((u) => u.shard).sort()).toEqual([1, 2]);
  });

  it('parses i/n and auto/n, and refuses the rest with the accepted forms', () => {
    expect(parseShard('1/2')).toEqual({ index: 1, count: 2 });
    expect(parseShard(' 3 / 3 ')).toEqual({ index: 3, count: 3 });
    expect(parseShard('auto/1024')).toEqual({ index: 'auto', count: 1024 });
    expect(() => parseShard('2/1')).toThrow(/shard index i from 1 to 1 .*got 2/);
    expect(() => parseShard('0/2')).toThrow(/shard index i from 1 to 2 .*got 0/);
    expect(() => parseShard('1/0')).toThrow(/shard count n from 1 to 1024, got 0/);
    expect(() => parseShard('1/1025')).toThrow(/shard count n from 1 to 1024, got 1025/);
    for (const bad of ['x/2', '1/2/3', '1', '-1/2', '1.5/2', '']) expect(() => parseShard(bad), bad).toThrow(/expected i\/n \(1-based/);
  });

  it('auto/n takes the 0-based index from JOB_COMPLETION_INDEX or SLURM_ARRAY_TASK_ID, and says what is wrong with them', () => {
    const auto = { index: 'auto' as const, count: 4 };
    expect(resolveShard(auto, { JOB_COMPLETION_INDEX: '0' })).toEqual({ index: 1, count: 4 });
    expect(resolveShard(auto, { SLURM_ARRAY_TASK_ID: '3' })).toEqual({ index: 4, count: 4 });
    expect(resolveShard(auto, { JOB_COMPLETION_INDEX: '1', SLURM_ARRAY_TASK_ID: '2' })).toEqual({ index: 2, count: 4 });
    expect(resolveShard(auto, { JOB_COMPLETION_INDEX: '', SLURM_ARRAY_TASK_ID: '2' })).toEqual({ index: 3, count: 4 });
    expect(resolveShard({ index: 2, count: 4 }, { JOB_COMPLETION_INDEX: '0' })).toEqual({ index: 2, count: 4 });
    const refused = (env: Record<string, string>) => {
      try {
        resolveShard(auto, env);
      } catch (err) {
        expect(err).toBeInstanceOf(InputError);
        return (err as Error).message;
      }
      throw new Error(`accepted ${JSON.stringify(env)}`);
    };
    expect(refused({})).toMatch(/--shard auto\/4: neither JOB_COMPLETION_INDEX .* nor SLURM_ARRAY_TASK_ID .* is set/);
    expect(refused({ JOB_COMPLETION_INDEX: 'one' })).toMatch(/JOB_COMPLETION_INDEX='one' is not an integer >= 0/);
    expect(refused({ SLURM_ARRAY_TASK_ID: '-1' })).toMatch(/SLURM_ARRAY_TASK_ID='-1' is not an integer/);
    expect(refused({ SLURM_ARRAY_TASK_ID: '1.5' })).toMatch(/SLURM_ARRAY_TASK_ID='1.5' is not an integer/);
    expect(refused({ JOB_COMPLETION_INDEX: '4' })).toMatch(/JOB_COMPLETION_INDEX=4 \(0-based\) is shard 5, outside 1\.\.4/);
  });
});

describe('sim-engine shards and npm run merge', () => {
  let full: string;
  let shards: string;
  let one: string;
  let two: string;
  let merged: string;

  beforeAll(() => {
    const root = tempDir('shard-sim');
    ok('bench', [...SIM, '--out', join(root, 'full')]);
    shards = join(root, 'shards');
    ok('bench', [...SIM, '--shard', '1/2', '--out', shards]);
    // A shard's --label does not change its configuration hash.
    ok('bench', [...SIM, '--shard', '2/2', '--label', 'second', '--out', shards]);
    full = join(root, 'full', 'latest');
    one = shardDir(shards, 1, 2);
    two = shardDir(shards, 2, 2);
    const out = join(root, 'merged');
    const stdout = ok('merge', [two, one, '--out', out]); // any order
    expect(stdout).toMatch(/^results: .*merged/m);
    merged = join(out, 'latest');
  });

  it('each shard writes an ordinary result directory of its own groups, and shard.json', () => {
    const groups = (dir: string) => (summary(dir).throughput as { workload: string; threads: number }[]).map((r) => `${r.workload}/${r.threads}`);
    expect([...new Set(groups(one))].sort()).toEqual(['msr-hm0/1', 'tpcc/2']);
    expect([...new Set(groups(two))].sort()).toEqual(['msr-hm0/2', 'tpcc/1']);
    for (const dir of [one, two]) {
      expect(readdirSync(dir).sort()).toEqual([...readdirSync(full), 'shard.json'].sort());
      expect(summary(dir).throughput).toHaveLength(4);
    }
    const r1 = JSON.parse(read(one, 'shard.json'));
    const r2 = JSON.parse(read(two, 'shard.json'));
    expect(r1.schema_version).toBe(1);
    expect(r1.shard).toEqual({ index: 1, count: 2 });
    expect(r2.shard).toEqual({ index: 2, count: 2 });
    expect(r1.config_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(r2.config_hash).toBe(r1.config_hash);
    expect(r1.git_commit === null || /^[0-9a-f]{40}$/.test(r1.git_commit)).toBe(true);
    expect(r1.seed).toBe(1);
    expect(r1.machine.cores).toBeGreaterThan(0);
    expect(r1.command).toContain('--shard 1/2');
    expect(r1.units.map((u: { key: string }) => u.key)).toEqual(['msr-hm0/1', 'tpcc/2']);
    expect(r1.units[0].outcomes.map((o: { row: { strategy: string } }) => o.row.strategy)).toEqual(['global-lock', 'per-cpu-areas']);
    expect((summary(full).workloads as Record<string, unknown>)['msr-hm0 threads=1']).toMatchObject(r1.units[0].schedule.facts);
    expect(r1.sweep).toEqual([]);
    expect(summary(one).config.shard).toEqual({ index: 1, count: 2 });
  });

  it('shard 1/2 + shard 2/2 + merge = one unsharded run: the same files, the same CSVs, the same summary.json', () => {
    expect(readdirSync(merged).sort()).toEqual(readdirSync(full).sort());
    expect(readdirSync(merged)).toEqual(expect.arrayContaining(['scaling.png', 'pool-map.png', 'report.html', 'summary.md']));
    expect(read(merged, 'throughput.csv')).toBe(read(full, 'throughput.csv'));
    expect(read(merged, 'fragmentation.csv')).toBe(read(full, 'fragmentation.csv'));
    const a = comparable(merged);
    const b = comparable(full);
    for (const field of ['throughput', 'fragmentation', 'runs', 'plans', 'workloads', 'rankings', 'columns', 'machine']) expect(a[field], field).toEqual(b[field]);
    expect(a).toEqual(b);
    expect(new Set(summary(merged).warnings)).toEqual(new Set(summary(full).warnings));
    expect('shard' in summary(merged).config).toBe(false);
    const command = summary(merged).command;
    expect(command).toMatch(/^npm run merge -- .*\(merges shards 1\/2 .*shard1of2, 2\/2 .*shard2of2 of: npm run bench -- --engine sim .*\)$/);
    expect(command).not.toMatch(/of: .*--shard/);
  });

  it('a shard with no group writes an empty shard result, and the shards still merge into the unsharded run', () => {
    const root = tempDir('shard-empty');
    const out = join(root, 'shards');
    for (let i = 1; i <= 5; i++) ok('bench', [...SIM, '--shard', `${i}/5`, '--out', out]);
    const empty = shardDir(out, 5, 5);
    expect(JSON.parse(read(empty, 'shard.json')).units).toEqual([]);
    expect(read(empty, 'throughput.csv').trim().split('\n')).toHaveLength(1); // the header only
    ok('merge', [...[1, 2, 3, 4, 5].map((i) => shardDir(out, i, 5)), '--out', join(root, 'merged')]);
    const dir = join(root, 'merged', 'latest');
    expect(readdirSync(dir).sort()).toEqual(readdirSync(full).sort());
    expect(read(dir, 'throughput.csv')).toBe(read(full, 'throughput.csv'));
    expect(read(dir, 'fragmentation.csv')).toBe(read(full, 'fragmentation.csv'));
  });

  it('merge refuses a missing, a duplicated or an extra-count shard, naming them, and writes nothing', () => {
    const out = join(tempDir('shard-bad'), 'merged');
    expect(badInput('merge', [one, '--out', out])).toMatch(/missing shard 2\/2: give each of the 2 shards exactly once/);
    expect(badInput('merge', [one, two, one, '--out', out])).toContain(`shard 1/2 given 2 times (${one}, ${one})`);
    const third = editedCopy(two, join(out, '..', 'count3'), (r) => (r.shard.count = 3));
    expect(badInput('merge', [one, third, '--out', out])).toMatch(/shards are of different shard counts: n=2 in .*shard1of2 \(1\/2\); n=3 in .*count3 \(2\/3\)/);
    expect(badInput('merge', [full, '--out', out])).toMatch(/no shard\.json here: not the result directory of a shard/);
    expect(badInput('merge', ['--out', out])).toMatch(/missing required argument/);
    expect(existsSync(out)).toBe(false);
  });

  it('merge refuses shards of another configuration, seed or commit, and an edited or malformed shard.json, naming file and field', () => {
    const root = tempDir('shard-edit');
    const out = join(root, 'merged');
    const hash = editedCopy(two, join(root, 'hash'), (r) => (r.config_hash = 'f'.repeat(64)));
    expect(badInput('merge', [one, hash, '--out', out])).toMatch(/the shards ran different configurations \(config_hash\): [0-9a-f]{12} in .*shard1of2 \(1\/2\); ffffffffffff in .*hash \(2\/2\)/);
    const seed = editedCopy(two, join(root, 'seed'), (r) => {
      r.seed = 7;
      r.options.seed = 7;
    });
    expect(badInput('merge', [one, seed, '--out', out])).toMatch(/the shards ran with different seeds: --seed 1 in .*shard1of2 \(1\/2\); --seed 7 in .*seed \(2\/2\)/);
    const commit = editedCopy(two, join(root, 'commit'), (r) => (r.git_commit = 'a'.repeat(40)));
    expect(badInput('merge', [one, commit, '--out', out])).toMatch(/the shards ran different code \(git commit\): .* in .*shard1of2 \(1\/2\); a{40} in .*commit \(2\/2\)/);
    const options = editedCopy(two, join(root, 'options'), (r) => (r.options.duration = 9));
    expect(badInput('merge', [one, options, '--out', out])).toMatch(/options[/\\]shard\.json: field 'config_hash': .* is not the hash of its options/);
    const units = editedCopy(one, join(root, 'units'), (r) => (r.shard.index = 2));
    expect(badInput('merge', [units, one, '--out', out])).toMatch(/units[/\\]shard\.json: field 'units': holds msr-hm0\/1, tpcc\/2, but shard 2\/2 is dealt msr-hm0\/2, tpcc\/1/);
    const typed = editedCopy(two, join(root, 'typed'), (r) => (r.units[1].outcomes[0].row.threads = 'two'));
    expect(badInput('merge', [one, typed, '--out', out])).toMatch(/typed[/\\]shard\.json: field 'units\[1\]\.outcomes\[0\]\.row\.threads': .*expected number/);
    const version = editedCopy(two, join(root, 'version'), (r) => (r.schema_version = 2));
    expect(badInput('merge', [one, version, '--out', out])).toMatch(/version[/\\]shard\.json: field 'schema_version': expected 1/);
    const short = editedCopy(two, join(root, 'short'), (r) => r.units[0].outcomes.pop());
    expect(badInput('merge', [one, short, '--out', out])).toMatch(/short[/\\]shard\.json: field 'units\[0\]\.outcomes': expected 2 outcomes \(repeat 1 x 2 strategies\), found 1/);
    expect(existsSync(out)).toBe(false);
  });

  it('sim shards may come from different machines: the merge says so in a warning', () => {
    const root = tempDir('shard-sim-machines');
    const other = editedCopy(two, join(root, 'other'), (r) => (r.machine = { ...r.machine, cpuModel: 'Other CPU', cores: 128 }));
    ok('merge', [one, other, '--out', join(root, 'merged')]);
    const s = summary(join(root, 'merged', 'latest'));
    expect(s.warnings.some((w) => /shards ran on different machines .*128 x Other CPU.*: 2\/2.*deterministic/.test(w))).toBe(true);
    expect(read(join(root, 'merged', 'latest'), 'throughput.csv')).toBe(read(full, 'throughput.csv'));
  });
});

describe('npm run bench -- --shard: bad input and auto/n', () => {
  it('refuses 2/1, 0/2, and auto/n without (or with a bad) index in the environment: exit 2, nothing written', () => {
    const out = join(tempDir('shard-args'), 'results');
    expect(badInput('bench', [...SIM, '--shard', '2/1', '--out', out])).toMatch(/--shard <i\/n>.*'2\/1' is invalid.*shard index i from 1 to 1/);
    expect(badInput('bench', [...SIM, '--shard', '0/2', '--out', out])).toMatch(/'0\/2' is invalid.*shard index i from 1 to 2/);
    expect(withShardEnv({}, () => badInput('bench', [...SIM, '--shard', 'auto/2', '--out', out]))).toMatch(/error: --shard auto\/2: neither JOB_COMPLETION_INDEX .* nor SLURM_ARRAY_TASK_ID .* is set/);
    expect(withShardEnv({ SLURM_ARRAY_TASK_ID: 'x' }, () => badInput('bench', [...SIM, '--shard', 'auto/2', '--out', out]))).toMatch(/SLURM_ARRAY_TASK_ID='x' is not an integer/);
    expect(withShardEnv({ JOB_COMPLETION_INDEX: '2' }, () => badInput('bench', [...SIM, '--shard', 'auto/2', '--out', out]))).toMatch(/JOB_COMPLETION_INDEX=2 \(0-based\) is shard 3, outside 1\.\.2/);
    expect(resultDirs(out)).toEqual([]);
  });

  it('auto/n runs shard value+1 from JOB_COMPLETION_INDEX and from SLURM_ARRAY_TASK_ID', () => {
    const out = join(tempDir('shard-auto'), 'results');
    withShardEnv({ JOB_COMPLETION_INDEX: '1' }, () => ok('bench', [...SIM, '--shard', 'auto/2', '--out', out]));
    withShardEnv({ SLURM_ARRAY_TASK_ID: '0' }, () => ok('bench', [...SIM, '--shard', 'auto/2', '--out', out]));
    expect(JSON.parse(read(shardDir(out, 2, 2), 'shard.json')).shard).toEqual({ index: 2, count: 2 });
    expect(JSON.parse(read(shardDir(out, 1, 2), 'shard.json')).shard).toEqual({ index: 1, count: 2 });
    expect(summary(shardDir(out, 2, 2)).config.shard).toEqual({ index: 2, count: 2 });
  });
});

describe('real-engine shards', () => {
  it('a shard pair, its sim sweep sharded too, merges into the files of one unsharded run; shards of different machines are refused', () => {
    const root = tempDir('shard-real');
    ok('bench', [...REAL, '--out', join(root, 'full')]);
    const out = join(root, 'shards');
    const first = ok('bench', [...REAL, '--shard', '1/2', '--out', out]);
    expect(first).toMatch(/^shard 1\/2: 1 of 2 \(workload, threads\) groups/m);
    expect(first).toMatch(/^sim sweep: 4 runs at 1,2 virtual CPUs/m);
    ok('bench', [...REAL, '--shard', '2/2', '--out', out]);
    const [one, two] = [shardDir(out, 1, 2), shardDir(out, 2, 2)];
    const sweepKeys = [one, two].flatMap((d) => JSON.parse(read(d, 'shard.json')).sweep.map((u: { key: string }) => u.key));
    expect(sweepKeys.sort()).toEqual(['msr-hm0/1', 'msr-hm0/2', 'tpcc/1', 'tpcc/2']);
    ok('merge', [one, two, '--out', join(root, 'merged'), '--label', 'both']);
    const full = join(root, 'full', 'latest');
    const merged = join(root, 'merged', 'latest');
    expect(resultDirs(join(root, 'merged'))[0]).toMatch(/-both$/);
    expect(readdirSync(merged).sort()).toEqual(readdirSync(full).sort());
    expect(readdirSync(merged)).toContain('scaling-sim.csv');
    expect(read(merged, 'scaling-sim.csv')).toBe(read(full, 'scaling-sim.csv'));
    const keys = (dir: string) => (summary(dir).throughput as Record<string, unknown>[]).map((r) => [r.strategy, r.workload, r.threads, r.repeat, r.nareas, r.pool_slots, r.lock, r.engine]);
    expect(keys(merged)).toEqual(keys(full));
    expect(read(merged, 'throughput.csv').split('\n')[0]).toBe(read(full, 'throughput.csv').split('\n')[0]);
    expect(summary(merged).config.label).toBe('both');

    const other = editedCopy(two, join(root, 'other-machine'), (r) => (r.machine = { ...r.machine, cpuModel: 'Other CPU', cores: 64 }));
    const merge2 = join(root, 'merged2');
    const err = badInput('merge', [one, other, '--out', merge2]);
    expect(err).toMatch(/real-engine shards ran on different machines, and timings from different machines are not pooled into one result: \d+ x .*, Node v[\d.]+ in .*shard1of2 \(1\/2\); 64 x Other CPU, Node v[\d.]+ in .*other-machine \(2\/2\)/);
    expect(existsSync(merge2)).toBe(false);
  });
});

describe('npm run merge --help', () => {
  it('shows every declared option with its help text and default, and the exit codes', () => {
    const squash = (s: string) => s.replace(/\s+/g, ' ');
    const help = squash(mergeCommand().helpInformation());
    for (const [key, spec] of Object.entries(MERGE_OPTIONS)) {
      expect(help).toContain(`${flagText(key, spec)} ${squash(spec.help)}`);
      expect(help).toContain(`default: ${defaultShown(spec)}`);
    }
    const r = runCli('merge', ['--help']);
    expect(r.code).toBe(0);
    expect(squash(r.stdout)).toContain('Exit codes: 0 success; 1 an unexpected failure; 2 bad input');
    expect(squash(r.stdout)).toContain('<shards...>');
  });
});
