/**
 * A result directory that only looks complete when it is: files are written
 * to a temporary name and renamed, into a hidden staging directory
 * (`.NAME.RANDOM.partial/`, one per run) that is renamed to `NAME/` only after
 * every file is written; `latest` is then a symlink to it, replaced by an
 * atomic rename. Two runs with the same name (same second, same label) both
 * publish: the second becomes `NAME-2/`. A failed run leaves its staging
 * directory with an ERROR.txt, so nothing measured is lost and nothing looks
 * finished; staging directories older than a day are removed when a later
 * run starts.
 */
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { access, appendFile, lstat, mkdir, readdir, rename, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { InputError, stacksOf } from '../base/errors.js';

/** Staging directories older than this (ms) are left from interrupted runs and removed: one day. */
export const STALE_PARTIAL_MS = 24 * 3600 * 1000;

/** `2026-11-21T23-40-05`: sortable and safe in file names. */
export function timestamp(date = new Date()): string {
  return date.toISOString().slice(0, 19).replace(/:/g, '-');
}

/** Write `content` to `file` through a temporary file and a rename. */
export async function writeFileAtomic(file: string, content: string | Uint8Array): Promise<void> {
  const tmp = `${file}.${process.pid}.${randomBytes(3).toString('hex')}.tmp`;
  await writeFile(tmp, content);
  await rename(tmp, file);
}

/** A system error's code and message as one clause: `EACCES (permission denied)`. */
function why(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  return e.code ? `${e.code}: ${e.message.replace(/^\w+: /, '').replace(/, \w+ '.*'$/, '')}` : String(e.message);
}

/**
 * Why `root` could not be made: a recursive mkdir on a read-only file system
 * reports ENOENT, so make the first missing directory alone to get the real
 * code (EROFS, EACCES...), and remove it again if that works.
 */
async function trueCause(root: string, err: unknown): Promise<unknown> {
  if (await stat(root).catch(() => undefined)) return err;
  let missing = root;
  while ((await stat(dirname(missing)).catch(() => undefined)) === undefined && dirname(missing) !== missing) missing = dirname(missing);
  try {
    await mkdir(missing);
    await rm(missing, { recursive: true, force: true });
    return err;
  } catch (direct) {
    return direct;
  }
}

/**
 * Make sure the results root `root` (`--out`) can hold results: create it if
 * needed, check it is a writable directory, and remove stale staging
 * directories (older than {@link STALE_PARTIAL_MS}). Returns how many were removed.
 * @throws InputError naming `--out` and what is wrong.
 */
export async function prepareResultsRoot(root: string, now = Date.now()): Promise<number> {
  if (root.trim() === '') throw new InputError('--out: empty: give a directory for the results');
  const existing = await stat(root).catch(() => undefined);
  if (existing && !existing.isDirectory()) throw new InputError(`--out ${root}: exists and is not a directory`);
  try {
    await mkdir(root, { recursive: true });
    await access(root, constants.W_OK);
  } catch (err) {
    throw new InputError(`--out ${root}: cannot write results there (${why(await trueCause(root, err))}); choose another directory with --out`);
  }
  let removed = 0;
  for (const entry of await readdir(root)) {
    if (!/^\..+\.partial$/.test(entry)) continue;
    const info = await stat(join(root, entry)).catch(() => undefined);
    if (info && now - info.mtimeMs > STALE_PARTIAL_MS) {
      await rm(join(root, entry), { recursive: true, force: true });
      removed++;
    }
  }
  return removed;
}

export class ResultDir {
  private constructor(readonly root: string, readonly name: string, readonly staging: string) {}

  /**
   * Create this run's own staging directory for `<root>/<timestamp>-<label>`.
   * @throws InputError when `root` cannot hold it.
   */
  static async create(root: string, label: string, date = new Date()): Promise<ResultDir> {
    const name = `${timestamp(date)}-${label.replace(/[^A-Za-z0-9._-]+/g, '_')}`;
    const staging = join(root, `.${name}.${randomBytes(4).toString('hex')}.partial`);
    try {
      await mkdir(staging, { recursive: true });
    } catch (err) {
      throw new InputError(`--out ${root}: cannot write results there (${why(err)}); choose another directory with --out`);
    }
    return new ResultDir(root, name, staging);
  }

  /** Write one file (text or bytes, e.g. a PNG) into the staging directory. */
  async write(file: string, content: string | Uint8Array): Promise<void> {
    await writeFileAtomic(join(this.staging, file), content);
  }

  /** Append `text` to a file of the staging directory: records kept as they come, so a run that dies leaves them as evidence. */
  async append(file: string, text: string): Promise<void> {
    await appendFile(join(this.staging, file), text);
  }

  /**
   * Publish: rename staging to `NAME` (or `NAME-2`, `NAME-3`... when another
   * run took it), then point `latest` at it with an atomic rename of a new
   * symlink. Returns the published directory.
   */
  async commit(): Promise<string> {
    let final = '';
    for (let k = 1; ; k++) {
      final = join(this.root, k === 1 ? this.name : `${this.name}-${k}`);
      try {
        await rename(this.staging, final);
        break;
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if ((code !== 'ENOTEMPTY' && code !== 'EEXIST') || k >= 1000) throw err;
      }
    }
    await this.pointLatest(basename(final));
    return final;
  }

  /** `latest` -> `name`, replaced atomically (a `latest` directory left by an older version is removed first). */
  private async pointLatest(name: string): Promise<void> {
    const latest = join(this.root, 'latest');
    const tmp = join(this.root, `.latest.${process.pid}.${randomBytes(3).toString('hex')}.tmp`);
    await symlink(name, tmp, 'dir');
    const old = await lstat(latest).catch(() => undefined);
    if (old?.isDirectory()) await rm(latest, { recursive: true, force: true });
    await rename(tmp, latest);
  }

  /**
   * Fill the staging directory with `fill`, then commit it. When `fill` or the
   * commit throws, the staging directory stays as evidence ({@link fail}) and
   * the error is rethrown. Returns the published directory and what `fill` returned.
   */
  async publish<T>(fill: (dir: ResultDir) => Promise<T>): Promise<{ path: string; value: T }> {
    try {
      const value = await fill(this);
      return { path: await this.commit(), value };
    } catch (err) {
      await this.fail(err as Error);
      throw err;
    }
  }

  /** Leave the staging directory as evidence, with the error and its stack traces. */
  async fail(err: Error): Promise<void> {
    await writeFileAtomic(join(this.staging, 'ERROR.txt'), `${err.name}: ${err.message}\n\n${stacksOf(err)}\n`).catch(() => undefined);
  }
}

/**
 * Write `files` into `out`. A new directory is filled under a hidden staging
 * name and renamed into place, so it appears complete or not at all; into an
 * existing directory each file is written atomically.
 * @throws InputError when `out` exists and is not a directory.
 */
export async function writeFiles(out: string, files: [string, string | Uint8Array][]): Promise<void> {
  const existing = await stat(out).catch(() => undefined);
  if (existing && !existing.isDirectory()) throw new InputError(`--out ${out}: exists and is not a directory`);
  if (existing) {
    for (const [name, content] of files) await writeFileAtomic(join(out, name), content);
    return;
  }
  const staging = join(dirname(out), `.${basename(out)}.${process.pid}.partial`);
  await mkdir(staging, { recursive: true });
  try {
    for (const [name, content] of files) await writeFileAtomic(join(staging, name), content);
    await rename(staging, out);
  } catch (err) {
    await rm(staging, { recursive: true, force: true });
    throw err;
  }
}
