/** Where the project is on disk, valid from the TypeScript sources (tests) and from dist/ (built). */
import { existsSync } from 'node:fs';
import { dirname, isAbsolute, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

let root: string | undefined;

/**
 * The directory holding package.json.
 * @throws Error when no package.json is found above this file.
 */
export function projectRoot(): string {
  if (root) return root;
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('package.json not found above ' + fileURLToPath(import.meta.url));
    dir = up;
  }
  root = dir;
  return dir;
}

/**
 * A built entry point or module under dist/ (workers and child processes load
 * JavaScript: Node 20 cannot load .ts in a worker).
 * @param parts path below dist/, e.g. `src/run/worker.js`.
 * @throws Error naming the file and `npm run build` when it is missing.
 */
export function builtFile(...parts: string[]): string {
  const file = join(projectRoot(), 'dist', ...parts);
  if (!existsSync(file)) throw new Error(`${file} is missing: run 'npm run build' first`);
  return file;
}

/** `file` as a reader of the output wants it: relative to the working directory when inside it (`calibration/default.json`), else as given. */
export function shownPath(file: string): string {
  const rel = relative(process.cwd(), file);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) ? rel : file;
}
