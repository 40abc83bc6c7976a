/** Result directories: complete or invisible, unique per run, `latest` swapped atomically, stale staging removed, bad --out refused. */
import { existsSync, lstatSync, mkdirSync, readFileSync, readdirSync, readlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/base/errors.js';
import { ResultDir, STALE_PARTIAL_MS, prepareResultsRoot } from '../../src/export/result-dir.js';
import { runCli, tempDir } from '../helpers.js';

describe('ResultDir', () => {
  it('two runs with the same name in the same second both publish, the second as NAME-2; latest points at the last', async () => {
    const root = tempDir('results');
    const when = new Date('2026-12-01T01:02:03Z');
    const a = await ResultDir.create(root, 'same', when);
    const b = await ResultDir.create(root, 'same', when);
    expect(a.staging).not.toBe(b.staging);
    await a.write('x.txt', 'from a');
    await b.write('x.txt', 'from b');
    const pa = await a.commit();
    const pb = await b.commit();
    expect(pa).toBe(join(root, '2026-12-01T01-02-03-same'));
    expect(pb).toBe(join(root, '2026-12-01T01-02-03-same-2'));
    expect(readFileSync(join(pa, 'x.txt'), 'utf8')).toBe('from a');
    expect(readFileSync(join(pb, 'x.txt'), 'utf8')).toBe('from b');
    expect(lstatSync(join(root, 'latest')).isSymbolicLink()).toBe(true);
    expect(readlinkSync(join(root, 'latest'))).toBe('2026-12-01T01-02-03-same-2');
    expect(readFileSync(join(root, 'latest', 'x.txt'), 'utf8')).toBe('from b');
    expect(readdirSync(root).filter((d) => d.startsWith('.'))).toEqual([]);
  });

  it('replaces a latest/ directory left by an older version', async () => {
    const root = tempDir('results-old');
    mkdirSync(join(root, 'latest'));
    writeFileSync(join(root, 'latest', 'old.txt'), 'old');
    const d = await ResultDir.create(root, 'new');
    await d.write('x.txt', 'new');
    await d.commit();
    expect(readFileSync(join(root, 'latest', 'x.txt'), 'utf8')).toBe('new');
    expect(existsSync(join(root, 'latest', 'old.txt'))).toBe(false);
  });

  it('a failed run keeps its staging directory with ERROR.txt, and nothing that looks complete', async () => {
    const root = tempDir('results-fail');
    const d = await ResultDir.create(root, 'broken');
    await d.write('throughput.csv', 'a,b\n');
    await d.fail(new Error('worker for cpu 1 failed: boom'));
    const entries = readdirSync(root);
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatch(/^\..*-broken\.[0-9a-f]+\.partial$/);
    expect(readFileSync(join(root, entries[0], 'ERROR.txt'), 'utf8')).toMatch(/^Error: worker for cpu 1 failed: boom\n/);
  });

  it('publish commits what fill wrote, or keeps the staging directory with ERROR.txt and rethrows when fill throws', async () => {
    const root = tempDir('results-publish');
    const ok = await ResultDir.create(root, 'ok');
    const { path, value } = await ok.publish(async (dir) => {
      await dir.write('sizing.csv', 'a\n');
      return 7;
    });
    expect([readFileSync(join(path, 'sizing.csv'), 'utf8'), value]).toEqual(['a\n', 7]);
    const bad = await ResultDir.create(root, 'bad');
    await expect(bad.publish(async (dir) => {
      await dir.write('sizing.csv', 'half');
      throw new Error('png: canvas gone');
    })).rejects.toThrow('png: canvas gone');
    const partial = readdirSync(root).filter((d) => d.endsWith('.partial'));
    expect(partial).toHaveLength(1);
    expect(readFileSync(join(root, partial[0], 'ERROR.txt'), 'utf8')).toMatch(/^Error: png: canvas gone\n/);
    expect(readdirSync(root).filter((d) => d.includes('-bad') && !d.startsWith('.'))).toEqual([]);
  });

  it('removes staging directories older than a day when a run starts, and keeps younger ones', async () => {
    const root = tempDir('results-stale');
    for (const name of ['.old.partial', '.young.partial']) mkdirSync(join(root, name));
    const now = Date.now();
    const old = new Date(now - STALE_PARTIAL_MS - 60_000);
    utimesSync(join(root, '.old.partial'), old, old);
    expect(await prepareResultsRoot(root, now)).toBe(1);
    expect(readdirSync(root)).toEqual(['.young.partial']);
  });

  it('refuses an --out that is empty or a file, naming it, before anything runs', async () => {
    const dir = tempDir('results-bad');
    const file = join(dir, 'a-file');
    writeFileSync(file, '');
    await expect(prepareResultsRoot('')).rejects.toThrow(InputError);
    await expect(prepareResultsRoot(file)).rejects.toThrow(`--out ${file}: exists and is not a directory`);
    await expect(prepareResultsRoot(join(file, 'below'))).rejects.toThrow(new RegExp(`--out ${file}/below: cannot write results there \\(ENOTDIR`));
    const r = runCli('bench', ['--out', file, '--duration', '0.05', '--repeat', '1', '--threads', '1']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe(`error: --out ${file}: exists and is not a directory`);
    const empty = runCli('bench', ['--out', '']);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toMatch(/--out <dir>.*argument '' is invalid\. expected a directory, not an empty string/);
  });
});

describe('two runs into one --out at the same time', () => {
  it('both publish complete results of their own', async () => {
    const out = tempDir('concurrent');
    const { spawn } = await import('node:child_process');
    const { projectRoot } = await import('../../src/base/paths.js');
    const run = (seed: string) =>
      new Promise<{ code: number | null; stdout: string }>((resolve) => {
        const p = spawn(process.execPath, [join(projectRoot(), 'dist', 'bench', 'bench.js'), '--workload', 'nvme-gen', '--strategy', 'global-lock', '--threads', '1', '--repeat', '1', '--duration', '0.2', '--warmup', '0', '--seed', seed, '--label', 'same', '--out', out, '--no-progress']);
        let stdout = '';
        p.stdout.on('data', (d) => (stdout += d));
        p.on('close', (code) => resolve({ code, stdout }));
      });
    const [a, b] = await Promise.all([run('1'), run('2')]);
    expect([a.code, b.code]).toEqual([0, 0]);
    const published = (s: string) => /results: (\S+) /.exec(s)![1];
    const [da, db] = [published(a.stdout), published(b.stdout)];
    expect(da).not.toBe(db);
    for (const [dir, seed] of [[da, 1], [db, 2]] as const) {
      const summary = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8'));
      expect(summary.config.seed).toBe(seed);
      expect(readdirSync(dir)).toContain('report.html');
    }
  }, 120_000);
});
