/** Progress display: bar on a (fake) terminal, one plain line per run elsewhere, and the CLI's plain output and warnings. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createProgress, etaSeconds, formatDuration, progressLine, wantsProgressBar } from '../../src/run/progress.js';
import { runCli, tempDir } from '../helpers.js';

/** A writable that says it is an 100-column terminal and keeps what was written. */
function fakeTerminal(): { stream: NodeJS.WriteStream; text: () => string } {
  const chunks: string[] = [];
  const w = new Writable({ write(chunk, _enc, done) { chunks.push(String(chunk)); done(); } });
  Object.assign(w, { isTTY: true, columns: 100 });
  return { stream: w as unknown as NodeJS.WriteStream, text: () => chunks.join('') };
}

describe('when to draw a bar', () => {
  it('only on a terminal, without CI, unless --no-progress', () => {
    expect(wantsProgressBar(true, {})).toBe(true);
    expect(wantsProgressBar(true, { CI: 'true' })).toBe(false);
    expect(wantsProgressBar(true, { CI: '1' })).toBe(false);
    expect(wantsProgressBar(true, { CI: 'false' })).toBe(true);
    expect(wantsProgressBar(false, {})).toBe(false);
    expect(wantsProgressBar(undefined, {})).toBe(false);
    expect(wantsProgressBar(true, {}, false)).toBe(false);
  });
});

describe('the bar line', () => {
  const state = { total: 4, done: 2, current: 'per-cpu-areas tpcc threads=2 repeat=0', startMs: 0, runStartMs: 20_000, runSeconds: 2.5 };

  it('shows runs done of total, elapsed, ETA from the finished runs, and the current run', () => {
    // Two runs took 20 s (10 s each); 3 s into the third, 17 s remain.
    expect(etaSeconds(state, 23_000)).toBe(17);
    expect(progressLine(state, 23_000, 200)).toBe('[##########----------] 2/4 runs | elapsed 23s | ETA 17s | per-cpu-areas tpcc threads=2 repeat=0');
  });

  it('before any run finished, uses the expected run time; never below the runs after this one', () => {
    expect(etaSeconds({ ...state, done: 0, runStartMs: 0 }, 1000)).toBe(9);
    expect(etaSeconds(state, 60_000)).toBe(10);
    expect(etaSeconds({ ...state, done: 4 }, 60_000)).toBe(0);
  });

  it('is cut to the terminal width', () => {
    expect(progressLine(state, 23_000, 40)).toHaveLength(39);
  });

  it('formats durations', () => {
    expect(formatDuration(42.4)).toBe('42s');
    expect(formatDuration(185)).toBe('3m05s');
    expect(formatDuration(3720)).toBe('1h02m');
  });
});

describe('progress displays', () => {
  it('plain: exactly the result line per finished run, nothing else', () => {
    const lines: string[] = [];
    const p = createProgress({ bar: false, log: (l) => lines.push(l) });
    p.start(2, 1);
    p.runStarted('global-lock msr-hm0 threads=1 repeat=0');
    p.runFinished('[1/2] global-lock msr-hm0 threads=1 repeat=0: 1 maps/s');
    p.runStarted('per-cpu-areas msr-hm0 threads=1 repeat=0');
    p.runFinished('[2/2] per-cpu-areas msr-hm0 threads=1 repeat=0: 2 maps/s');
    p.stop();
    expect(lines).toEqual(['[1/2] global-lock msr-hm0 threads=1 repeat=0: 1 maps/s', '[2/2] per-cpu-areas msr-hm0 threads=1 repeat=0: 2 maps/s']);
  });

  it('bar: draws on the terminal, prints result lines above it, and clears it on stop', () => {
    const term = fakeTerminal();
    const logged: string[] = [];
    const p = createProgress({ bar: true, log: (l) => logged.push(l), stream: term.stream });
    p.start(2, 1);
    p.runStarted('global-lock msr-hm0 threads=1 repeat=0');
    expect(term.text()).toMatch(/\[-{20}\] 0\/2 runs \| elapsed 0s \| ETA \ds \| global-lock msr-hm0 threads=1 repeat=0/);
    p.runFinished('[1/2] global-lock msr-hm0 threads=1 repeat=0: 1 maps/s');
    const afterFirst = term.text();
    expect(afterFirst).toContain('[1/2] global-lock msr-hm0 threads=1 repeat=0: 1 maps/s\n');
    expect(afterFirst.slice(afterFirst.indexOf('[1/2]'))).toMatch(/\[#{10}-{10}\] 1\/2 runs/);
    p.stop();
    p.stop(); // idempotent
    expect(term.text()).toMatch(/\x1b\[0J$/); // the bar line is cleared
    expect(logged).toEqual([]);
  });
});

describe('npm run bench, not on a terminal', () => {
  it('prints one plain [k/N] line per run, and a too-short run warns "fewer than" in the console and summary.json', () => {
    const out = tempDir('progress');
    const r = runCli('bench', ['--duration', '0.002', '--warmup', '0.02', '--repeat', '2', '--sample-interval', '50', '--workload', 'msr-hm0', '--threads', '1', '--out', out]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain('\x1b');
    const runLines = r.stdout.split('\n').filter((l) => /^\[\d+\/\d+\] /.test(l));
    expect(runLines.map((l) => l.slice(0, l.indexOf(':')))).toEqual([
      '[1/4] global-lock msr-hm0 threads=1 repeat=0', '[2/4] per-cpu-areas msr-hm0 threads=1 repeat=0',
      '[3/4] global-lock msr-hm0 threads=1 repeat=1', '[4/4] per-cpu-areas msr-hm0 threads=1 repeat=1',
    ]);
    for (const l of runLines) expect(l).toMatch(/: \d+ maps\/s, \d+ full, map p50 \d+ ns p99 \d+ ns, hiwater \d+ slots$/);
    // A late timer on a loaded machine can let a run pass 10,000 maps, so the
    // warning is checked against the rows: it counts exactly the short ones.
    const summary = JSON.parse(readFileSync(join(out, 'latest', 'summary.json'), 'utf8'));
    const short = (summary.throughput as { maps: number }[]).filter((t) => t.maps < 10_000).length;
    expect(summary.throughput).toHaveLength(4);
    expect(short).toBeGreaterThanOrEqual(1);
    expect(r.stdout).toMatch(new RegExp(`^warning: ${short} of 4 runs completed fewer than 10,000 maps .*raise --duration`, 'm'));
    expect(summary.warnings).toContainEqual(expect.stringMatching(new RegExp(`^${short} of 4 runs completed fewer than 10,000 maps .*raise --duration`)));
    expect(readFileSync(join(out, 'latest', 'summary.md'), 'utf8')).toContain('runs completed fewer than 10,000 maps');
  });
});
