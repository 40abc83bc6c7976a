/** Shared test helpers: temp directories and running the built CLIs. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { projectRoot } from '../src/base/paths.js';

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `swiotlb-bench-${prefix}-`));
}

/** Run a built entry point (dist/bench/NAME.js) and return its exit code and output. */
export function runCli(name: string, args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [join(projectRoot(), 'dist', 'bench', `${name}.js`), ...args], { encoding: 'utf8', cwd: projectRoot(), timeout: 120_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

export const FIXTURES = join(projectRoot(), 'test', 'fixtures');
