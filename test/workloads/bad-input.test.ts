/**
 * The malformed-input corpus (test/fixtures/bad/, described by its
 * manifest.json): every file either fails with an InputError that names the
 * file and where (line, or byte offset for binary records), reads with the
 * expected warning, or reads fine. Plus one run of the built CLI on a bad
 * trace: exit code 2 and no published result directory.
 */
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/base/errors.js';
import { readTrace } from '../../workloads/formats/index.js';
import { FIXTURES, runCli, tempDir } from '../helpers.js';

interface Case {
  file: string;
  expect: 'error' | 'warning' | 'ok';
  /** Regex source the error message or a warning must match. */
  message: string;
  /**
   * Errors only: where the message says the problem is: `line` (FILE:LINE:,
   * or "after line N" for a stream error), `offset` (a binary record's byte
   * offset), or `file` for problems of the whole file (empty, no format
   * matches, corrupt gzip header), whose messages come from detectFormat /
   * TraceSource.open and name only the file.
   */
  at?: 'line' | 'offset' | 'file';
}

const BAD = join(FIXTURES, 'bad');
const cases: Case[] = JSON.parse(readFileSync(join(BAD, 'manifest.json'), 'utf8'));
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe('bad-input corpus (test/fixtures/bad)', () => {
  it('has at least 30 files, each in the manifest once, and every manifest entry exists', () => {
    const files = readdirSync(BAD).filter((f) => f !== 'manifest.json' && f !== 'README.md');
    expect(files.length).toBeGreaterThanOrEqual(30);
    expect(cases.map((c) => c.file).sort()).toEqual(files.sort());
    for (const c of cases) if (c.expect === 'error') expect(['line', 'offset', 'file'], c.file).toContain(c.at);
  });

  it.each(cases.filter((c) => c.expect === 'error'))('$file: error ($at)', async (c) => {
    const file = join(BAD, c.file);
    const err = await readTrace(file).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err, `${c.file} should fail`).toBeInstanceOf(InputError);
    const message = (err as Error).message;
    expect(message).toMatch(new RegExp(c.message));
    expect(message.startsWith(`${file}:`), message).toBe(true);
    if (c.at === 'line') expect(message).toMatch(new RegExp(`^${escape(file)}(:\\d+: |: read error after line \\d+)`));
    if (c.at === 'offset') expect(message).toMatch(/byte offset \d+/);
  });

  it.each(cases.filter((c) => c.expect === 'warning'))('$file: reads, with a warning', async (c) => {
    const file = join(BAD, c.file);
    const t = await readTrace(file);
    expect(t.requests.length).toBeGreaterThan(0);
    expect(t.warnings.some((w) => new RegExp(c.message).test(w)), t.warnings.join('\n')).toBe(true);
    for (const w of t.warnings) expect(w.startsWith(`${file}: `)).toBe(true);
  });

  it.each(cases.filter((c) => c.expect === 'ok'))('$file: reads', async (c) => {
    const t = await readTrace(join(BAD, c.file));
    expect(t.requests.length).toBeGreaterThan(0);
    expect(t.warnings).toEqual([]);
  });

  it('CRLF files read to the same requests as their LF form', async () => {
    for (const c of cases.filter((x) => x.file.includes('crlf'))) {
      const bytes = readFileSync(join(BAD, c.file), 'latin1');
      expect(bytes).toContain('\r\n');
      const lf = join(tempDir('crlf'), c.file);
      writeFileSync(lf, bytes.replace(/\r\n/g, '\n'));
      const a = await readTrace(join(BAD, c.file));
      const b = await readTrace(lf);
      expect(a.format).toBe(b.format);
      expect(a.requests).toEqual(b.requests);
    }
  });

  it('a request over 256 KiB reads as one request (the schedule splits it)', async () => {
    const t = await readTrace(join(BAD, 'disksim-over-256k.txt'));
    expect(t.requests[1]).toMatchObject({ size: 2048 * 512, write: true });
    const v = await readTrace(join(BAD, 'vscsi-over-256k.vscsi'));
    expect(v.requests[1]).toMatchObject({ size: 1_048_576, segments: 17 });
  });
});

describe('the CLI on a bad trace', () => {
  const cli = join(FIXTURES, '..', '..', 'dist', 'bench', 'bench.js');

  it.runIf(existsSync(cli))('exits 2 naming file, line and field, and publishes no result directory', () => {
    const out = tempDir('bad-cli');
    const bad = join(BAD, 'tencent-bad-iotype.csv');
    const r = runCli('bench', ['--workload', `trace:${bad}`, '--strategy', 'per-cpu-areas', '--threads', '2', '--duration', '0.3', '--warmup', '0.1', '--repeat', '1', '--out', out]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain(`${bad}:2: field 'IOType'`);
    const published = existsSync(out) ? readdirSync(out).filter((n) => !n.startsWith('.')) : [];
    expect(published).toEqual([]);
  });
});
