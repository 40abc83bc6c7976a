/**
 * The import graph (dependency-cruiser with .dependency-cruiser.cjs): the
 * project breaks none of its rules, and each rule catches its violation in a
 * small tree built to break it.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../src/base/paths.js';
import { tempDir } from './helpers.js';

interface Violation {
  from: string;
  to: string;
  rule: { name: string };
}

/** Cruise `paths` under `cwd` with the project's rules; the violations found. */
function violations(cwd: string, paths: string[]): Violation[] {
  const bin = join(projectRoot(), 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruise.mjs');
  const r = spawnSync(process.execPath, [bin, '--config', '.dependency-cruiser.cjs', '--output-type', 'json', ...paths], { cwd, encoding: 'utf8', timeout: 120_000 });
  if (!r.stdout) throw new Error(`dependency-cruiser printed nothing (exit ${r.status}): ${r.stderr}`);
  return (JSON.parse(r.stdout) as { summary: { violations: Violation[] } }).summary.violations;
}

describe('import graph', () => {
  it('the project has no cycle and no import against its layers', () => {
    const found = violations(projectRoot(), ['src', 'strategies', 'workloads', 'bench', 'examples']);
    expect(found.map((v) => `${v.rule.name}: ${v.from} -> ${v.to}`)).toEqual([]);
  }, 120_000);

  it('each rule catches a tree that breaks it', () => {
    const dir = tempDir('layers');
    copyFileSync(join(projectRoot(), '.dependency-cruiser.cjs'), join(dir, '.dependency-cruiser.cjs'));
    writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', allowImportingTsExtensions: false } }));
    const files: Record<string, string> = {
      'src/cli/top.ts': "export const top = 1;\nexport { j } from '../../examples/plugin.js';",
      'src/model/low.ts': "import { top } from '../cli/top.js';\nexport const low = top;",
      'src/run/c.ts': "import { d } from './d.js';\nexport const c = d;",
      'src/run/d.ts': "import { c } from './c.js';\nexport const d = () => c;",
      'src/report/e.ts': "import { c } from '../run/c.js';\nexport const e = c;",
      'src/run/f.ts': "import { g } from '../analysis/g.js';\nexport const f = g;",
      'src/analysis/g.ts': 'export const g = 1;',
      'workloads/formats/h.ts': "import { w } from '../index.js';\nexport const h = w;",
      'workloads/index.ts': 'export const w = 1;',
      'examples/plugin.ts': 'export const j = 1;',
    };
    for (const [file, text] of Object.entries(files)) {
      mkdirSync(join(dir, dirname(file)), { recursive: true });
      writeFileSync(join(dir, file), text + '\n');
    }
    const found = violations(dir, ['src', 'workloads', 'examples']).map((v) => `${v.rule.name.split(':')[0]}: ${v.from} -> ${v.to}`);
    expect(found).toEqual(expect.arrayContaining([
      'project: src/model/low.ts -> src/cli/top.ts', // a lower layer importing a higher one
      'no-circular: src/run/c.ts -> src/run/d.ts', // a cycle
      'apart: src/report/e.ts -> src/run/c.ts', // the report reading the runner
      'project: src/run/f.ts -> src/analysis/g.ts', // siblings of one layer
      'workloads: workloads/formats/h.ts -> workloads/index.ts', // a reader importing the registry
      'examples are plug-ins, nothing imports them: src/cli/top.ts -> examples/plugin.ts',
    ]));
  }, 120_000);
});
