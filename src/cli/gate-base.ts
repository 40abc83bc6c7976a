/**
 * The base side of `npm run gate -- --base REF`: the commit checked out in a
 * git worktree under `.gate/` (kept, one per commit, so a second gate against
 * the same base reuses it), its dependencies linked from this checkout when
 * the lock files are identical and installed with `npm ci` only when they
 * differ, and built once with its own TypeScript settings (`dist/.gate-built`).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../base/errors.js';
import type { SideInfo } from './gate-side.js';

/** Run a command; returns its trimmed stdout. @throws InputError (when `bad`) or Error with the command's stderr. */
function sh(cmd: string, args: string[], cwd: string, bad?: string): string {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) {
    const why = `${cmd} ${args.join(' ')} failed (${r.error?.message ?? `exit ${r.status}`}): ${(r.stderr || r.stdout || '').trim().slice(-1500)}`;
    throw bad ? new InputError(`${bad}: ${why}`) : new Error(why);
  }
  return r.stdout.trim();
}

/** The commit of `ref` in the repository at `root`. @throws InputError naming the ref when git does not know it. */
export function resolveCommit(root: string, ref: string): string {
  return sh('git', ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`], root, `--base ${ref}: not a commit of ${root}`);
}

/** This checkout's HEAD commit, or null outside a git checkout. */
export function headCommit(root: string): string | null {
  const r = spawnSync('git', ['rev-parse', 'HEAD'], { cwd: root, encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : null;
}

/**
 * Check out, install and build `ref` beside `root` (the candidate's checkout).
 * @param log progress lines (`base: npm ci (lock file differs)`).
 * @throws InputError for an unknown ref; Error when git, npm or tsc fail (their output in the message).
 */
export function prepareBase(root: string, ref: string, log: (line: string) => void): SideInfo {
  const commit = resolveCommit(root, ref);
  const dir = join(root, '.gate', `base-${commit.slice(0, 12)}`);
  if (!existsSync(join(dir, 'package.json'))) {
    log(`base: git worktree add ${dir} ${commit.slice(0, 12)} (${ref})`);
    sh('git', ['worktree', 'prune'], root);
    sh('git', ['worktree', 'add', '--detach', '--force', dir, commit], root);
  }
  const lock = (d: string) => (existsSync(join(d, 'package-lock.json')) ? readFileSync(join(d, 'package-lock.json'), 'utf8') : '');
  if (!existsSync(join(dir, 'node_modules'))) {
    if (lock(dir) === lock(root)) {
      log('base: dependencies linked from this checkout (identical package-lock.json)');
      symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'), 'dir');
    } else {
      log('base: npm ci (its package-lock.json differs from this checkout\'s)');
      sh('npm', ['ci', '--no-audit', '--no-fund'], dir);
    }
  }
  // A worktree at a fixed commit builds the same every time: once is enough.
  const stamp = join(dir, 'dist', '.gate-built');
  if (!existsSync(stamp)) {
    log('base: building (tsc)');
    sh(process.execPath, [join(dir, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json'], dir);
    writeFileSync(stamp, `${commit}\n`);
  }
  return { role: 'base', ref, commit, dir };
}
