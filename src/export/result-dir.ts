/**
 * A result directory that only looks complete when it is: files are written
 * to a temporary name and renamed, into a hidden `.NAME.partial/` staging
 * directory that is renamed to `NAME/` (and copied to `latest/`) only after
 * every file is written. A failed run leaves the staging directory with an
 * ERROR.txt, so nothing measured is lost and nothing looks finished.
 */
import { cp, mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { InputError } from '../base/errors.js';

/** `2026-11-21T23-40-05`: sortable and safe in file names. */
export function timestamp(date = new Date()): string {
  return date.toISOString().slice(0, 19).replace(/:/g, '-');
}

/** Write `content` to `file` through a temporary file and a rename. */
export async function writeFileAtomic(file: string, content: string | Uint8Array): Promise<void> {
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, content);
  await rename(tmp, file);
}

export class ResultDir {
  private constructor(readonly root: string, readonly name: string, readonly staging: string) {}

  /** Create the staging directory for `<root>/<timestamp>-<label>`. */
  static async create(root: string, label: string): Promise<ResultDir> {
    const name = `${timestamp()}-${label.replace(/[^A-Za-z0-9._-]+/g, '_')}`;
    const staging = join(root, `.${name}.partial`);
    await mkdir(staging, { recursive: true });
    return new ResultDir(root, name, staging);
  }

  /** The directory the results will have once committed. */
  get finalPath(): string {
    return join(this.root, this.name);
  }

  /** Write one file (text or bytes, e.g. a PNG) into the staging directory. */
  async write(file: string, content: string | Uint8Array): Promise<void> {
    await writeFileAtomic(join(this.staging, file), content);
  }

  /** Publish: rename staging to its final name, then replace `latest/` the same way. */
  async commit(): Promise<string> {
    await rename(this.staging, this.finalPath);
    const latestTmp = join(this.root, `.latest.${process.pid}.tmp`);
    await rm(latestTmp, { recursive: true, force: true });
    await cp(this.finalPath, latestTmp, { recursive: true });
    const latest = join(this.root, 'latest');
    await rm(latest, { recursive: true, force: true });
    await rename(latestTmp, latest);
    return this.finalPath;
  }

  /** Leave the staging directory as evidence, with the error. */
  async fail(err: Error): Promise<void> {
    await writeFileAtomic(join(this.staging, 'ERROR.txt'), `${err.name}: ${err.message}\n`).catch(() => undefined);
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
