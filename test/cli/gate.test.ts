/**
 * `npm run gate` through its CLI: bad input exits 2 and names what is wrong;
 * a gate of this checkout against its own HEAD (a tiny suite) exits 0 and
 * writes every format and the job summary; a stored gate.json whose figures
 * were better than now makes `--baseline` exit 1 on the figures alone.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../../src/base/paths.js';
import { STEP_SUMMARY_LIMIT, appendStepSummary } from '../../src/cli/gate-files.js';
import { loadSuite } from '../../src/cli/gate-suite.js';
import { tempDir } from '../helpers.js';

/** Run the built gate with `args` and extra environment. */
function gate(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [join(projectRoot(), 'dist', 'bench', 'gate.js'), ...args], { cwd: projectRoot(), encoding: 'utf8', timeout: 300_000, env: { ...process.env, ...env } });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** The one result directory under `out`. */
function only(out: string): string {
  const dirs = readdirSync(out).filter((d) => !d.startsWith('.') && d !== 'latest');
  expect(dirs).toHaveLength(1);
  return join(out, dirs[0]);
}

describe('gate suite files', () => {
  it('fills defaults, and refuses a bad field or an unknown figure with the file and field named', () => {
    const dir = tempDir('suite');
    const f = (name: string, text: string) => { const p = join(dir, name); writeFileSync(p, text); return p; };
    expect(loadSuite(f('ok.json', '{"timing": {"workloads": []}}')).timing).toMatchObject({ workloads: [], threads: [1, 2], minBlocks: 6 });
    expect(() => loadSuite(f('bad.json', '{"timing": {"minBlocks": 2}}'))).toThrow(/bad\.json: field 'timing\.minBlocks': /);
    expect(() => loadSuite(f('typo.json', '{"timeing": {}}'))).toThrow(/typo\.json: field '\(top level\)'/);
    expect(() => loadSuite(f('tol.json', '{"tolerances": {"hiwater": {"relative": 0.1}}}'))).toThrow(/tolerances\.hiwater': not a gate figure/);
    expect(() => loadSuite(f('nojson.json', '{'))).toThrow(/not valid JSON/);
    expect(() => loadSuite(join(dir, 'missing.json'))).toThrow(/cannot read it \(ENOENT\)/);
  });

  it('the job summary gets gate.md, cut under the 1 MiB limit with a note', () => {
    const dir = tempDir('summary');
    const file = join(dir, 'summary.md');
    writeFileSync(file, '');
    expect(appendStepSummary('# small\n', {}, dir)).toBeUndefined();
    expect(appendStepSummary('# small\n', { GITHUB_STEP_SUMMARY: file }, dir)).toMatch(/appended/);
    expect(readFileSync(file, 'utf8')).toBe('# small\n');
    appendStepSummary('x'.repeat(2 * STEP_SUMMARY_LIMIT), { GITHUB_STEP_SUMMARY: file }, dir);
    const text = readFileSync(file, 'utf8');
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(STEP_SUMMARY_LIMIT);
    expect(text).toContain("cut here to stay under GitHub's 1 MiB job summary limit");
  });
});

describe('npm run gate', () => {
  it('exits 2 on bad input, never 1', () => {
    const out = tempDir('gate-bad');
    const none = gate(['--out', out]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('give one of --base REF');
    const both = gate(['--base', 'HEAD', '--baseline', 'x.json', '--out', out]);
    expect(both.code).toBe(2);
    const ref = gate(['--base', 'no-such-ref-anywhere', '--out', out]);
    expect(ref.code).toBe(2);
    expect(ref.stderr).toContain('--base no-such-ref-anywhere: not a commit');
    const file = gate(['--baseline', join(out, 'missing.json'), '--out', out]);
    expect(file.code).toBe(2);
    expect(file.stderr).toContain('missing.json: no such file');
    const budget = gate(['--base', 'HEAD', '--budget', '0', '--out', out]);
    expect(budget.code).toBe(2);
    expect(readdirSync(out).filter((d) => d !== 'latest' && !d.startsWith('.'))).toEqual([]);
  });

  it('against its own HEAD: exit 0, every format, the job summary; --baseline of that result with better stored figures: exit 1', () => {
    const dir = tempDir('gate');
    const suite = join(dir, 'suite.json');
    writeFileSync(suite, JSON.stringify({
      strategies: ['per-cpu-areas'],
      timing: { workloads: ['msr-hm0'], threads: [1], duration: 0.05, warmup: 0.02, minBlocks: 6, maxBlocks: 6 },
      sim: { workloads: ['msr-hm0'], cpus: [1, 2], maps: 2000 },
    }));
    const summary = join(dir, 'step-summary.md');
    writeFileSync(summary, '');
    const out = join(dir, 'out');
    const r = gate(['--base', 'HEAD', '--suite', suite, '--out', out], { GITHUB_STEP_SUMMARY: summary });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const res = only(out);
    expect(readdirSync(res).sort()).toEqual(['bencher.json', 'benchmark-bigger.json', 'benchmark-smaller.json', 'gate.json', 'gate.md']);
    const json = JSON.parse(readFileSync(join(res, 'gate.json'), 'utf8'));
    expect(json).toMatchObject({ schema: 'swiotlb-bench/gate@1', verdict: 'PASS', exitCode: 0, mode: 'base' });
    // Same code on both sides: every deterministic figure is bit-identical.
    expect(json.figures.changes.length).toBeGreaterThan(10);
    expect(json.figures.changes.every((c: { verdict: string }) => c.verdict === 'SAME')).toBe(true);
    expect(json.timing).toHaveLength(1);
    expect(json.timing[0].blocks.length).toBeGreaterThanOrEqual(6);
    expect(['SAME', 'INCONCLUSIVE', 'IMPROVEMENT']).toContain(json.timing[0].verdict);
    expect(readFileSync(summary, 'utf8')).toBe(readFileSync(join(res, 'gate.md'), 'utf8'));

    // Stored figures better than now: one slot fewer examined per map than this code examines.
    const stored = join(dir, 'stored.json');
    for (const run of json.candidateRuns.sim) run.row.slots_scanned_per_map -= 0.5;
    writeFileSync(stored, JSON.stringify(json));
    const figuresOnly = join(dir, 'figures-only.json');
    writeFileSync(figuresOnly, JSON.stringify({ strategies: ['per-cpu-areas'], timing: { workloads: [] }, sim: { workloads: ['msr-hm0'], cpus: [1, 2], maps: 2000 } }));
    const b = gate(['--baseline', stored, '--suite', figuresOnly, '--out', join(dir, 'out2')]);
    expect(b.code).toBe(1);
    const md = readFileSync(join(only(join(dir, 'out2')), 'gate.md'), 'utf8');
    expect(md).toMatch(/^# swiotlb-bench gate: REGRESSION \(2 figures, 0 timing\)/);
    expect(md).toContain('weaker than --base');
    expect(md).toMatch(/\| per-cpu-areas\/msr-hm0\/cpus=1 \| slots_scanned_per_map \(slots\) \| .* \| \*\*REGRESSION\*\* \|/);
  }, 300_000);
});
