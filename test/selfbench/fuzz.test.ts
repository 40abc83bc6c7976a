/**
 * Hostile inputs: seeded mutations of every trace format (200 of each shipped
 * format, 60 of the others) must end as `npm run bench` may end, exit 0 or
 * exit 2 naming the file and where, never otherwise (a crash, a stack trace,
 * a hang past 10 s, a heap past 512 MiB). A few go through the real CLI too.
 * `npm run fuzz -- --count 2000` runs more.
 */
import { readdirSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SHIPPED_FORMATS, fuzzCases, fuzzSeeds } from '../../src/selfbench/fuzz-cases.js';
import { namesFileAndPlace, runFuzz } from '../../src/selfbench/fuzz.js';
import { runCli, tempDir } from '../helpers.js';

describe('fuzzed trace inputs', () => {
  it('every mutation of every format ends in exit 0 or a named exit 2, in time and memory', async () => {
    const cases = fuzzCases((f) => (SHIPPED_FORMATS.includes(f) ? 200 : 60), 7);
    expect(cases).toHaveLength(5 * 200 + (fuzzSeeds().length - 5) * 60);
    const results = await runFuzz(cases, tempDir('fuzz'));
    const other = results.filter((r) => r.class !== 'ok' && r.class !== 'named');
    expect(other.map((r) => `${r.format} ${r.mutation}: ${r.message.slice(0, 160)}`)).toEqual([]);
    // The corpus does reach the error paths of every format, not only the happy one.
    for (const f of new Set(results.map((r) => r.format))) expect(results.some((r) => r.format === f && r.class === 'named'), f).toBe(true);
  }, 120_000);

  it('counts a hang, a crash and an unnamed error as "anything else"', async () => {
    // A 1 ms time limit: every case is a "hang".
    const [one] = fuzzCases(1, 1);
    const hung = await runFuzz([one], tempDir('fuzz-hang'), 1, { timeoutMs: 1, heapMiB: 64 });
    expect(hung[0].class).toBe('other');
    expect(hung[0].message).toMatch(/hang/);
    expect(namesFileAndPlace('/x/f.csv:3: field \'Size\': out of range', '/x/f.csv')).toBe(true);
    expect(namesFileAndPlace('/x/f.csv: byte offset 0: gzip data is corrupt', '/x/f.csv')).toBe(true);
    expect(namesFileAndPlace('Invalid typed array length: undefined', '/x/f.csv')).toBe(false);
    expect(namesFileAndPlace('/x/f.csv: something broke', '/x/f.csv')).toBe(false);
  }, 30_000);

  it('through the CLI: exit 0 or 2, one line of error and no stack trace', () => {
    const dir = tempDir('fuzz-cli');
    const cases = fuzzCases(2, 11).filter((c) => SHIPPED_FORMATS.includes(c.format));
    let ok = 0;
    for (const c of cases) {
      const file = `${dir}/${cases.indexOf(c)}-${c.name}`;
      writeFileSync(file, c.bytes);
      const r = runCli('bench', ['--workload', `trace:${file}`, '--strategy', 'per-cpu-areas', '--threads', '1', '--repeat', '1', '--duration', '0.05', '--warmup', '0', '--out', `${dir}/out`, '--no-progress']);
      expect([0, 2], `${c.format} ${c.mutation}: exit ${r.code}: ${r.stderr}`).toContain(r.code);
      expect(r.stderr, c.mutation).not.toMatch(/^\s+at /m);
      if (r.code === 2) expect(r.stderr.trim().split('\n')).toHaveLength(1);
      else ok++;
    }
    // Bad input is refused before a result directory exists: complete ones are the successful runs' only.
    expect(readdirSync(`${dir}/out`).filter((d) => d !== 'latest')).toHaveLength(ok);
  }, 120_000);
});
