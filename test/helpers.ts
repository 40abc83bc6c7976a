/** Shared test helpers: scratch directories inside the repository and running the built CLIs. */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../src/base/paths.js';

/** Where tests write (git-ignored, emptied when a test run starts: test/global-setup.ts), so nothing lands outside the repository. */
export const SCRATCH = join(projectRoot(), 'test', 'output', 'scratch');

/** A fresh directory under {@link SCRATCH}. */
export function tempDir(prefix: string): string {
  mkdirSync(SCRATCH, { recursive: true });
  return mkdtempSync(join(SCRATCH, `${prefix}-`));
}

/**
 * Run a built entry point (dist/bench/NAME.js) and return its exit code and
 * output. A bench run gets `--sim-sweep off` unless its arguments choose the
 * sweep or the engine: the sweep to 256 virtual CPUs that ends a default job
 * has tests of its own (test/run/sim-runs.test.ts).
 */
export function runCli(name: string, args: string[]): { code: number; stdout: string; stderr: string } {
  const sweep = name === 'bench' && !args.some((a) => a.startsWith('--sim-sweep') || a.startsWith('--engine')) ? ['--sim-sweep', 'off'] : [];
  const r = spawnSync(process.execPath, [join(projectRoot(), 'dist', 'bench', `${name}.js`), ...args, ...sweep], { encoding: 'utf8', cwd: projectRoot(), timeout: 120_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

export const FIXTURES = join(projectRoot(), 'test', 'fixtures');
