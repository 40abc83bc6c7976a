/**
 * Options and columns are declared once: --help, docs/*.md's generated
 * tables, summary.json's `config` and `columns`, and the CSV headers of a
 * real run all agree with the declarations.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../../src/base/paths.js';
import { benchCommand, parseBenchArgs } from '../../src/cli/bench-args.js';
import { BENCH_OPTIONS } from '../../src/cli/bench-options.js';
import { compareCommand } from '../../src/cli/compare-command.js';
import { COMPARE_OPTIONS } from '../../src/cli/compare-options.js';
import { fillBlocks, generatedBlocks } from '../../src/cli/docs-tables.js';
import { type OptionTable, configOf, defaultShown, flagText } from '../../src/cli/option-spec.js';
import { declaredColumns, header } from '../../src/export/columns.js';
import { STRATEGIES } from '../../strategies/index.js';
import { runCli, tempDir } from '../helpers.js';

const squash = (s: string) => s.replace(/\s+/g, ' ');

/** Every declared option's flag, help text and default must be in `help` (commander wraps lines: compared without line breaks). */
function missingFromHelp(table: OptionTable, help: string): string[] {
  const text = squash(help);
  return Object.entries(table).flatMap(([key, spec]) => {
    const flag = flagText(key, spec);
    const shown = defaultShown(spec);
    const problems: string[] = [];
    if (!text.includes(`${flag} ${squash(spec.help)}`)) problems.push(`${flag}: flag and help text`);
    if (shown && !text.includes(`default: ${shown}`)) problems.push(`${flag}: default ${shown}`);
    return problems;
  });
}

describe('option declarations', () => {
  it('--help of bench and compare shows every option with its help text and default, and the exit codes', () => {
    expect(missingFromHelp(BENCH_OPTIONS, benchCommand().helpInformation())).toEqual([]);
    expect(missingFromHelp(COMPARE_OPTIONS, compareCommand().helpInformation())).toEqual([]);
    const r = runCli('bench', ['--help']);
    expect(r.code).toBe(0);
    expect(squash(r.stdout)).toContain('Exit codes: 0 success; 1 a run failed');
  });

  it('every option can be given on the command line and lands in config under its flag name', () => {
    const opts = parseBenchArgs(['--duration', '0.5', '--max-pool', '8MiB', '--kernel-rules', 'v6.6', '--no-progress', '--min-align-mask', '0x7ff']);
    const config = configOf(BENCH_OPTIONS, opts);
    expect(config).toMatchObject({ duration: 0.5, 'max-pool': 4096, 'kernel-rules': 'v6.6', progress: false, 'min-align-mask': 0x7ff, strategy: ['global-lock', 'per-cpu-areas'] });
    expect(Object.keys(config).every((k) => /^[a-z][a-z0-9-]*$/.test(k))).toBe(true);
    expect('pool' in config).toBe(false); // unset: each strategy's default
  });

  it('the generated tables in docs/ are the declarations as they are now (run `npm run docs` after changing one)', () => {
    const dir = join(projectRoot(), 'docs');
    const seen = new Set<string>();
    for (const name of readdirSync(dir).filter((f) => f.endsWith('.md'))) {
      const text = readFileSync(join(dir, name), 'utf8');
      for (const m of text.matchAll(/<!-- generated: ([\w-]+) -->/g)) seen.add(m[1]);
      expect(fillBlocks(text), `docs/${name} is stale: run npm run docs`).toBe(text);
    }
    expect([...seen].sort()).toEqual(Object.keys(generatedBlocks()).sort());
  });

  it('the docs tables fail when a declaration changes', () => {
    const text = `a\n<!-- generated: bench-options -->\n| stale |\n<!-- end generated: bench-options -->\nb\n`;
    expect(fillBlocks(text)).not.toBe(text);
    expect(fillBlocks(text)).toContain('`--duration <seconds>` | `2` | s | measured time per run |');
    expect(() => fillBlocks('<!-- generated: nonsense -->\n<!-- end generated: nonsense -->')).toThrow(/unknown generated block 'nonsense'/);
  });
});

describe('column declarations against a real run', () => {
  it('a run of every built-in strategy writes exactly the declared headers, and summary.json describes each column', () => {
    const out = tempDir('columns');
    const strategies = [...STRATEGIES.keys()];
    const r = runCli('bench', ['--strategy', strategies.join(','), '--workload', 'msr-hm0', '--threads', '2', '--repeat', '1', '--duration', '0.2', '--warmup', '0', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    const dir = join(out, 'latest');
    const summary = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8'));
    for (const file of ['throughput', 'fragmentation'] as const) {
      const rows = parse(readFileSync(join(dir, `${file}.csv`), 'utf8'), { columns: true }) as Record<string, string>[];
      const csvHeader = readFileSync(join(dir, `${file}.csv`), 'utf8').split('\n')[0].split(',');
      expect(csvHeader, file).toEqual(header(file, rows.map((row) => Object.fromEntries(Object.entries(row).filter(([, v]) => v !== ''))), [...STRATEGIES.values()]));
      const described = (summary.columns[file] as { name: string; unit: string; description: string }[]).map((c) => c.name);
      const declared = declaredColumns(file, [...STRATEGIES.values()]).map((c) => c.name);
      expect(described.every((n) => declared.includes(n)), file).toBe(true);
      expect(csvHeader.every((h) => described.some((d) => d === h || (d.includes('<i>') && new RegExp(`^${d.replace('<i>', '\\d+')}$`).test(h)))), file).toBe(true);
    }
    expect(Object.keys(summary.config)).toContain('sample-interval');
    expect(summary.rankings).toHaveLength(1);
  }, 120_000);
});
