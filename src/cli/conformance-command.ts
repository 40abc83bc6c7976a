/**
 * `npm run conformance [-- FILE...]`: replay golden-vector files (default: the
 * bundled ones: both static rule sets and the dynamic set) and print, per
 * file, ops replayed and mismatches, with the first mismatch in full.
 * Exit 0 when every file matches, 1 on any mismatch, 2 on unreadable input.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../base/paths.js';
import { ConformanceInputError, replayFile } from '../conformance/replay.js';

/** With no arguments: every vector file bundled in test/fixtures/conformance/ (static newest and v6.6, dynamic newest). */
function bundledFiles(): string[] {
  const root = join(projectRoot(), 'test', 'fixtures', 'conformance');
  return readdirSync(root, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.jsonl')).sort().map((f) => join(root, f));
}

/** Replay `args` (default: the bundled files) and print the verdicts; returns the exit code. */
export function conformanceMain(args: string[]): number {
  const files = args.length ? args : bundledFiles();
  let mismatched = false;
  let unreadable = false;
  for (const file of files) {
    try {
      const r = replayFile(file);
      const verdict = r.mismatches === 0 ? 'ok' : 'MISMATCH';
      console.log(`${verdict.padEnd(8)} ${file} [${r.rules}${r.dynamic ? ', dynamic' : ''}] ops=${r.ops}${r.dynamic ? ` grows=${r.grows}` : ''} checks=${r.checks} mismatches=${r.mismatches}`);
      if (r.first) {
        mismatched = true;
        console.log(`  first mismatch at line ${r.first.line} (${r.first.op}${r.first.id !== undefined ? ` id ${r.first.id}` : ''}, field '${r.first.field}'):`);
        console.log(`    expected ${JSON.stringify(r.first.expected)}`);
        console.log(`    actual   ${JSON.stringify(r.first.actual)}`);
      }
    } catch (err) {
      if (!(err instanceof ConformanceInputError)) throw err;
      unreadable = true;
      console.log(`ERROR    ${err.message}`);
    }
  }
  return unreadable ? 2 : mismatched ? 1 : 0;
}
