/**
 * A result directory that only looks complete when it is: files are written
 * to a temporary name and renamed, into a hidden `.NAME.partial/` staging
 * directory that is renamed to `NAME/` (and copied to `latest/`) only after
 * every file is written. A failed run leaves the staging directory with an
 * ERROR.txt, so nothing measured is lost and nothing looks finished.
 */
import { cp, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

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
